package dev.counterweight.cli;

import dev.counterweight.connectors.config.CommandLineArgs;
import dev.counterweight.connectors.replay.DatasetEvents;
import dev.counterweight.connectors.replay.ReplayPacing;
import dev.counterweight.launcher.LocalPipeline;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code counterweight run}: the whole pipeline on this machine. */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description = {
            "Start everything on 127.0.0.1: a Kafka broker (KRaft), Flink with its Web UI running"
                    + " the SampleWeightingJob on RocksDB, the online learner, and a replay of the"
                    + " shared Taobao dataset (synthetic data if it is absent) into 'events'.",
            "With --once: after the replay, drain the job (every window closes), let the learner"
                    + " finish, write the report and stop. Without it: run until Ctrl-C."
        })
public final class RunCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(names = "--once", description = "Drain, report and stop after the replay.")
    boolean once;

    @Option(
            names = "--work-dir",
            defaultValue = "target/counterweight-local",
            description =
                    "Broker logs, checkpoints, snapshots and the report go here. Default:"
                            + " ${DEFAULT-VALUE}.")
    Path workDir;

    @Option(
            names = "--ui-port",
            defaultValue = "8081",
            description = "Flink Web UI port. Default: ${DEFAULT-VALUE}.")
    int uiPort;

    @Option(
            names = "--partitions",
            defaultValue = "2",
            description =
                    "Partitions of the data topics and job parallelism. Default: ${DEFAULT-VALUE}.")
    int partitions;

    @Option(
            names = "--source",
            defaultValue = "TAOBAO",
            description = "Dataset: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
    DatasetEvents.Source source;

    @Option(
            names = "--limit",
            defaultValue = "-1",
            description = "Replay at most this many events (-1: all). Default: ${DEFAULT-VALUE}.")
    int limit;

    @Option(
            names = "--speed-up",
            defaultValue = "120",
            description =
                    "Replay at this multiple of the dataset's own pace (0: as fast as possible)."
                            + " The 1.9 h Taobao slice takes about a minute at 120. Default:"
                            + " ${DEFAULT-VALUE}.")
    double speedUp;

    @Option(
            names = "--job",
            split = ",",
            description =
                    "Extra job options as key=value (see SampleWeightingOptions), e.g."
                            + " --job weights.strategy=INVERSE,attribution.window=10min")
    List<String> jobOptions = List.of();

    @Option(
            names = "--learner",
            split = ",",
            description =
                    "Extra learner options as key=value (see LearnerOptions), e.g. --learner"
                            + " learner.batch-size=1024")
    List<String> learnerOptions = List.of();

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        LocalPipeline pipeline =
                new LocalPipeline(
                        new LocalPipeline.Settings(
                                workDir.toAbsolutePath(),
                                uiPort,
                                partitions,
                                source,
                                limit,
                                new ReplayPacing(speedUp, ReplayPacing.TimeShift.NONE, 1),
                                pairs(jobOptions),
                                pairs(learnerOptions),
                                once),
                        out,
                        err);
        Thread hook = new Thread(pipeline::close, "counterweight-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            pipeline.run();
        } finally {
            pipeline.close();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the hook is running already.
            }
        }
        return 0;
    }

    /** {@code key=value} items as {@code --key value} pairs. */
    static Map<String, String> pairs(List<String> items) {
        String[] args = new String[items.size() * 2];
        for (int i = 0; i < items.size(); i++) {
            String item = items.get(i);
            int eq = item.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected key=value, got '" + item + "'");
            }
            args[2 * i] = "--" + item.substring(0, eq).trim();
            args[2 * i + 1] = item.substring(eq + 1).trim();
        }
        return CommandLineArgs.parse(args);
    }
}
