package dev.counterweight.core.metrics;

/**
 * Normalized entropy (He et al., "Practical lessons from predicting clicks on ads at Facebook",
 * 2014): a window's mean log loss divided by the entropy of its base rate, {@code H(p) = −p ln p −
 * (1 − p) ln(1 − p)}, the log loss of always predicting the window's own rate. Raw log loss moves
 * with the base rate (a window with fewer clicks has a lower loss for the same model); NE removes
 * that, so windows with different rates can be compared. 1 means no better than the base rate.
 */
public final class NormalizedEntropy {

    private NormalizedEntropy() {}

    /**
     * The entropy of a Bernoulli rate in nats.
     *
     * @param p the rate
     * @return {@code H(p)}; 0 at 0 and 1; NaN outside [0, 1]
     */
    public static double entropy(double p) {
        if (!(p >= 0 && p <= 1)) {
            return Double.NaN;
        }
        if (p == 0 || p == 1) {
            return 0;
        }
        return -p * Math.log(p) - (1 - p) * Math.log1p(-p);
    }

    /**
     * The normalized entropy of a window.
     *
     * @param logLoss the window's mean log loss
     * @param positives positives in the window
     * @param negatives negatives in the window
     * @return {@code logLoss / H(positives / (positives + negatives))}; NaN when the window holds
     *     one label only (the entropy is 0) or the inputs are undefined
     */
    public static double of(double logLoss, long positives, long negatives) {
        double h = baseEntropy(positives, negatives);
        return h > 0 ? logLoss / h : Double.NaN;
    }

    /**
     * The standard error of {@link #of}, from the standard error of the log loss, the base rate's
     * entropy taken as fixed (its own noise is second order next to the loss's for windows of
     * thousands of samples).
     *
     * @return {@code logLossStandardError / H(p)}; NaN where {@link #of} is
     */
    public static double standardError(
            double logLossStandardError, long positives, long negatives) {
        double h = baseEntropy(positives, negatives);
        return h > 0 ? logLossStandardError / h : Double.NaN;
    }

    /**
     * The normalized entropy of a window whose base rate is given as a (possibly weighted) rate:
     * {@code logLoss / H(baseRate)}; NaN when the rate is 0, 1 or undefined.
     */
    public static double ofRate(double logLoss, double baseRate) {
        double h = entropy(baseRate);
        return h > 0 ? logLoss / h : Double.NaN;
    }

    /** {@link #standardError} for a base rate given as a rate. */
    public static double standardErrorAtRate(double logLossStandardError, double baseRate) {
        double h = entropy(baseRate);
        return h > 0 ? logLossStandardError / h : Double.NaN;
    }

    private static double baseEntropy(long positives, long negatives) {
        if (positives < 0 || negatives < 0 || positives + negatives == 0) {
            return Double.NaN;
        }
        return entropy((double) positives / (positives + negatives));
    }
}
