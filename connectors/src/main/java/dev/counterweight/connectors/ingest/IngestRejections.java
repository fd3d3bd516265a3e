package dev.counterweight.connectors.ingest;

/**
 * Reason codes of shop records that cannot become a {@code UserEvent}, written to {@code
 * DeadLetter.reasonCode}. Where the meaning is the same as a code of the job's own validation (a
 * missing id, a bad time) the code is the same.
 */
public final class IngestRejections {

    /** The user, item, category or event id is missing or blank. */
    public static final String MISSING_ID = "MISSING_ID";

    /** The event time is missing or cannot be parsed in the mapping's time format. */
    public static final String BAD_TIMESTAMP = "BAD_TIMESTAMP";

    /** The event-type field is missing or has a value no {@code type.*} key maps. */
    public static final String UNKNOWN_EVENT_TYPE = "UNKNOWN_EVENT_TYPE";

    /** A mapped field has a value of the wrong kind (an object where a number belongs, ...). */
    public static final String BAD_FIELD = "BAD_FIELD";

    /** Bytes that do not parse in the configured format (broken JSON, corrupt Avro body). */
    public static final String UNDECODABLE = "UNDECODABLE";

    /** Bytes that are not in the configured format at all (no Confluent magic byte, not JSON). */
    public static final String WRONG_SCHEMA = "WRONG_SCHEMA";

    /** A Confluent wire-format record whose schema id the registry does not know. */
    public static final String UNKNOWN_SCHEMA_ID = "UNKNOWN_SCHEMA_ID";

    private IngestRejections() {}
}
