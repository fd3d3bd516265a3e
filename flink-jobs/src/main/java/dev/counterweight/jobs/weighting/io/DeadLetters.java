package dev.counterweight.jobs.weighting.io;

import dev.counterweight.avro.DeadLetter;
import dev.counterweight.avro.UserEvent;
import dev.counterweight.connectors.avro.AvroCodec;
import dev.counterweight.connectors.kafka.Topics;
import dev.counterweight.jobs.weighting.internal.IngestedEvent;
import java.nio.ByteBuffer;
import java.time.Instant;

/** Builds {@link DeadLetter} records. */
public final class DeadLetters {

    private static final AvroCodec<UserEvent> EVENTS = Topics.EVENTS.codec();

    private DeadLetters() {}

    /** A dead letter for a rejected or unusable ingested record. */
    public static DeadLetter of(IngestedEvent e, String code, String reason) {
        byte[] value = e.rawValue;
        if (value == null && e.event != null) {
            value = EVENTS.encode(e.event);
        }
        return DeadLetter.newBuilder()
                .setReasonCode(code)
                .setReason(reason)
                .setTopic(e.topic)
                .setPartition(e.partition)
                .setOffset(e.offset)
                .setRecordTimestamp(
                        e.recordTimestamp >= 0 ? Instant.ofEpochMilli(e.recordTimestamp) : null)
                .setRawKey(e.rawKey == null ? null : ByteBuffer.wrap(e.rawKey))
                .setRawValue(value == null ? null : ByteBuffer.wrap(value))
                .build();
    }
}
