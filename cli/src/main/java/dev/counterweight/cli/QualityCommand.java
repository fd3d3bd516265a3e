package dev.counterweight.cli;

import dev.counterweight.connectors.dataset.DataSets;
import dev.counterweight.experiments.quality.QualityExperiment;
import dev.counterweight.experiments.quality.QualityReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Runs the "does reweighting help?" experiment in this JVM and writes QUALITY.md with its charts.
 */
@Command(
        name = "quality",
        mixinStandardHelpOptions = true,
        description =
                "Offline experiment: attribute labels on the shared Taobao slice, weight samples as"
                        + " the job does under every weighting strategy crossed with negative"
                        + " down-sampling and minority augmentation (plus loss-aware weights),"
                        + " train the learner's model test-then-train, score a held-out tail, and"
                        + " write QUALITY.md and the sample-importance report IMPORTANCE.md.")
public final class QualityCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(
            names = "--data-dir",
            description =
                    "Folder with the shared datasets (default: $COUNTERWEIGHT_DATA_DIR or"
                            + " ../shared/data).")
    Path dataDir;

    @Option(
            names = "--limit",
            defaultValue = "-1",
            description =
                    "Read at most this many events (-1: all, or "
                            + QualityExperiment.QUICK_EVENTS
                            + " with --quick). Default: ${DEFAULT-VALUE}.")
    int limit;

    @Option(
            names = "--out",
            defaultValue = "QUALITY.md",
            description = "Markdown report to write. Default: ${DEFAULT-VALUE}.")
    Path out;

    @Option(
            names = "--plots-dir",
            defaultValue = "experiments/quality-report",
            description = "Folder of the report's PNG charts. Default: ${DEFAULT-VALUE}.")
    Path plotsDir;

    @Option(
            names = "--seeds",
            split = ",",
            defaultValue = "42,43,44",
            description =
                    "Seeds of the model, the down-sampler and the baseline, comma-separated; every"
                            + " configuration runs once with each. Default: ${DEFAULT-VALUE}.")
    List<Long> seeds;

    @Option(
            names = "--learning-rate",
            defaultValue = "0.01",
            description =
                    "Adam learning rate of every configuration's model and of the offline baseline."
                            + " One streamed pass over the two-hour slice is about 100 batches,"
                            + " too few for the live learner's default 0.001 (which this option"
                            + " does not change). Default: ${DEFAULT-VALUE}.")
    double learningRate;

    @Option(
            names = "--quick",
            description =
                    "A small slice and six configurations (NONE, INVERSE, SQRT_INVERSE,"
                            + " SQRT_INVERSE with negatives kept at 0.3, NONE + SMOTE, SQRT_INVERSE + loss-aware),"
                            + " for CI.")
    boolean quick;

    @Override
    public Integer call() throws IOException {
        PrintWriter w = spec.commandLine().getOut();
        if (dataDir != null) {
            System.setProperty(DataSets.DATA_DIR_PROPERTY, dataDir.toString());
        }
        var outcome =
                QualityExperiment.run(
                        limit,
                        seeds,
                        learningRate,
                        quick,
                        line -> {
                            w.println(line);
                            w.flush();
                        });
        StringBuilder command = new StringBuilder("cli/bin/counterweight quality");
        if (quick) {
            command.append(" --quick");
        }
        if (limit >= 0) {
            command.append(" --limit ").append(limit);
        }
        if (!seeds.equals(QualityExperiment.DEFAULT_SEEDS)) {
            command.append(" --seeds ")
                    .append(String.join(",", seeds.stream().map(String::valueOf).toList()));
        }
        if (learningRate != QualityExperiment.DEFAULT_LEARNING_RATE) {
            command.append(" --learning-rate ").append(learningRate);
        }
        if (!out.toString().equals("QUALITY.md")) {
            command.append(" --out ").append(out);
        }
        if (!plotsDir.toString().equals("experiments/quality-report")) {
            command.append(" --plots-dir ").append(plotsDir);
        }
        for (Path p : QualityReport.write(outcome, out, plotsDir, command.toString())) {
            w.println("wrote " + p);
        }
        w.flush();
        return 0;
    }
}
