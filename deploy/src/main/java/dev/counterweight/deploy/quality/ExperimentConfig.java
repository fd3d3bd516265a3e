package dev.counterweight.deploy.quality;

import dev.counterweight.core.weighting.WeightingStrategy;

/**
 * One configuration of the reweighting experiment.
 *
 * @param strategy the class-weighting strategy of the weight table
 * @param beta the effective-number β (used by {@link WeightingStrategy#EFFECTIVE_NUMBER} only)
 * @param downSamplingRate keep rate of negatives, in (0, 1]; 1 keeps everything
 * @param oversample whether samples of the smallest classes are duplicated (weight split between
 *     the copies, copies flagged synthetic)
 */
public record ExperimentConfig(
        WeightingStrategy strategy, double beta, double downSamplingRate, boolean oversample) {

    /** The copies of a sample of one of the smallest classes (the original included). */
    public static final int OVERSAMPLE_COPIES = 4;

    public ExperimentConfig {
        if (strategy == null) {
            throw new NullPointerException("strategy must not be null");
        }
        if (!(downSamplingRate > 0 && downSamplingRate <= 1)) {
            throw new IllegalArgumentException(
                    "downSamplingRate must be in (0, 1], was " + downSamplingRate);
        }
    }

    /** A class-weighting configuration without sampling. */
    public static ExperimentConfig of(WeightingStrategy strategy) {
        return new ExperimentConfig(strategy, 0.999, 1.0, false);
    }

    /** An effective-number configuration. */
    public static ExperimentConfig effectiveNumber(double beta) {
        return new ExperimentConfig(WeightingStrategy.EFFECTIVE_NUMBER, beta, 1.0, false);
    }

    /** This configuration with negative down-sampling at {@code rate}. */
    public ExperimentConfig downSampled(double rate) {
        return new ExperimentConfig(strategy, beta, rate, oversample);
    }

    /** This configuration with minority oversampling. */
    public ExperimentConfig oversampled() {
        return new ExperimentConfig(strategy, beta, downSamplingRate, true);
    }

    /** A short name, e.g. {@code SQRT_INVERSE + neg r=0.1}. */
    public String name() {
        StringBuilder b = new StringBuilder(strategy.name());
        if (strategy == WeightingStrategy.EFFECTIVE_NUMBER) {
            b.append(" β=").append(beta);
        }
        if (downSamplingRate < 1) {
            b.append(" + neg r=").append(downSamplingRate);
        }
        if (oversample) {
            b.append(" + oversample×").append(OVERSAMPLE_COPIES);
        }
        return b.toString();
    }
}
