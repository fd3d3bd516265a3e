package dev.counterweight.jobs.weighting;

import dev.counterweight.avro.UserEvent;
import dev.counterweight.jobs.weighting.internal.IngestedEvent;

/** Intent-named {@link IngestedEvent} fixtures: what the Kafka deserializer hands the job. */
final class IngestedEvents {

    static final String TOPIC = "events";

    private IngestedEvents() {}

    /** A valid event read from partition 0 at {@code offset}, stamped with its event time. */
    static IngestedEvent readAt(long offset, UserEvent event) {
        IngestedEvent e = new IngestedEvent();
        e.event = event;
        e.topic = TOPIC;
        e.partition = 0;
        e.offset = offset;
        e.recordTimestamp = event.getEventTime().toEpochMilli();
        return e;
    }

    /** A record the deserializer refused, with its raw bytes kept for the dead-letter topic. */
    static IngestedEvent rejectedAt(long offset, String code, String reason, byte[] rawValue) {
        IngestedEvent e = new IngestedEvent();
        e.reasonCode = code;
        e.reason = reason;
        e.rawKey = new byte[] {'k', '1'};
        e.rawValue = rawValue;
        e.topic = TOPIC;
        e.partition = 1;
        e.offset = offset;
        e.recordTimestamp = 1_000L;
        return e;
    }
}
