package dev.counterweight.connectors.ingest;

/** How a shop record writes its event time ({@code time.format} in a mapping file). */
public enum TimeFormat {
    /** Integral milliseconds since the epoch, a number or a numeric string. */
    EPOCH_MILLIS("epoch-millis"),
    /** Seconds since the epoch, a number or a numeric string; fractions are rounded to ms. */
    EPOCH_SECONDS("epoch-seconds"),
    /**
     * An ISO-8601 date-time string, {@code 2024-05-01T12:00:00Z}, with an offset or zone, or
     * without one (then read in {@code time.zone}); a space may stand for the {@code T}.
     */
    ISO_8601("iso-8601");

    private final String word;

    TimeFormat(String word) {
        this.word = word;
    }

    /** The word used in mapping files. */
    public String word() {
        return word;
    }
}
