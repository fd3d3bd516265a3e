package dev.counterweight.cli;

import dev.counterweight.bench.BenchmarksFile;
import dev.counterweight.bench.FreshnessBenchmark;
import dev.counterweight.bench.Machine;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code counterweight bench freshness}. */
@Command(
        name = "freshness",
        mixinStandardHelpOptions = true,
        description =
                "Event to published model snapshot freshness (p50/p99) of the local pipeline with"
                        + " its default options, events produced in real time. About 3.5 min per"
                        + " repeat with the defaults.")
final class BenchFreshnessCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
            names = "--exposures-per-second",
            defaultValue = "200",
            description =
                    "Synthetic exposures per second (events about 1.3x). Default: ${DEFAULT-VALUE}.")
    int exposuresPerSecond;

    @Option(
            names = "--warmup-seconds",
            defaultValue = "60",
            description =
                    "Real-time seconds before measured windows close (start-up, the learner gate's"
                            + " 5,000 evaluated samples). Default: ${DEFAULT-VALUE}.")
    int warmupSeconds;

    @Option(
            names = "--seconds",
            defaultValue = "60",
            description = "Seconds of measured window closes per run. Default: ${DEFAULT-VALUE}.")
    int seconds;

    @Option(
            names = "--tail-seconds",
            defaultValue = "45",
            description =
                    "Real-time seconds after the measured ones, for snapshots to cover them."
                            + " Default: ${DEFAULT-VALUE}.")
    int tailSeconds;

    @Option(
            names = "--repeats",
            defaultValue = "3",
            description = "Runs (median and spread). Default: ${DEFAULT-VALUE}.")
    int repeats;

    @Option(
            names = "--work-dir",
            defaultValue = "target/bench-freshness",
            description =
                    "Scratch folder; freshness.tsv and raw figures go here. Default: ${DEFAULT-VALUE}.")
    Path workDir;

    @Option(
            names = "--out",
            defaultValue = "BENCHMARKS.md",
            description = "File whose 'freshness' section is replaced. Default: ${DEFAULT-VALUE}.")
    Path out;

    @Override
    public Integer call() throws Exception {
        PrintWriter log = spec.commandLine().getOut();
        Files.createDirectories(workDir);
        var config =
                new FreshnessBenchmark.Config(
                        exposuresPerSecond,
                        Duration.ofSeconds(warmupSeconds),
                        Duration.ofSeconds(seconds),
                        Duration.ofSeconds(tailSeconds),
                        repeats);
        var result = FreshnessBenchmark.run(workDir.toAbsolutePath(), config, log);
        String command =
                "cli/bin/counterweight bench freshness --exposures-per-second "
                        + exposuresPerSecond
                        + " --seconds "
                        + seconds
                        + " --repeats "
                        + repeats;
        String md = FreshnessBenchmark.markdown(result, command, Machine.describe());
        Files.writeString(workDir.resolve("freshness.tsv"), FreshnessBenchmark.tsv(result));
        Files.writeString(workDir.resolve("freshness.md"), md);
        BenchmarksFile.replaceSection(out, "freshness", md);
        log.println();
        log.println(md);
        log.flush();
        return 0;
    }
}
