package dev.counterweight.core.weighting;

/**
 * Parameters of loss-aware class weights (see {@link LossAwareMultiplier}).
 *
 * <p>Validation messages use the job option keys ({@code weights.loss-aware.*}).
 *
 * @param strength exponent applied to the smoothed loss ratio; 0 turns the multiplier into 1, 1
 *     makes it proportional to the ratio; finite and not negative
 * @param smoothing weight of a new observation in the exponential moving average of a class's loss
 *     ratio, in (0, 1]; 1 keeps only the latest observation
 * @param minMultiplier lower clip bound of the multiplier; positive and finite, at most 1
 * @param maxMultiplier upper clip bound of the multiplier; finite, at least 1
 * @param minSamples a class's observation is used only if its window had at least this many samples
 *     (a class seen twice has a noisy mean loss); at least 1
 * @param preserveMeanWeight whether the multipliers are rescaled so that the count-weighted mean of
 *     the class weights is what it was without them
 */
public record LossAwareConfig(
        double strength,
        double smoothing,
        double minMultiplier,
        double maxMultiplier,
        long minSamples,
        boolean preserveMeanWeight)
        implements java.io.Serializable {

    /**
     * Validates the configuration.
     *
     * @throws IllegalArgumentException naming the offending option key
     */
    public LossAwareConfig {
        if (!Double.isFinite(strength) || strength < 0) {
            throw new IllegalArgumentException(
                    "weights.loss-aware.strength must be finite and not negative, was " + strength);
        }
        if (!(smoothing > 0 && smoothing <= 1)) {
            throw new IllegalArgumentException(
                    "weights.loss-aware.smoothing must be in (0, 1], was " + smoothing);
        }
        if (!(minMultiplier > 0 && minMultiplier <= 1)) {
            throw new IllegalArgumentException(
                    "weights.loss-aware.min must be in (0, 1], was " + minMultiplier);
        }
        if (!(Double.isFinite(maxMultiplier) && maxMultiplier >= 1)) {
            throw new IllegalArgumentException(
                    "weights.loss-aware.max must be finite and at least 1, was " + maxMultiplier);
        }
        if (minSamples < 1) {
            throw new IllegalArgumentException(
                    "weights.loss-aware.min-samples must be at least 1, was " + minSamples);
        }
    }

    /** Strength 1, smoothing 0.3, multipliers in [0.5, 2], at least 5 samples, mean preserved. */
    public static LossAwareConfig defaults() {
        return new LossAwareConfig(1.0, 0.3, 0.5, 2.0, 5, true);
    }
}
