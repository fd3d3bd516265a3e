package dev.counterweight.connectors.ingest;

/** What happens to a record whose event type no {@code type.*} key maps ({@code type.unknown}). */
public enum UnknownTypePolicy {
    /** Counted and skipped: shop topics often carry events the pipeline has no use for. */
    DROP("drop"),
    /** Sent to the dead-letter topic as {@link IngestRejections#UNKNOWN_EVENT_TYPE}. */
    DEAD_LETTER("dead-letter");

    private final String word;

    UnknownTypePolicy(String word) {
        this.word = word;
    }

    /** The word used in mapping files. */
    public String word() {
        return word;
    }
}
