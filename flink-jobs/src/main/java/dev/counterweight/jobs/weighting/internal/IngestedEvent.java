package dev.counterweight.jobs.weighting.internal;

import dev.counterweight.avro.UserEvent;

/**
 * A Kafka record after decoding: either a valid {@link UserEvent} or the reason it is not one,
 * always with where it came from. A Flink POJO (public fields, no-arg constructor).
 */
public class IngestedEvent {
    /** The decoded event, null when rejected. */
    public UserEvent event;

    /** Rejection code, null when valid. */
    public String reasonCode;

    /** Rejection reason, null when valid. */
    public String reason;

    /** Key bytes, kept only for rejected records. */
    public byte[] rawKey;

    /** Value bytes, kept only for rejected records. */
    public byte[] rawValue;

    public String topic;
    public int partition;
    public long offset;

    /** Kafka record timestamp, -1 if none. */
    public long recordTimestamp;

    public IngestedEvent() {}

    public boolean isValid() {
        return event != null;
    }
}
