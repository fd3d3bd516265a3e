package dev.counterweight.cli;

import dev.counterweight.bench.BenchmarksFile;
import dev.counterweight.bench.LearnerBenchmark;
import dev.counterweight.bench.Machine;
import dev.counterweight.bench.PipelineBenchmark;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code counterweight bench}: benchmarks that report ratios against same-run baselines. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Benchmarks; each prints a short table last and updates BENCHMARKS.md.",
        subcommands = {
            BenchCommand.Learner.class,
            BenchCommand.Pipeline.class,
            BenchScaleCommand.class,
            BenchLatencyCommand.class,
            BenchFreshnessCommand.class
        })
public final class BenchCommand {

    /** {@code bench learner}. */
    @Command(
            name = "learner",
            mixinStandardHelpOptions = true,
            description =
                    "Learner samples/s per batch size: full service (Kafka, Avro, batching,"
                            + " progressive evaluation, training) vs a bare training loop over the"
                            + " same pre-built batches, same run; snapshot write/load time and size.")
    static final class Learner implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Option(
                names = "--samples",
                defaultValue = "40960",
                description = "Samples per run. Default: ${DEFAULT-VALUE}.")
        int samples;

        @Option(
                names = "--batch-sizes",
                split = ",",
                defaultValue = "256,1024,4096",
                description = "Batch sizes. Default: ${DEFAULT-VALUE}.")
        int[] batchSizes;

        @Option(
                names = "--repeats",
                defaultValue = "3",
                description = "Runs per figure (median and spread). Default: ${DEFAULT-VALUE}.")
        int repeats;

        @Option(
                names = "--work-dir",
                defaultValue = "target/bench-learner",
                description = "Scratch folder. Default: ${DEFAULT-VALUE}.")
        Path workDir;

        @Option(
                names = "--out",
                defaultValue = "BENCHMARKS.md",
                description =
                        "File whose 'learner' section is replaced. Default: ${DEFAULT-VALUE}.")
        Path out;

        @Override
        public Integer call() throws Exception {
            PrintWriter log = spec.commandLine().getOut();
            Files.createDirectories(workDir);
            var result =
                    LearnerBenchmark.run(
                            workDir.toAbsolutePath(), samples, batchSizes, repeats, log);
            String command =
                    "cli/bin/counterweight bench learner --samples "
                            + samples
                            + " --batch-sizes "
                            + String.join(
                                    ",",
                                    Arrays.stream(batchSizes).mapToObj(String::valueOf).toList())
                            + " --repeats "
                            + repeats;
            String md = LearnerBenchmark.markdown(result, command, Machine.describe());
            Files.writeString(workDir.resolve("learner.md"), md);
            BenchmarksFile.replaceSection(out, "learner", md);
            log.println();
            log.println(md);
            log.flush();
            return 0;
        }
    }

    /** {@code bench pipeline}. */
    @Command(
            name = "pipeline",
            mixinStandardHelpOptions = true,
            description =
                    "Weighting-job events/s vs a pass-through Kafka-to-Kafka Flink job on the same"
                            + " broker and Flink setup, same run, plus raw Kafka producer/consumer"
                            + " rates.")
    static final class Pipeline implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Option(
                names = "--exposures",
                defaultValue = "300000",
                description =
                        "Synthetic exposures of the measured stream (events are about 1.15x)."
                                + " Default: ${DEFAULT-VALUE}.")
        int exposures;

        @Option(
                names = "--fit-exposures",
                defaultValue = "100000",
                description =
                        "Exposures of the smaller stream of the two-size fit (start-up vs"
                                + " per-event cost); 0 runs no fit. Default: ${DEFAULT-VALUE}.")
        int fitExposures;

        @Option(
                names = "--repeats",
                defaultValue = "3",
                description = "Runs per figure (median and spread). Default: ${DEFAULT-VALUE}.")
        int repeats;

        @Option(
                names = "--work-dir",
                defaultValue = "target/bench-pipeline",
                description = "Scratch folder. Default: ${DEFAULT-VALUE}.")
        Path workDir;

        @Option(
                names = "--out",
                defaultValue = "BENCHMARKS.md",
                description =
                        "File whose 'pipeline' section is replaced. Default: ${DEFAULT-VALUE}.")
        Path out;

        @Override
        public Integer call() throws Exception {
            PrintWriter log = spec.commandLine().getOut();
            Files.createDirectories(workDir);
            var result =
                    PipelineBenchmark.run(
                            workDir.toAbsolutePath(),
                            new PipelineBenchmark.Config(
                                    exposures,
                                    fitExposures,
                                    repeats,
                                    java.time.Duration.ofSeconds(10),
                                    true),
                            log);
            String command =
                    "cli/bin/counterweight bench pipeline --exposures "
                            + exposures
                            + " --fit-exposures "
                            + fitExposures
                            + " --repeats "
                            + repeats;
            String md = PipelineBenchmark.markdown(result, command, Machine.describe());
            Files.writeString(workDir.resolve("pipeline.md"), md);
            BenchmarksFile.replaceSection(out, "pipeline", md);
            log.println();
            log.println(md);
            log.flush();
            return 0;
        }
    }
}
