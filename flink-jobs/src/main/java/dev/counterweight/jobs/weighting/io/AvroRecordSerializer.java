package dev.counterweight.jobs.weighting.io;

import dev.counterweight.connectors.avro.AvroCodec;
import java.nio.charset.StandardCharsets;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes generated Avro records to one topic in single-object encoding, keyed by a function of the
 * record (null key when the function returns null). The Kafka timestamp is the element's event
 * time, or the wall clock for topics whose records carry their event time inside (weight tables):
 * on a compacted topic, replayed historical event times next to the broker's own (wall-clock)
 * transaction markers would make the broker roll and compact segments at once.
 */
public final class AvroRecordSerializer<T extends SpecificRecordBase>
        implements KafkaRecordSerializationSchema<T> {

    private static final long serialVersionUID = 1L;

    private final String topic;
    private final AvroCodec<T> codec;
    private final SerializableFunction<T, String> key;
    private final boolean eventTimestamps;

    public AvroRecordSerializer(
            String topic,
            AvroCodec<T> codec,
            SerializableFunction<T, String> key,
            boolean eventTimestamps) {
        this.topic = topic;
        this.codec = codec;
        this.key = key;
        this.eventTimestamps = eventTimestamps;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            T element, KafkaSinkContext context, Long timestamp) {
        String k = key.apply(element);
        return new ProducerRecord<>(
                topic,
                null,
                eventTimestamps ? timestamp : null,
                k == null ? null : k.getBytes(StandardCharsets.UTF_8),
                codec.encode(element));
    }
}
