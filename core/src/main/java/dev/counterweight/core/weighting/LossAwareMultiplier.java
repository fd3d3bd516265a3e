package dev.counterweight.core.weighting;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Loss-aware multipliers on class weights: a class the model currently gets wrong more often than
 * average gets a larger weight, one it already fits well a smaller one.
 *
 * <p>Each observation is a window of the learner's progressive-validation losses: the overall mean
 * loss {@code L} and, per class, its mean loss {@code l_c} over {@code n_c} samples. For every
 * class with {@code n_c >= minSamples}, the smoothed ratio is updated as an exponential moving
 * average starting from 1 (a class without observations is average):
 *
 * <pre>
 *   r_c ← (1 − α) r_c + α (l_c / L)        (r_c = 1 before the first observation)
 * </pre>
 *
 * Classes absent from an observation keep their ratio. The multiplier of a class is {@code
 * clip(r_c^strength, min, max)}; a class without a ratio has multiplier 1. {@link #apply}
 * multiplies raw class weights by the multipliers and, if {@code preserveMeanWeight}, rescales them
 * so that {@code Σ n_c w_c} is unchanged.
 *
 * <p>Mutable and not thread-safe; the ratios are the whole state ({@link #ratios}, {@link
 * #restore}), so an operator can keep them in keyed state and rebuild the multiplier from them.
 */
public final class LossAwareMultiplier {

    private final LossAwareConfig config;
    private final Map<String, Double> ratios = new HashMap<>();
    private long observations;

    public LossAwareMultiplier(LossAwareConfig config) {
        this.config = Objects.requireNonNull(config, "config must not be null");
    }

    /** Returns the configuration. */
    public LossAwareConfig config() {
        return config;
    }

    /**
     * The smoothed ratio after one observation of a class, or {@code previous} unchanged (NaN if
     * none) when the observation is not usable: too few samples, or a loss or overall loss that is
     * not finite, or an overall loss that is not positive.
     *
     * @param previous the class's smoothed ratio, or null if it has none
     * @param classMeanLoss the class's mean loss in the window
     * @param samples the class's samples in the window
     * @param overallMeanLoss the mean loss over the window
     * @param config the configuration
     * @return the new smoothed ratio, {@code previous}, or NaN
     */
    public static double smoothedRatio(
            Double previous,
            double classMeanLoss,
            long samples,
            double overallMeanLoss,
            LossAwareConfig config) {
        double prior = previous == null ? 1.0 : previous;
        if (samples < config.minSamples()
                || !Double.isFinite(classMeanLoss)
                || classMeanLoss < 0
                || !Double.isFinite(overallMeanLoss)
                || overallMeanLoss <= 0) {
            return previous == null ? Double.NaN : previous;
        }
        double ratio = classMeanLoss / overallMeanLoss;
        return (1 - config.smoothing()) * prior + config.smoothing() * ratio;
    }

    /**
     * Folds one class's observation in (see {@link #smoothedRatio}).
     *
     * @return whether the class's ratio changed
     */
    public boolean observe(String classKey, double classMeanLoss, long samples, double overall) {
        Objects.requireNonNull(classKey, "classKey must not be null");
        double r = smoothedRatio(ratios.get(classKey), classMeanLoss, samples, overall, config);
        if (Double.isNaN(r)) {
            return false;
        }
        Double before = ratios.put(classKey, r);
        return before == null || before != r;
    }

    /** Counts a whole observation window (for reports); call once per window. */
    public void windowObserved() {
        observations++;
    }

    /** Returns the windows counted by {@link #windowObserved}. */
    public long observations() {
        return observations;
    }

    /** Replaces the ratios with {@code smoothedRatios} (restoring from state). */
    public void restore(Map<String, Double> smoothedRatios) {
        ratios.clear();
        smoothedRatios.forEach(
                (k, v) -> {
                    if (v != null && Double.isFinite(v) && v >= 0) {
                        ratios.put(k, v);
                    }
                });
    }

    /** Returns the smoothed ratios; unmodifiable view. */
    public Map<String, Double> ratios() {
        return Collections.unmodifiableMap(ratios);
    }

    /** Returns {@code clip(r_c^strength, min, max)}, or 1 for a class without a ratio. */
    public double multiplierOf(String classKey) {
        Double r = ratios.get(classKey);
        if (r == null) {
            return 1.0;
        }
        double m = Math.pow(r, config.strength());
        return Math.min(config.maxMultiplier(), Math.max(config.minMultiplier(), m));
    }

    /**
     * Multiplies {@code weights[i]} by the multiplier of {@code keys[i]} in place; if {@code
     * preserveMeanWeight}, then rescales all of them so that {@code Σ counts[i] weights[i]} is what
     * it was before.
     *
     * @param keys class keys
     * @param counts class counts, same length, positive
     * @param weights class weights, same length; modified
     */
    public void apply(String[] keys, double[] counts, double[] weights) {
        if (keys.length != counts.length || keys.length != weights.length) {
            throw new IllegalArgumentException(
                    "keys, counts and weights must have the same length, were "
                            + keys.length
                            + ", "
                            + counts.length
                            + ", "
                            + weights.length);
        }
        double before = 0;
        double after = 0;
        for (int i = 0; i < keys.length; i++) {
            before += counts[i] * weights[i];
            weights[i] *= multiplierOf(keys[i]);
            after += counts[i] * weights[i];
        }
        if (config.preserveMeanWeight() && after > 0) {
            double scale = before / after;
            for (int i = 0; i < weights.length; i++) {
                weights[i] *= scale;
            }
        }
    }
}
