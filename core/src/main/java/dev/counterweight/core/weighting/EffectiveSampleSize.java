package dev.counterweight.core.weighting;

/**
 * Streaming accumulator of Kish's effective sample size {@code (Σ w)² / Σ w²} over per-sample
 * weights. Mutable and not thread-safe; combine per-partition accumulators with {@link #merge}.
 *
 * <p>The effective sample size is the number of equally weighted samples that would give the same
 * variance of a weighted mean; it equals {@link #count()} when all weights are equal and shrinks as
 * weights become more uneven.
 */
public final class EffectiveSampleSize {

    private double sum;
    private double sumOfSquares;
    private long count;

    /** Creates an empty accumulator. */
    public EffectiveSampleSize() {}

    /**
     * Adds one sample weight.
     *
     * @param weight the weight; finite and non-negative
     * @throws IllegalArgumentException if the weight is negative, NaN or infinite
     */
    public void add(double weight) {
        if (!Double.isFinite(weight) || weight < 0) {
            throw new IllegalArgumentException(
                    "weight must be finite and non-negative, was " + weight);
        }
        sum += weight;
        sumOfSquares += weight * weight;
        count++;
    }

    /**
     * Adds the other accumulator's samples into this one.
     *
     * @param other the accumulator to absorb; left unchanged
     * @return this accumulator
     */
    public EffectiveSampleSize merge(EffectiveSampleSize other) {
        sum += other.sum;
        sumOfSquares += other.sumOfSquares;
        count += other.count;
        return this;
    }

    /** Returns {@code (Σ w)² / Σ w²}, or 0 when no sample has positive weight. */
    public double value() {
        return sumOfSquares == 0 ? 0.0 : sum * sum / sumOfSquares;
    }

    /** Returns the number of samples added, including zero-weight ones. */
    public long count() {
        return count;
    }

    /** Returns {@code Σ w}. */
    public double sum() {
        return sum;
    }

    /** Returns {@code Σ w²}. */
    public double sumOfSquares() {
        return sumOfSquares;
    }
}
