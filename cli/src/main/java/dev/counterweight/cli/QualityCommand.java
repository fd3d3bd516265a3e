package dev.counterweight.cli;

import dev.counterweight.connectors.dataset.DataSets;
import dev.counterweight.connectors.dataset.KnownAnswerConfig;
import dev.counterweight.experiments.quality.KnownAnswerReport;
import dev.counterweight.experiments.quality.QualityExperiment;
import dev.counterweight.experiments.quality.QualityReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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
                "Offline experiment: attribute labels with the job's rules on the known-answer"
                        + " stream (default; every generator option as --ka-*) or the shared"
                        + " Taobao slice (--source taobao), weight samples as the job does under"
                        + " each weighting strategy (with and without negative down-sampling),"
                        + " train the learner's model test-then-train, score a held-out tail"
                        + " (against the truth and its ceiling on the known-answer stream), add a"
                        + " logistic-regression reference, and write QUALITY.md.")
public final class QualityCommand implements Callable<Integer> {

    /** Where the events come from. */
    public enum Source {
        /** The seeded known-answer generator (true probabilities known). */
        known_answer,
        /** The shared Taobao UserBehavior slice: the real-data check. */
        taobao
    }

    /** The default report of {@code --source taobao}. */
    static final String TAOBAO_OUT = "experiments/quality-report/TAOBAO.md";

    @Spec CommandSpec spec;

    @Mixin KnownAnswerOptions knownAnswer = new KnownAnswerOptions();

    @Option(
            names = "--source",
            defaultValue = "known_answer",
            description =
                    "known_answer (the generator, configured by the --ka-* options, seeded by"
                            + " --data-seed) or taobao (the shared slice, the real-data check;"
                            + " full grid with augmentation and loss-aware weights). Default:"
                            + " ${DEFAULT-VALUE}.")
    Source source;

    @Option(
            names = "--data-seed",
            defaultValue = "42",
            description =
                    "Seed of the known-answer generator (the stream is the same for every model"
                            + " seed). Default: ${DEFAULT-VALUE}.")
    long dataSeed;

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
            description =
                    "Markdown report to write. Default: QUALITY.md for known_answer, "
                            + TAOBAO_OUT
                            + " for taobao.")
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
                    "For CI. known_answer: "
                            + QualityExperiment.QUICK_KNOWN_ANSWER_EXPOSURES
                            + " exposures (in place of --ka-exposures) and three configurations"
                            + " (NONE, INVERSE, SQRT_INVERSE with negatives kept at 0.3). taobao: a"
                            + " small slice and six configurations (NONE, INVERSE, SQRT_INVERSE,"
                            + " SQRT_INVERSE with negatives kept at 0.3, NONE + SMOTE,"
                            + " SQRT_INVERSE + loss-aware).")
    boolean quick;

    @Override
    public Integer call() throws IOException {
        PrintWriter w = spec.commandLine().getOut();
        if (source == Source.known_answer) {
            return knownAnswer(w);
        }
        if (out == null) {
            out = Path.of(TAOBAO_OUT);
        }
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
        StringBuilder command = new StringBuilder("cli/bin/counterweight quality --source taobao");
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
        if (!out.toString().equals(TAOBAO_OUT)) {
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

    private int knownAnswer(PrintWriter w) throws IOException {
        if (out == null) {
            out = Path.of("QUALITY.md");
        }
        KnownAnswerConfig config = knownAnswer.config(dataSeed);
        if (quick) {
            config =
                    config.toBuilder()
                            .exposures(QualityExperiment.QUICK_KNOWN_ANSWER_EXPOSURES)
                            .build();
        }
        var outcome =
                QualityExperiment.runKnownAnswer(
                        config,
                        seeds,
                        learningRate,
                        quick,
                        quick
                                ? QualityExperiment.quickKnownAnswerConfigs()
                                : QualityExperiment.knownAnswerConfigs(),
                        line -> {
                            w.println(line);
                            w.flush();
                        });
        StringBuilder command = new StringBuilder("cli/bin/counterweight quality");
        // Every argument as typed (generator options included), so the report names its stream.
        List<String> args = spec.commandLine().getParseResult().originalArgs();
        // A subcommand's parse result may hold the parent's arguments too.
        int first = args.indexOf(spec.name()) + 1;
        for (String arg : args.subList(first, args.size())) {
            command.append(' ').append(arg);
        }
        Files.writeString(
                out,
                KnownAnswerReport.markdown(outcome, command.toString()),
                StandardCharsets.UTF_8);
        w.println("wrote " + out);
        w.flush();
        return 0;
    }
}
