package dev.counterweight.core.sampling;

/**
 * A fitted calibration map on the logit scale (Platt scaling): {@code p' = σ(slope · logit(p) +
 * intercept)}, increasing in {@code p} (slope positive), the identity at slope 1 and intercept 0.
 *
 * <p>It corrects what prior correction ({@link Recalibration}) cannot: a model that is
 * miscalibrated on its own, e.g. too confident or too timid after one streamed pass. {@link #fit}
 * minimises the weighted log loss of {@code p'} against the labels of a window, plus a ridge {@code
 * (ridge / 2) · ((slope − 1)² + intercept²)} that pulls a fit on few positives towards the
 * identity, by Newton's method. A fitted slope that is not positive (scores in the window that rank
 * no better than chance) is not used, since it would reverse or flatten the ranking: the map then
 * keeps slope 1 and fits the intercept alone (calibration in the large).
 *
 * @param slope the factor on {@code logit(p)}; finite and positive
 * @param intercept the shift of the logit; finite
 */
public record PlattScaling(double slope, double intercept) {

    /** The map that changes nothing. */
    public static final PlattScaling IDENTITY = new PlattScaling(1.0, 0.0);

    /** Probabilities are clamped to {@code [EPSILON, 1 − EPSILON]} before taking the logit. */
    public static final double EPSILON = 1e-7;

    private static final int MAX_ITERATIONS = 100;
    private static final double TOLERANCE = 1e-10;

    /**
     * Validates the parameters.
     *
     * @throws IllegalArgumentException if the slope is not finite and positive or the intercept is
     *     not finite
     */
    public PlattScaling {
        if (!(slope > 0) || Double.isInfinite(slope)) {
            throw new IllegalArgumentException("slope must be finite and positive, was " + slope);
        }
        if (!Double.isFinite(intercept)) {
            throw new IllegalArgumentException("intercept must be finite, was " + intercept);
        }
    }

    /**
     * Maps a probability; 0 and 1 stay where they are (the limits of the map).
     *
     * @param p a probability in [0, 1]
     * @return the calibrated probability in [0, 1]
     * @throws IllegalArgumentException if {@code p} is outside [0, 1] or NaN
     */
    public double apply(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("p must be in [0, 1], was " + p);
        }
        if (p == 0 || p == 1 || (slope == 1 && intercept == 0)) {
            return p;
        }
        return sigmoid(slope * logit(p) + intercept);
    }

    /**
     * Fits the map to the first {@code n} entries of a window.
     *
     * @param p the probabilities to calibrate, each in [0, 1]
     * @param label the labels
     * @param weight non-negative finite weights (e.g. {@code 1 / samplingRate}, restoring the
     *     population before down-sampling)
     * @param n the number of entries used
     * @param ridge the strength of the pull towards the identity; finite and non-negative
     * @return the map minimising the penalised weighted log loss
     * @throws IllegalArgumentException if an argument is out of range
     */
    public static PlattScaling fit(
            double[] p, boolean[] label, double[] weight, int n, double ridge) {
        if (!(ridge >= 0) || Double.isInfinite(ridge)) {
            throw new IllegalArgumentException(
                    "ridge must be finite and non-negative, was " + ridge);
        }
        if (n < 0 || n > p.length || n > label.length || n > weight.length) {
            throw new IllegalArgumentException("n must be in [0, array length], was " + n);
        }
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            if (!(p[i] >= 0 && p[i] <= 1)) {
                throw new IllegalArgumentException("p[" + i + "] must be in [0, 1], was " + p[i]);
            }
            if (!(weight[i] >= 0) || Double.isInfinite(weight[i])) {
                throw new IllegalArgumentException(
                        "weight[" + i + "] must be finite and non-negative, was " + weight[i]);
            }
            x[i] = logit(p[i]);
        }
        double[] both = newton(x, label, weight, n, ridge, true);
        if (both[0] > 0 && Double.isFinite(both[0]) && Double.isFinite(both[1])) {
            return new PlattScaling(both[0], both[1]);
        }
        double[] shift = newton(x, label, weight, n, ridge, false);
        return Double.isFinite(shift[1]) ? new PlattScaling(1.0, shift[1]) : IDENTITY;
    }

    /**
     * The penalised weighted log loss at {@code (slope, intercept)}; the objective of {@link #fit}.
     */
    public static double objective(
            double[] p,
            boolean[] label,
            double[] weight,
            int n,
            double ridge,
            double slope,
            double intercept) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = logit(p[i]);
        }
        return loss(x, label, weight, n, ridge, slope, intercept);
    }

    private static double loss(
            double[] x,
            boolean[] y,
            double[] w,
            int n,
            double ridge,
            double slope,
            double intercept) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double z = slope * x[i] + intercept;
            // -log σ(z) = log(1 + e^-z), -log(1 - σ(z)) = log(1 + e^z), both computed stably.
            sum += w[i] * softplus(y[i] ? -z : z);
        }
        double ds = slope - 1;
        return sum + 0.5 * ridge * (ds * ds + intercept * intercept);
    }

    /** Newton's method with step halving; {@code both == false} keeps the slope at 1. */
    private static double[] newton(
            double[] x, boolean[] y, double[] w, int n, double ridge, boolean both) {
        double a = 1;
        double b = 0;
        double current = loss(x, y, w, n, ridge, a, b);
        for (int iter = 0; iter < MAX_ITERATIONS; iter++) {
            double ga = ridge * (a - 1);
            double gb = ridge * b;
            double haa = ridge;
            double hab = 0;
            double hbb = ridge;
            for (int i = 0; i < n; i++) {
                double s = sigmoid(a * x[i] + b);
                double r = w[i] * (s - (y[i] ? 1 : 0));
                double h = w[i] * s * (1 - s);
                ga += r * x[i];
                gb += r;
                haa += h * x[i] * x[i];
                hab += h * x[i];
                hbb += h;
            }
            double da;
            double db;
            if (both) {
                double det = haa * hbb - hab * hab;
                if (!(det > 0)) {
                    break;
                }
                da = (hbb * ga - hab * gb) / det;
                db = (haa * gb - hab * ga) / det;
            } else {
                if (!(hbb > 0)) {
                    break;
                }
                da = 0;
                db = gb / hbb;
            }
            double step = 1;
            double next = loss(x, y, w, n, ridge, a - da, b - db);
            while (!(next <= current) && step > 1e-10) {
                step /= 2;
                next = loss(x, y, w, n, ridge, a - step * da, b - step * db);
            }
            if (!(next <= current)) {
                break;
            }
            a -= step * da;
            b -= step * db;
            // Converged once the Newton step no longer moves the parameters (the loss alone can
            // stall in double precision while they still move by 1e-5).
            boolean done = step == 1 && Math.max(Math.abs(da), Math.abs(db)) < TOLERANCE;
            current = next;
            if (done) {
                break;
            }
        }
        return new double[] {a, b};
    }

    private static double logit(double p) {
        double q = Math.min(1 - EPSILON, Math.max(EPSILON, p));
        return Math.log(q / (1 - q));
    }

    private static double sigmoid(double z) {
        return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
    }

    private static double softplus(double z) {
        return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
    }
}
