package dev.counterweight.cli;

import dev.counterweight.launcher.report.ReportWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code report}: reads the output topics and writes a Markdown report with PNG charts. */
@Command(
        name = "report",
        mixinStandardHelpOptions = true,
        description =
                "Read weighted-samples, class-weights, model-snapshots and class-loss to their"
                        + " end and write report.md with PNG charts (class distribution before and"
                        + " after weighting, weights over time, effective sample size, learner"
                        + " metrics, per-class loss).")
public final class ReportCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Mixin KafkaClientOptions kafka = new KafkaClientOptions();

    @Option(
            names = "--out",
            defaultValue = "counterweight-report",
            description =
                    "Folder to write report.md and the charts to (created if needed). Default:"
                            + " ${DEFAULT-VALUE}.")
    Path out;

    @Option(
            names = "--timeout",
            defaultValue = "PT30S",
            description =
                    "Fail if the cluster does not answer, or reading stalls, this long. Default:"
                            + " ${DEFAULT-VALUE}.")
    Duration timeout;

    @Override
    public Integer call() throws IOException {
        List<Path> files =
                ReportWriter.writeFromKafka(
                        kafka.bootstrapServers(), kafka.properties(), out, timeout);
        PrintWriter w = spec.commandLine().getOut();
        w.printf(
                "Wrote %s with %d charts%s%n",
                files.get(0), files.size() - 1, files.size() > 1 ? ":" : "");
        files.subList(1, files.size()).forEach(f -> w.println("  " + f));
        w.flush();
        return 0;
    }
}
