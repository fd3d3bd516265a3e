package dev.counterweight.core.sampling;

/**
 * Maps probabilities between the down-sampled and the true distribution.
 *
 * <p>Keeping negatives with probability {@code rate} multiplies the odds of a positive by {@code 1
 * / rate}; a model trained on the down-sampled stream therefore predicts {@code p} with {@code
 * odds(p) = odds(p_true) / rate}, which {@link #recalibrate} inverts.
 */
public final class Recalibration {

    private Recalibration() {}

    /**
     * Converts a probability predicted under negative down-sampling to the true-distribution
     * probability: {@code p / (p + (1 − p) / rate)}.
     *
     * @param p the predicted probability, in [0, 1]
     * @param rate the negative keep rate, in (0, 1]; 1 gives the identity
     * @return the recalibrated probability, in [0, 1]
     * @throws IllegalArgumentException if {@code p} or {@code rate} is out of range
     */
    public static double recalibrate(double p, double rate) {
        checkProbability(p);
        DownSamplingConfig.checkRate(rate, "downsampling.rate");
        if (rate == 1) {
            // p + (1 - p) can round to 1 - ulp; no down-sampling must mean exactly no change.
            return p;
        }
        return p / (p + (1 - p) / rate);
    }

    /**
     * Converts a true-distribution probability to the one expected after negative down-sampling:
     * {@code p / (p + (1 − p) · rate)}, the inverse of {@link #recalibrate}.
     *
     * @param p the true probability, in [0, 1]
     * @param rate the negative keep rate, in (0, 1]
     * @return the down-sampled probability, in [0, 1]
     * @throws IllegalArgumentException if {@code p} or {@code rate} is out of range
     */
    public static double toSampled(double p, double rate) {
        checkProbability(p);
        DownSamplingConfig.checkRate(rate, "downsampling.rate");
        if (rate == 1) {
            return p;
        }
        return p / (p + (1 - p) * rate);
    }

    private static void checkProbability(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("p must be in [0, 1], was " + p);
        }
    }
}
