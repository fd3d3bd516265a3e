package dev.counterweight.jobs.weighting.io;

import dev.counterweight.connectors.ingest.DecodedRecord;
import dev.counterweight.connectors.ingest.EventMapper;
import dev.counterweight.connectors.ingest.MappedEvent;
import dev.counterweight.connectors.ingest.RecordDecoder;
import dev.counterweight.jobs.weighting.EventValidator;
import dev.counterweight.jobs.weighting.internal.IngestedEvent;
import java.io.IOException;
import java.util.Arrays;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Turns a shop's Kafka record (JSON or registry Avro) into an {@link IngestedEvent}: decode with a
 * {@link RecordDecoder}, map with an {@link EventMapper}, then the same checks as the job's own
 * events ({@link EventValidator#check}). A record that cannot be used becomes a rejected {@link
 * IngestedEvent} with its code, reason and raw bytes (dead-lettered downstream with its offset); a
 * record of an unmapped event type under {@code type.unknown = drop} is counted in the {@value
 * #DROPPED_METRIC} metric and skipped. Only an unreachable schema registry throws, so the job
 * restarts instead of dead-lettering good records.
 */
public final class MappedEventDeserializer
        implements KafkaRecordDeserializationSchema<IngestedEvent> {

    private static final long serialVersionUID = 1L;

    /** Counter of records dropped for an unmapped event type. */
    public static final String DROPPED_METRIC = "unmappedEventTypesDropped";

    private final RecordDecoder decoder;
    private final EventMapper mapper;
    private final EventValidator validator;
    private transient Counter dropped;

    public MappedEventDeserializer(
            RecordDecoder decoder, EventMapper mapper, EventValidator validator) {
        this.decoder = decoder;
        this.mapper = mapper;
        this.validator = validator;
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        dropped = context.getMetricGroup().counter(DROPPED_METRIC);
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<IngestedEvent> out)
            throws IOException {
        IngestedEvent e = new IngestedEvent();
        e.topic = record.topic();
        e.partition = record.partition();
        e.offset = record.offset();
        e.recordTimestamp = record.timestamp();
        byte[] value = record.value();
        int max = validator.limits().maxRecordBytes();
        if (value == null || value.length == 0) {
            reject(e, record, EventValidator.EMPTY_VALUE, "record has no value");
        } else if (value.length > max) {
            reject(
                    e,
                    record,
                    EventValidator.OVERSIZED_RECORD,
                    "record value has "
                            + value.length
                            + " bytes, limit "
                            + max
                            + " (validation.max-record-bytes)");
        } else {
            DecodedRecord decoded = decoder.decode(value);
            if (!decoded.isRead()) {
                reject(e, record, decoded.code(), decoded.reason());
            } else {
                MappedEvent mapped;
                try {
                    mapped = mapper.map(decoded.fields());
                } catch (RuntimeException unexpected) {
                    mapped =
                            MappedEvent.rejected(
                                    EventValidator.UNDECODABLE, "unexpected " + unexpected);
                }
                if (mapped.dropped()) {
                    if (dropped != null) {
                        dropped.inc();
                    }
                    return;
                }
                if (!mapped.isEvent()) {
                    reject(e, record, mapped.code(), mapped.reason());
                } else {
                    EventValidator.Rejection r =
                            validator.check(mapped.event(), record.timestamp());
                    if (r != null) {
                        reject(e, record, r.code(), r.reason());
                    } else {
                        e.event = mapped.event();
                    }
                }
            }
        }
        out.collect(e);
    }

    private void reject(
            IngestedEvent e, ConsumerRecord<byte[], byte[]> record, String code, String reason) {
        int max = validator.limits().maxRecordBytes();
        e.reasonCode = code;
        e.reason = reason;
        e.rawKey = capped(record.key(), max);
        e.rawValue = capped(record.value(), max);
        if (record.value() != null && record.value().length > max) {
            e.reason += " (raw value cut to its first " + max + " bytes)";
        }
    }

    private static byte[] capped(byte[] bytes, int max) {
        return bytes == null || bytes.length <= max ? bytes : Arrays.copyOf(bytes, max);
    }

    @Override
    public TypeInformation<IngestedEvent> getProducedType() {
        return TypeInformation.of(IngestedEvent.class);
    }
}
