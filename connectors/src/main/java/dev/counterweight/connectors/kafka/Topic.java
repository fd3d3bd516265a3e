package dev.counterweight.connectors.kafka;

import dev.counterweight.connectors.avro.AvroCodec;
import dev.counterweight.connectors.kafka.Topics.TopicSpec;
import java.nio.charset.StandardCharsets;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * One Counterweight topic: its default name, the Avro record its values carry, what its key is, how
 * its values are written, and its layout. The instances are the constants of {@link Topics}; the
 * registry is closed, so a typo in a topic is a compile error, not an empty read.
 *
 * <p>The name is the default only: the job and the learner take their topic names as options (their
 * defaults come from here), so code that reads a configured topic passes the configured name and
 * this constant for the type.
 *
 * <p>Immutable and thread-safe.
 *
 * @param <V> the generated Avro class of the values
 */
public final class Topic<V extends SpecificRecordBase> {

    /** What a topic's key is. Every key is a UTF-8 string (or absent). */
    public enum Key {
        /** The user id of the event or sample (keeps one user's records in one partition). */
        USER_ID,
        /** The weighting job's name, with {@code #part} for parts of a table after the first. */
        JOB_NAME,
        /** The learner's model name ({@code learner.model-name}). */
        MODEL_NAME,
        /** Where the refused record was: {@code topic-partition@offset}. */
        SOURCE_RECORD,
        /** No key (records spread over the partitions). */
        NONE;

        /** The key's bytes: UTF-8, null for null. */
        public byte[] encode(String key) {
            return key == null ? null : key.getBytes(StandardCharsets.UTF_8);
        }

        /** The key read back: UTF-8, null for null. */
        public String decode(byte[] key) {
            return key == null ? null : new String(key, StandardCharsets.UTF_8);
        }
    }

    /**
     * How a topic's values are written. Every topic is Avro single-object encoding today (see
     * {@link AvroCodec}).
     *
     * <p>The place for more formats: the wire format of {@code events} is to become an option of
     * the job and the replay tool (the ingest issue: e.g. schema-registry framing or JSON). That
     * adds a constant here, a codec for it in {@link #codec()}, and an option that picks the format
     * of {@link Topics#EVENTS}; the other topics stay single-object Avro.
     */
    public enum WireFormat {
        /** Avro single-object encoding: marker, 8-byte schema fingerprint, binary body. */
        AVRO_SINGLE_OBJECT
    }

    private final String name;
    private final Class<V> valueType;
    private final Key key;
    private final WireFormat wireFormat;
    private final boolean partitioned;
    private final boolean compacted;
    private final long retentionMs;

    Topic(
            String name,
            Class<V> valueType,
            Key key,
            boolean partitioned,
            boolean compacted,
            long retentionMs) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("topic name must not be blank");
        }
        this.name = name;
        this.valueType = valueType;
        this.key = key;
        this.wireFormat = WireFormat.AVRO_SINGLE_OBJECT;
        this.partitioned = partitioned;
        this.compacted = compacted;
        this.retentionMs = retentionMs;
    }

    /** The default topic name, e.g. {@code events}. */
    public String name() {
        return name;
    }

    /** The generated Avro class of the values. */
    public Class<V> valueType() {
        return valueType;
    }

    /** The writer schema of the values. */
    public Schema schema() {
        return SpecificData.get().getSchema(valueType);
    }

    /** What the key is. */
    public Key key() {
        return key;
    }

    /** How the values are written. */
    public WireFormat wireFormat() {
        return wireFormat;
    }

    /** A codec of the values in this topic's wire format; a new instance on every call. */
    public AvroCodec<V> codec() {
        return switch (wireFormat) {
            case AVRO_SINGLE_OBJECT -> AvroCodec.of(valueType);
        };
    }

    /** Whether the topic keeps only the latest record per key. */
    public boolean compacted() {
        return compacted;
    }

    /**
     * The layout to create this topic with: {@code dataPartitions} partitions for the data topics
     * (events, samples), one for the others (ordered tables, announcements, dead letters).
     */
    public TopicSpec spec(int dataPartitions) {
        return new TopicSpec(name, partitioned ? dataPartitions : 1, compacted, retentionMs);
    }

    /** The default name, so a topic prints as what it is on the cluster. */
    @Override
    public String toString() {
        return name;
    }
}
