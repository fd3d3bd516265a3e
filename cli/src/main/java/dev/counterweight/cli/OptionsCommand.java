package dev.counterweight.cli;

import dev.counterweight.jobs.weighting.SampleWeightingOptions;
import dev.counterweight.learner.service.LearnerOptions;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.description.HtmlFormatter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code counterweight options}: every option of the job and the learner, as Markdown. */
@Command(
        name = "options",
        mixinStandardHelpOptions = true,
        description =
                "Print every option of the weighting job and the learner (key, default,"
                        + " description) as Markdown; README.md's options section is this output.")
public final class OptionsCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getOut().print(markdown());
        spec.commandLine().getOut().flush();
        return 0;
    }

    /** The options reference. */
    public static String markdown() {
        StringBuilder b = new StringBuilder();
        b.append("### Weighting job (`SampleWeightingOptions`)\n\n");
        table(b, SampleWeightingOptions.all());
        passThrough(b, SampleWeightingOptions.KAFKA_PROPERTIES_PREFIX);
        b.append("\n### Online learner (`LearnerOptions`)\n\n");
        table(b, LearnerOptions.all());
        passThrough(b, LearnerOptions.KAFKA_PROPERTIES_PREFIX);
        return b.toString();
    }

    private static void passThrough(StringBuilder b, String prefix) {
        b.append("\nEvery option `")
                .append(prefix)
                .append("<client key>` is passed unchanged to every Kafka client (SASL/SSL);")
                .append(" values of keys containing password, secret, jaas, token or key are")
                .append(" never logged.\n");
    }

    private static void table(StringBuilder b, List<ConfigOption<?>> options) {
        b.append("| key | default | description |\n|---|---|---|\n");
        for (ConfigOption<?> o : options) {
            String def = o.hasDefaultValue() ? String.valueOf(o.defaultValue()) : "(required)";
            if (o.key().equals(LearnerOptions.OMP_THREADS.key())) {
                def = "cores available";
            }
            b.append("| `")
                    .append(o.key())
                    .append("` | ")
                    .append(def.replace("|", "\\|"))
                    .append(" | ")
                    .append(
                            new HtmlFormatter()
                                    .format(o.description())
                                    .replace("|", "\\|")
                                    .replace("\n", " "))
                    .append(" |\n");
        }
    }
}
