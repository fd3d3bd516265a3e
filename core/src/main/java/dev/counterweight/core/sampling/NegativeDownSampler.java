package dev.counterweight.core.sampling;

import java.util.Objects;

/**
 * Deterministic negative down-sampling.
 *
 * <p>Positives are always kept. A negative with id {@code sampleId} is kept iff {@link
 * StableHash#unitInterval unitInterval(seed, sampleId)} {@code < rate}, so the decision depends
 * only on the seed and the id (not on arrival order, partitioning or JVM), and a replay makes the
 * same decisions. Kept negatives should be weighted by {@link Decision#weightMultiplier()}, or
 * predictions recalibrated with {@link Recalibration}. Stateless and thread-safe.
 */
public final class NegativeDownSampler {

    /**
     * The outcome for one sample.
     *
     * @param keep whether to keep the sample
     * @param rate the keep probability that applied to it, in (0, 1]; 1 for positives
     */
    public record Decision(boolean keep, double rate) {

        /** The decision for every positive: kept with rate 1. */
        public static final Decision KEEP_POSITIVE = new Decision(true, 1.0);

        /**
         * Validates the rate.
         *
         * @throws IllegalArgumentException if {@code rate} is outside (0, 1]
         */
        public Decision {
            DownSamplingConfig.checkRate(rate, "downsampling.rate");
        }

        /**
         * Returns the inverse-probability weight {@code 1 / rate} that makes a kept sample stand in
         * for the ones dropped alongside it.
         */
        public double weightMultiplier() {
            return 1.0 / rate;
        }
    }

    private final DownSamplingConfig config;

    /**
     * Creates a sampler.
     *
     * @param config the rates and seed
     */
    public NegativeDownSampler(DownSamplingConfig config) {
        this.config = Objects.requireNonNull(config, "config must not be null");
    }

    /** Returns the configuration. */
    public DownSamplingConfig config() {
        return config;
    }

    /**
     * Decides whether to keep a sample.
     *
     * @param sampleId the sample's stable id; hashed as UTF-8
     * @param classKey the sample's class, selecting the per-class rate for negatives
     * @param isNegative whether the sample is a negative
     * @return {@link Decision#KEEP_POSITIVE} for positives; for negatives, keep iff the seeded hash
     *     of {@code sampleId} maps below the class's rate
     */
    public Decision decide(String sampleId, String classKey, boolean isNegative) {
        Objects.requireNonNull(sampleId, "sampleId must not be null");
        Objects.requireNonNull(classKey, "classKey must not be null");
        if (!isNegative) {
            return Decision.KEEP_POSITIVE;
        }
        double rate = config.rateFor(classKey);
        return new Decision(StableHash.unitInterval(config.seed(), sampleId) < rate, rate);
    }
}
