package dev.counterweight.cli;

import dev.counterweight.bench.BenchmarksFile;
import dev.counterweight.bench.LatencyBenchmark;
import dev.counterweight.bench.Machine;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code counterweight bench latency}. */
@Command(
        name = "latency",
        mixinStandardHelpOptions = true,
        description =
                "Weighting-job latency (event time to the sample in Kafka) at a fixed load of half"
                        + " its measured maximum, attribution window and out-of-orderness 0:"
                        + " p50/p99/p99.9 for a read_uncommitted and a read_committed consumer."
                        + " About 11 min with the defaults (3 repeats of 3 rows).")
final class BenchLatencyCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
            names = "--rate",
            defaultValue = "0",
            description =
                    "Events per second to send; 0 measures the maximum in each repeat and sends"
                            + " half of it. Default: ${DEFAULT-VALUE}.")
    double rate;

    @Option(
            names = "--max-exposures",
            defaultValue = "50000",
            description =
                    "Synthetic exposures of the bounded run that measures the maximum. Default:"
                            + " ${DEFAULT-VALUE}.")
    int maxExposures;

    @Option(
            names = "--warmup-seconds",
            defaultValue = "15",
            description = "Warm-up after the first sample. Default: ${DEFAULT-VALUE}.")
    int warmupSeconds;

    @Option(
            names = "--seconds",
            defaultValue = "20",
            description = "Measured seconds of exposures per run. Default: ${DEFAULT-VALUE}.")
    int seconds;

    @Option(
            names = "--tail-seconds",
            defaultValue = "15",
            description =
                    "Events keep flowing this long after the measured ones (>= 12). Default:"
                            + " ${DEFAULT-VALUE}.")
    int tailSeconds;

    @Option(
            names = "--tuned",
            description =
                    "Flink settings of one more row, as key=value items separated by ';'; repeat"
                            + " for more rows, 'none' for the default row only. Default: two"
                            + " rows, buffer timeout 5 ms, and buffer timeout 5 ms with a 50 ms"
                            + " watermark interval.")
    List<String> tuned =
            List.of(
                    "execution.buffer-timeout.interval=5 ms",
                    "execution.buffer-timeout.interval=5 ms;pipeline.auto-watermark-interval=50 ms");

    @Option(
            names = "--repeats",
            defaultValue = "3",
            description = "Runs per figure (median and spread). Default: ${DEFAULT-VALUE}.")
    int repeats;

    @Option(
            names = "--work-dir",
            defaultValue = "target/bench-latency",
            description =
                    "Scratch folder; latency.tsv and raw latencies go here. Default: ${DEFAULT-VALUE}.")
    Path workDir;

    @Option(
            names = "--out",
            defaultValue = "BENCHMARKS.md",
            description =
                    "File whose 'latency' section ('latency-fixed-rate' with --rate) is replaced."
                            + " Default: ${DEFAULT-VALUE}.")
    Path out;

    @Override
    public Integer call() throws Exception {
        PrintWriter log = spec.commandLine().getOut();
        Files.createDirectories(workDir);
        Map<String, Map<String, String>> variants = new LinkedHashMap<>();
        variants.put("defaults", Map.of());
        for (String row : tuned) {
            if (row.isBlank() || row.equals("none")) {
                continue;
            }
            Map<String, String> settings = new LinkedHashMap<>();
            for (String item : row.split(";")) {
                int eq = item.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException(
                            "--tuned expects key=value items separated by ';', got '" + item + "'");
                }
                settings.put(item.substring(0, eq).trim(), item.substring(eq + 1).trim());
            }
            variants.put("tuned" + variants.size(), settings);
        }
        var config =
                new LatencyBenchmark.Config(
                        rate,
                        maxExposures,
                        Duration.ofSeconds(warmupSeconds),
                        Duration.ofSeconds(seconds),
                        Duration.ofSeconds(tailSeconds),
                        repeats,
                        variants);
        var result = LatencyBenchmark.run(workDir.toAbsolutePath(), config, log);
        String command =
                "cli/bin/counterweight bench latency"
                        + (rate > 0 ? " --rate " + rate : "")
                        + " --seconds "
                        + seconds
                        + tunedArguments(variants)
                        + " --repeats "
                        + repeats;
        String md = LatencyBenchmark.markdown(result, command, Machine.describe());
        Files.writeString(workDir.resolve("latency.tsv"), LatencyBenchmark.tsv(result));
        Files.writeString(workDir.resolve("latency.md"), md);
        // A given rate gets its own section, so it sits beside the half-maximum figures.
        BenchmarksFile.replaceSection(out, rate > 0 ? "latency-fixed-rate" : "latency", md);
        log.println();
        log.println(md);
        log.flush();
        return 0;
    }

    /** The {@code --tuned} arguments that reproduce {@code variants}. */
    private static String tunedArguments(Map<String, Map<String, String>> variants) {
        if (variants.size() == 1) {
            return " --tuned none";
        }
        StringBuilder b = new StringBuilder();
        variants.values().stream()
                .skip(1)
                .forEach(
                        v -> {
                            List<String> items = new java.util.ArrayList<>();
                            v.forEach((key, value) -> items.add(key + "=" + value));
                            b.append(" --tuned '").append(String.join(";", items)).append("'");
                        });
        return b.toString();
    }
}
