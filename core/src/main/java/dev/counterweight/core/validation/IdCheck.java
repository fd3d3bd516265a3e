package dev.counterweight.core.validation;

/**
 * The check of one id field of a record that comes from outside (an event, a sample): present, not
 * blank, and not longer than a limit. The weighting job's event validator and the learner's sample
 * validator both use it, so they refuse the same ids with the same reason codes and words.
 */
public final class IdCheck {

    /** Reason code of an absent or blank id. */
    public static final String MISSING_ID = "MISSING_ID";

    /** Reason code of an id (or another field) longer than its limit. */
    public static final String OVERSIZED_FIELD = "OVERSIZED_FIELD";

    /**
     * Why an id was refused.
     *
     * @param code machine reason code ({@link #MISSING_ID} or {@link #OVERSIZED_FIELD})
     * @param reason human reason, naming the field (and the option of the limit)
     */
    public record Problem(String code, String reason) {}

    private IdCheck() {}

    /**
     * Checks one id.
     *
     * @param field the field's name, e.g. {@code userId}
     * @param value the id; null counts as missing
     * @param maxLength the longest accepted id, in chars
     * @param limitOption the option that sets {@code maxLength}, named in the reason
     * @return null if the id is fine, else the problem
     */
    public static Problem check(String field, String value, int maxLength, String limitOption) {
        if (value == null || value.isBlank()) {
            return new Problem(MISSING_ID, field + " is empty");
        }
        if (value.length() > maxLength) {
            return new Problem(
                    OVERSIZED_FIELD,
                    field
                            + " has "
                            + value.length()
                            + " chars, limit "
                            + maxLength
                            + " ("
                            + limitOption
                            + ")");
        }
        return null;
    }
}
