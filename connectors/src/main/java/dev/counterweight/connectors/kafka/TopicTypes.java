package dev.counterweight.connectors.kafka;

import dev.counterweight.avro.ClassLoss;
import dev.counterweight.avro.ClassWeights;
import dev.counterweight.avro.DeadLetter;
import dev.counterweight.avro.ModelSnapshot;
import dev.counterweight.avro.Sample;
import dev.counterweight.avro.UserEvent;
import dev.counterweight.connectors.avro.AvroCodec;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.avro.specific.SpecificRecordBase;

/** The one place that says which Avro type each Counterweight topic carries. */
public final class TopicTypes {

    private static final Map<String, AvroCodec<? extends SpecificRecordBase>> CODECS;

    static {
        Map<String, AvroCodec<? extends SpecificRecordBase>> m = new LinkedHashMap<>();
        m.put(Topics.EVENTS, AvroCodec.of(UserEvent.class));
        m.put(Topics.EVENTS_DLQ, AvroCodec.of(DeadLetter.class));
        m.put(Topics.WEIGHTED_SAMPLES, AvroCodec.of(Sample.class));
        m.put(Topics.CLASS_WEIGHTS, AvroCodec.of(ClassWeights.class));
        m.put(Topics.CLASS_LOSS, AvroCodec.of(ClassLoss.class));
        m.put(Topics.MODEL_SNAPSHOTS, AvroCodec.of(ModelSnapshot.class));
        m.put(Topics.LEARNER_DLQ, AvroCodec.of(DeadLetter.class));
        CODECS = java.util.Collections.unmodifiableMap(m);
    }

    private TopicTypes() {}

    /** Every known topic name, in the order of {@link Topics#all}. */
    public static Set<String> topics() {
        return CODECS.keySet();
    }

    /** Whether {@code topic} is a Counterweight topic. */
    public static boolean isKnown(String topic) {
        return CODECS.containsKey(topic);
    }

    /**
     * The codec of {@code topic}'s values.
     *
     * @throws IllegalArgumentException naming the accepted topics if {@code topic} is unknown
     */
    public static AvroCodec<? extends SpecificRecordBase> codecFor(String topic) {
        AvroCodec<? extends SpecificRecordBase> codec = CODECS.get(topic);
        if (codec == null) {
            throw new IllegalArgumentException(
                    "Unknown topic '"
                            + topic
                            + "'. Accepted: "
                            + String.join(", ", CODECS.keySet()));
        }
        return codec;
    }

    /** The codec of {@code topic}, checked to carry {@code type}. */
    @SuppressWarnings("unchecked")
    public static <T extends SpecificRecordBase> AvroCodec<T> codecFor(
            String topic, Class<T> type) {
        AvroCodec<? extends SpecificRecordBase> codec = codecFor(topic);
        if (codec.type() != type) {
            throw new IllegalArgumentException(
                    "topic '"
                            + topic
                            + "' carries "
                            + codec.type().getSimpleName()
                            + ", not "
                            + type.getSimpleName());
        }
        return (AvroCodec<T>) codec;
    }
}
