package dev.counterweight.core.weighting;

/**
 * Parameters of class weighting.
 *
 * <p>The pipeline is: raw weights from {@code strategy}, then clipping to {@code [minWeight,
 * maxWeight]}, then (if {@code normalise}) a single rescale so that the count-weighted mean weight
 * is exactly 1 ({@code Σ n_c w_c / Σ n_c = 1}). Because normalisation comes after clipping, final
 * weights may lie outside {@code [minWeight, maxWeight]} by the normalising factor; the bounds
 * limit the <em>ratio</em> between class weights to {@code maxWeight / minWeight}.
 *
 * <p>Validation messages use the job option keys ({@code weights.strategy}, {@code weights.beta},
 * {@code weights.min}, {@code weights.max}).
 *
 * @param strategy the raw weighting strategy
 * @param beta the effective-number hyper-parameter in (0, 1); validated and used only by {@link
 *     WeightingStrategy#EFFECTIVE_NUMBER}, ignored otherwise
 * @param minWeight the lower clip bound; positive and finite
 * @param maxWeight the upper clip bound; finite and {@code >= minWeight}
 * @param normalise whether to rescale to count-weighted mean 1 after clipping
 */
public record WeightingConfig(
        WeightingStrategy strategy,
        double beta,
        double minWeight,
        double maxWeight,
        boolean normalise)
        implements java.io.Serializable {

    /** The effective-number β used by {@link #defaults}. */
    public static final double DEFAULT_BETA = 0.999;

    /** The lower clip bound used by {@link #defaults}. */
    public static final double DEFAULT_MIN_WEIGHT = 0.01;

    /** The upper clip bound used by {@link #defaults}. */
    public static final double DEFAULT_MAX_WEIGHT = 100.0;

    /**
     * Validates the configuration.
     *
     * @throws NullPointerException if {@code strategy} is null
     * @throws IllegalArgumentException naming the offending option key if a bound or β is invalid
     */
    public WeightingConfig {
        if (strategy == null) {
            throw new NullPointerException("weights.strategy must not be null");
        }
        if (!Double.isFinite(minWeight) || minWeight <= 0) {
            throw new IllegalArgumentException(
                    "weights.min must be positive and finite, was " + minWeight);
        }
        if (!Double.isFinite(maxWeight)) {
            throw new IllegalArgumentException("weights.max must be finite, was " + maxWeight);
        }
        if (maxWeight < minWeight) {
            throw new IllegalArgumentException(
                    "weights.max must be >= weights.min (" + minWeight + "), was " + maxWeight);
        }
        if (strategy == WeightingStrategy.EFFECTIVE_NUMBER && !(beta > 0 && beta < 1)) {
            throw new IllegalArgumentException(
                    "weights.beta must be in (0, 1) for EFFECTIVE_NUMBER, was " + beta);
        }
    }

    /**
     * Returns a configuration with {@link #DEFAULT_BETA}, bounds {@link #DEFAULT_MIN_WEIGHT} and
     * {@link #DEFAULT_MAX_WEIGHT}, and normalisation on.
     *
     * @param strategy the raw weighting strategy
     * @return the configuration
     */
    public static WeightingConfig defaults(WeightingStrategy strategy) {
        return new WeightingConfig(
                strategy, DEFAULT_BETA, DEFAULT_MIN_WEIGHT, DEFAULT_MAX_WEIGHT, true);
    }
}
