package dev.counterweight.experiments.quality;

import dev.counterweight.core.weighting.WeightingStrategy;

/**
 * One configuration of the reweighting experiment.
 *
 * @param strategy the class-weighting strategy of the weight table
 * @param beta the effective-number β (used by {@link WeightingStrategy#EFFECTIVE_NUMBER} only)
 * @param downSamplingRate keep rate of negatives, in (0, 1]; 1 keeps everything
 * @param oversample whether samples of the smallest classes are duplicated (weight split between
 *     the copies, copies flagged synthetic)
 * @param smote whether samples of the smallest classes get SMOTE-style synthetic companions
 *     interpolated with earlier samples of the same class (weight split the same way, synthetic
 *     samples flagged and never evaluated)
 * @param lossAware whether class weights are multiplied by the loss-aware multiplier fed with the
 *     learner's own per-class losses, as the job does with {@code weights.loss-aware.enabled}
 */
public record ExperimentConfig(
        WeightingStrategy strategy,
        double beta,
        double downSamplingRate,
        boolean oversample,
        boolean smote,
        boolean lossAware) {

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
        if (oversample && smote) {
            throw new IllegalArgumentException("oversample and smote are alternatives, not both");
        }
    }

    /** A class-weighting configuration without sampling. */
    public static ExperimentConfig of(WeightingStrategy strategy) {
        return new ExperimentConfig(strategy, 0.999, 1.0, false, false, false);
    }

    /** An effective-number configuration. */
    public static ExperimentConfig effectiveNumber(double beta) {
        return new ExperimentConfig(
                WeightingStrategy.EFFECTIVE_NUMBER, beta, 1.0, false, false, false);
    }

    /** This configuration with negative down-sampling at {@code rate}. */
    public ExperimentConfig downSampled(double rate) {
        return new ExperimentConfig(strategy, beta, rate, oversample, smote, lossAware);
    }

    /** This configuration with minority oversampling. */
    public ExperimentConfig oversampled() {
        return new ExperimentConfig(strategy, beta, downSamplingRate, true, smote, lossAware);
    }

    /** This configuration with SMOTE-style minority augmentation. */
    public ExperimentConfig withSmote() {
        return new ExperimentConfig(strategy, beta, downSamplingRate, oversample, true, lossAware);
    }

    /** This configuration with loss-aware class weights. */
    public ExperimentConfig withLossAware() {
        return new ExperimentConfig(strategy, beta, downSamplingRate, oversample, smote, true);
    }

    /** Whether this is the plain strategy: no down-sampling, augmentation or loss-awareness. */
    public boolean plain() {
        return downSamplingRate == 1 && !oversample && !smote && !lossAware;
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
        if (smote) {
            b.append(" + SMOTE×").append(OVERSAMPLE_COPIES);
        }
        if (lossAware) {
            b.append(" + loss-aware");
        }
        return b.toString();
    }
}
