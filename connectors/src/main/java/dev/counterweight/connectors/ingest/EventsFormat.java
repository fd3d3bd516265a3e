package dev.counterweight.connectors.ingest;

import dev.counterweight.core.config.KeySpace;
import java.util.Arrays;
import java.util.List;

/** The format of the events topic ({@code events.format}). */
public enum EventsFormat {
    /** Counterweight's own {@code UserEvent} in Avro single-object encoding (no mapping). */
    AVRO_SINGLE_OBJECT("avro-single-object"),
    /** A shop's Avro records in the Confluent wire format, schemas from a registry; mapped. */
    AVRO_REGISTRY("avro-registry"),
    /** A shop's JSON objects, one per record; mapped. */
    JSON("json");

    private final String word;

    EventsFormat(String word) {
        this.word = word;
    }

    /** The option value. */
    public String word() {
        return word;
    }

    /** Whether records of this format go through an {@link EventMapping}. */
    public boolean mapped() {
        return this != AVRO_SINGLE_OBJECT;
    }

    /** Every option value. */
    public static List<String> words() {
        return Arrays.stream(values()).map(EventsFormat::word).toList();
    }

    /**
     * The format named {@code value} (any case).
     *
     * @throws IllegalArgumentException naming {@code key} and the allowed values
     */
    public static EventsFormat parse(String key, String value) {
        String word = KeySpace.requireChoice(key, value, words());
        return values()[words().indexOf(word)];
    }
}
