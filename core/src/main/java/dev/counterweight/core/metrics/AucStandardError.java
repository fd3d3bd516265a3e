package dev.counterweight.core.metrics;

/**
 * Standard error of an empirical ROC AUC, by Hanley and McNeil (1982): with {@code Q1 = A/(2−A)}
 * and {@code Q2 = 2A²/(1+A)}, {@code Var(A) = [A(1−A) + (P−1)(Q1−A²) + (N−1)(Q2−A²)] / (P·N)} for
 * {@code P} positives and {@code N} negatives. It is what makes an AUC difference between two
 * evaluation windows comparable with the noise of windows with few positives (rare conversions).
 */
public final class AucStandardError {

    private AucStandardError() {}

    /**
     * The Hanley–McNeil standard error; NaN when the AUC is not finite or a class is empty.
     *
     * @param auc the AUC, in [0, 1]
     * @param positives positive labels
     * @param negatives negative labels
     */
    public static double hanleyMcNeil(double auc, long positives, long negatives) {
        if (positives <= 0 || negatives <= 0 || !Double.isFinite(auc)) {
            return Double.NaN;
        }
        double q1 = auc / (2 - auc);
        double q2 = 2 * auc * auc / (1 + auc);
        double v =
                (auc * (1 - auc)
                                + (positives - 1) * (q1 - auc * auc)
                                + (negatives - 1) * (q2 - auc * auc))
                        / ((double) positives * negatives);
        return Math.sqrt(Math.max(0, v));
    }

    /**
     * The standard error of the difference of two independent AUCs, {@code sqrt(se1² + se2²)}; NaN
     * if either is undefined.
     */
    public static double ofDifference(
            double auc1,
            long positives1,
            long negatives1,
            double auc2,
            long positives2,
            long negatives2) {
        double a = hanleyMcNeil(auc1, positives1, negatives1);
        double b = hanleyMcNeil(auc2, positives2, negatives2);
        return Math.sqrt(a * a + b * b);
    }
}
