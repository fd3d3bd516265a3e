package dev.counterweight.core.weighting;

/**
 * How raw per-class weights are derived from class counts {@code n_c} (possibly decayed and
 * non-integer), with {@code N = Σ n_c} and {@code K} the number of classes with {@code n_c > 0}.
 *
 * <p>Raw weights are then clipped and optionally normalised by {@link WeightTable#compute}; see
 * {@link WeightingConfig}.
 */
public enum WeightingStrategy {
    /** Every class gets raw weight 1. */
    NONE,
    /**
     * Inverse frequency, {@code N / (K · n_c)}: the raw weights already have count-weighted mean 1,
     * i.e. each class contributes {@code N / K} total weight.
     */
    INVERSE,
    /**
     * Square root of {@link #INVERSE}, {@code sqrt(N / (K · n_c))}: a softer correction,
     * proportional to {@code 1 / sqrt(n_c)}.
     */
    SQRT_INVERSE,
    /**
     * Class-balanced weights from the effective number of samples (Cui et al., CVPR 2019): {@code
     * w_c ∝ (1 − β) / (1 − β^{n_c})}, scaled as in the paper so that the raw weights sum to {@code
     * K}. {@code β → 0} approaches {@link #NONE}; {@code β → 1} approaches {@link #INVERSE}.
     */
    EFFECTIVE_NUMBER
}
