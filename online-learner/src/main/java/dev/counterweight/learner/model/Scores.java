package dev.counterweight.learner.model;

/**
 * Predicted probabilities for the examples of a {@link Batch}, row for row.
 *
 * <p>{@code ctcvr[i]} equals {@code ctr[i] * cvr[i]} up to rounding (ESMM). The arrays are owned by
 * the record's creator and not copied.
 *
 * @param ctr P(click | exposure)
 * @param cvr P(purchase | click, exposure)
 * @param ctcvr P(click and purchase | exposure)
 */
public record Scores(double[] ctr, double[] cvr, double[] ctcvr) {

    /**
     * Checks that the three arrays are present and of equal length.
     *
     * @throws NullPointerException naming the field if an array is null
     * @throws IllegalArgumentException if the lengths differ
     */
    public Scores {
        if (ctr == null) {
            throw new NullPointerException("ctr must not be null");
        }
        if (cvr == null) {
            throw new NullPointerException("cvr must not be null");
        }
        if (ctcvr == null) {
            throw new NullPointerException("ctcvr must not be null");
        }
        if (cvr.length != ctr.length || ctcvr.length != ctr.length) {
            throw new IllegalArgumentException(
                    "ctr, cvr and ctcvr must have equal lengths, were "
                            + ctr.length
                            + ", "
                            + cvr.length
                            + ", "
                            + ctcvr.length);
        }
    }

    /** Returns the number of examples. */
    public int size() {
        return ctr.length;
    }

    @Override
    public String toString() {
        return "Scores[size=" + size() + "]";
    }
}
