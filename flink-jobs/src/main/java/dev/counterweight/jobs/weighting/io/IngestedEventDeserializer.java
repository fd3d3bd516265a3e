package dev.counterweight.jobs.weighting.io;

import dev.counterweight.jobs.weighting.EventValidator;
import dev.counterweight.jobs.weighting.internal.IngestedEvent;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Turns every Kafka record into an {@link IngestedEvent}, valid or not: it never throws, so a bad
 * record cannot fail the job. Validation rules live in {@link EventValidator}.
 */
public final class IngestedEventDeserializer
        implements KafkaRecordDeserializationSchema<IngestedEvent> {

    private static final long serialVersionUID = 1L;

    private final EventValidator validator;
    private final int maxRawBytes;

    public IngestedEventDeserializer(EventValidator validator) {
        this.validator = validator;
        this.maxRawBytes = validator.limits().maxRecordBytes();
    }

    private byte[] capped(byte[] bytes) {
        return bytes == null || bytes.length <= maxRawBytes
                ? bytes
                : java.util.Arrays.copyOf(bytes, maxRawBytes);
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<IngestedEvent> out) {
        IngestedEvent e = new IngestedEvent();
        e.topic = record.topic();
        e.partition = record.partition();
        e.offset = record.offset();
        e.recordTimestamp = record.timestamp();
        EventValidator.Result result;
        try {
            result = validator.validate(record.value(), record.timestamp());
        } catch (RuntimeException unexpected) {
            // Defence in depth: whatever the validator missed still must not fail the job.
            result =
                    new EventValidator.Result(
                            null,
                            new EventValidator.Rejection(
                                    EventValidator.UNDECODABLE,
                                    "unexpected "
                                            + unexpected.getClass().getSimpleName()
                                            + ": "
                                            + unexpected.getMessage()));
        }
        if (result.event() != null) {
            e.event = result.event();
        } else {
            e.reasonCode = result.rejection().code();
            e.reason = result.rejection().reason();
            // Keep at most maxRecordBytes of what was received: the dead letter must stay
            // far below the producer's request limit, or one huge record would fail the job.
            e.rawKey = capped(record.key());
            e.rawValue = capped(record.value());
            if (record.value() != null && record.value().length > maxRawBytes) {
                e.reason += " (raw value cut to its first " + maxRawBytes + " bytes)";
            }
        }
        out.collect(e);
    }

    @Override
    public TypeInformation<IngestedEvent> getProducedType() {
        return TypeInformation.of(IngestedEvent.class);
    }
}
