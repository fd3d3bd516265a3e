package dev.counterweight.connectors.kafka;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * The topics Counterweight reads and writes, with their layout. Every arrow of the architecture is
 * one of these; the weighting job and the learner never call each other directly.
 */
public final class Topics {

    public static final String EVENTS = "events";
    public static final String EVENTS_DLQ = "events-dlq";
    public static final String WEIGHTED_SAMPLES = "weighted-samples";
    public static final String CLASS_WEIGHTS = "class-weights";
    public static final String CLASS_LOSS = "class-loss";
    public static final String MODEL_SNAPSHOTS = "model-snapshots";

    /** Samples the online learner cannot train on, as DeadLetter records with reason and offset. */
    public static final String LEARNER_DLQ = "learner-dlq";

    private Topics() {}

    /**
     * One topic's layout.
     *
     * @param name topic name
     * @param partitions partition count
     * @param compacted whether the topic keeps only the latest record per key
     * @param retentionMs retention for delete-policy topics, -1 for unlimited
     */
    public record TopicSpec(String name, int partitions, boolean compacted, long retentionMs) {
        public TopicSpec {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("topic name must not be blank");
            }
            if (partitions < 1) {
                throw new IllegalArgumentException(
                        "partitions of " + name + " must be at least 1, was " + partitions);
            }
        }

        /** How long a compacted topic keeps superseded records (history for reports, debugging). */
        public static final long COMPACTION_LAG_MS = 24L * 3600 * 1000;

        /** The admin-client request for this spec with the given replication factor. */
        public NewTopic toNewTopic(short replicationFactor) {
            Map<String, String> configs =
                    compacted
                            ? Map.of(
                                    "cleanup.policy",
                                    "compact",
                                    "min.compaction.lag.ms",
                                    String.valueOf(COMPACTION_LAG_MS))
                            : Map.of("retention.ms", String.valueOf(retentionMs));
            return new NewTopic(name, partitions, replicationFactor).configs(configs);
        }
    }

    /** All topics with {@code partitions} partitions for the data topics. */
    public static List<TopicSpec> all(int partitions) {
        long week = 7L * 24 * 3600 * 1000;
        return List.of(
                new TopicSpec(EVENTS, partitions, false, week),
                new TopicSpec(EVENTS_DLQ, 1, false, 4 * week),
                new TopicSpec(WEIGHTED_SAMPLES, partitions, false, week),
                new TopicSpec(CLASS_WEIGHTS, 1, true, -1),
                new TopicSpec(CLASS_LOSS, 1, false, week),
                new TopicSpec(MODEL_SNAPSHOTS, 1, true, -1),
                new TopicSpec(LEARNER_DLQ, 1, false, 4 * week));
    }
}
