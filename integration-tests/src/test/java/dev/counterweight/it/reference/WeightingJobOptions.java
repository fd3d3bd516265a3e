package dev.counterweight.it.reference;

import dev.counterweight.jobs.weighting.SampleWeightingSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;

/** The {@code SampleWeightingJob} options the scenarios run with, and their reference settings. */
public final class WeightingJobOptions {

    public static final long WINDOW = UniquePairEvents.WINDOW;
    public static final long HORIZON = 120_000;
    public static final long HALF_LIFE = 600_000;

    private WeightingJobOptions() {}

    /**
     * Options of an unbounded replay with exactly-once sinks: checkpoints every {@code
     * checkpointInterval}, a generous restart budget, and a watermark idleness long enough that a
     * partition is never declared idle while the job recovers.
     */
    public static Map<String, String> replay(
            String bootstrapServers, Path checkpointDir, String checkpointInterval) {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("kafka.bootstrap-servers", bootstrapServers);
        o.put("attribution.window", WINDOW + " ms");
        o.put("attribution.correction-horizon", HORIZON + " ms");
        o.put("weights.half-life", HALF_LIFE + " ms");
        o.put("weights.update-interval", "20000 ms");
        o.put("weights.strategy", "INVERSE");
        o.put("classes.key", "CATEGORY_LABEL");
        o.put("job.checkpoint-interval", checkpointInterval);
        o.put("job.checkpoint-dir", checkpointDir.toUri().toString());
        o.put("job.restart-attempts", "30");
        o.put("job.restart-delay", "1 s");
        // Explicit: a jar run over REST without a parallelism runs with 1, not the cluster default.
        o.put("job.parallelism", "2");
        o.put("kafka.transaction-timeout", "3 min");
        o.put("watermark.idleness", "30 min");
        o.put("validation.max-string-length", "64");
        return o;
    }

    /** {@code --key value} arguments. */
    public static List<String> args(Map<String, String> options) {
        List<String> args = new ArrayList<>();
        options.forEach(
                (k, v) -> {
                    args.add("--" + k);
                    args.add(v);
                });
        return args;
    }

    /** The validated settings, as the job builds them from the same options. */
    public static SampleWeightingSettings settings(Map<String, String> options) {
        return SampleWeightingSettings.from(Configuration.fromMap(options));
    }
}
