package dev.counterweight.connectors.kafka;

import dev.counterweight.avro.ClassLoss;
import dev.counterweight.avro.ClassWeights;
import dev.counterweight.avro.DeadLetter;
import dev.counterweight.avro.ModelSnapshot;
import dev.counterweight.avro.Sample;
import dev.counterweight.avro.UserEvent;
import dev.counterweight.connectors.kafka.Topic.Key;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * The registry of the topics Counterweight reads and writes: each a typed {@link Topic} with its
 * default name, record type, key, wire format and layout. Every arrow of the architecture is one of
 * these; the weighting job and the learner never call each other directly.
 */
public final class Topics {

    private static final long WEEK_MS = 7L * 24 * 3600 * 1000;

    /** User events from shops or the replay tool: the weighting job's input. */
    public static final Topic<UserEvent> EVENTS =
            new Topic<>("events", UserEvent.class, Key.USER_ID, true, false, WEEK_MS);

    /** Events the job refused, as DeadLetter records with reason and source offset. */
    public static final Topic<DeadLetter> EVENTS_DLQ =
            new Topic<>("events-dlq", DeadLetter.class, Key.NONE, false, false, 4 * WEEK_MS);

    /** The job's weighted training samples: the learner's input. */
    public static final Topic<Sample> WEIGHTED_SAMPLES =
            new Topic<>("weighted-samples", Sample.class, Key.USER_ID, true, false, WEEK_MS);

    /** The job's versioned class-weight tables (compacted). */
    public static final Topic<ClassWeights> CLASS_WEIGHTS =
            new Topic<>("class-weights", ClassWeights.class, Key.JOB_NAME, false, true, -1);

    /** The learner's per-class loss, read back by loss-aware weighting. */
    public static final Topic<ClassLoss> CLASS_LOSS =
            new Topic<>("class-loss", ClassLoss.class, Key.MODEL_NAME, false, false, WEEK_MS);

    /** Announcements of model snapshots that passed the quality gate (compacted). */
    public static final Topic<ModelSnapshot> MODEL_SNAPSHOTS =
            new Topic<>("model-snapshots", ModelSnapshot.class, Key.MODEL_NAME, false, true, -1);

    /** Samples the online learner cannot train on, as DeadLetter records with reason and offset. */
    public static final Topic<DeadLetter> LEARNER_DLQ =
            new Topic<>(
                    "learner-dlq", DeadLetter.class, Key.SOURCE_RECORD, false, false, 4 * WEEK_MS);

    private static final List<Topic<?>> ALL =
            List.of(
                    EVENTS,
                    EVENTS_DLQ,
                    WEIGHTED_SAMPLES,
                    CLASS_WEIGHTS,
                    CLASS_LOSS,
                    MODEL_SNAPSHOTS,
                    LEARNER_DLQ);

    private Topics() {}

    /** Every topic, in pipeline order. */
    public static List<Topic<?>> all() {
        return ALL;
    }

    /** The default names of every topic, in the order of {@link #all()}. */
    public static List<String> names() {
        return ALL.stream().map(Topic::name).toList();
    }

    /** The topic whose default name is {@code name}, if any. */
    public static Optional<Topic<?>> find(String name) {
        return ALL.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    /**
     * The topic whose default name is {@code name}.
     *
     * @throws IllegalArgumentException naming the accepted topics if there is none
     */
    public static Topic<?> byName(String name) {
        return find(name)
                .orElseThrow(
                        () ->
                                new IllegalArgumentException(
                                        "Unknown topic '"
                                                + name
                                                + "'. Accepted: "
                                                + String.join(", ", names())));
    }

    /** The layout of every topic, with {@code partitions} partitions for the data topics. */
    public static List<TopicSpec> specs(int partitions) {
        return ALL.stream().map(t -> t.spec(partitions)).toList();
    }

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
}
