package dev.counterweight.connectors.ingest;

import dev.counterweight.avro.UserEvent;

/**
 * The outcome of mapping one shop record: an event, a rejection (code and reason, for the
 * dead-letter topic), or a record dropped on purpose (an unmapped event type under {@link
 * UnknownTypePolicy#DROP}). Exactly one of {@link #event()} and {@link #code()} is set unless
 * dropped.
 */
public record MappedEvent(UserEvent event, String code, String reason, boolean dropped) {

    static MappedEvent of(UserEvent event) {
        return new MappedEvent(event, null, null, false);
    }

    /** A refused record. */
    public static MappedEvent rejected(String code, String reason) {
        return new MappedEvent(null, code, reason, false);
    }

    static MappedEvent drop(String reason) {
        return new MappedEvent(null, null, reason, true);
    }

    /** Whether this is an event. */
    public boolean isEvent() {
        return event != null;
    }
}
