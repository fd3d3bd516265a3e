package dev.counterweight.connectors.dataset;

/**
 * A Zipf distribution over ranks {@code 0 .. n-1}: {@code P(k) ∝ 1 / (k + 1)^s}. Shared by the
 * seeded generators of this package; immutable.
 */
final class Zipf {

    private final double[] cumulative;

    /**
     * @param n the number of ranks; positive
     * @param exponent the skew {@code s}; 0 is uniform; finite and non-negative
     */
    Zipf(int n, double exponent) {
        if (n < 1) {
            throw new IllegalArgumentException("Zipf needs at least one rank, was " + n);
        }
        if (!(exponent >= 0) || Double.isInfinite(exponent)) {
            throw new IllegalArgumentException(
                    "Zipf exponent must be finite and non-negative, was " + exponent);
        }
        cumulative = new double[n];
        double sum = 0;
        for (int k = 0; k < n; k++) {
            sum += 1.0 / Math.pow(k + 1, exponent);
            cumulative[k] = sum;
        }
        for (int k = 0; k < n; k++) {
            cumulative[k] /= sum;
        }
    }

    /** The number of ranks. */
    int size() {
        return cumulative.length;
    }

    /** The probability of rank {@code k}. */
    double probability(int k) {
        return k == 0 ? cumulative[0] : cumulative[k] - cumulative[k - 1];
    }

    /** The rank at uniform quantile {@code u} in [0, 1). */
    int sample(double u) {
        int lo = 0;
        int hi = cumulative.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cumulative[mid] < u) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
