package dev.counterweight.connectors.ingest;

/**
 * One Kafka record value after a {@link RecordDecoder}: the shop record's fields, or why it could
 * not be read (an {@link IngestRejections} code and a reason).
 */
public record DecodedRecord(FieldAccessor fields, String code, String reason) {

    /** A record that was read. */
    public static DecodedRecord of(FieldAccessor fields) {
        return new DecodedRecord(fields, null, null);
    }

    /** A record that could not be read. */
    public static DecodedRecord refused(String code, String reason) {
        return new DecodedRecord(null, code, reason);
    }

    /** Whether the record was read. */
    public boolean isRead() {
        return fields != null;
    }
}
