package dev.counterweight.core.metrics;

/**
 * A plain logistic-regression reference, fitted by Newton's method (iteratively reweighted least
 * squares) on standardised features with a small L2 penalty on the coefficients (not on the
 * intercept): what a model of the same inputs should at least match. Pure and deterministic; the
 * fitted model is immutable.
 *
 * <p>Each feature is standardised with the training mean and standard deviation (a constant feature
 * is left centred, its coefficient stays 0 under the penalty). Newton minimises {@code −Σ_i [y_i
 * log p_i + (1 − y_i) log(1 − p_i)] + (λ/2)·‖β‖²}, {@code p_i = σ(β_0 + β·z_i)}, and stops when the
 * largest step is below {@link #TOLERANCE} or after {@code maxIterations}; a step is halved until
 * the penalised loss does not rise. The Hessian is {@code d+1} square, so a fit costs {@code
 * O(n·d²)} per iteration: meant for tens of dense features, not one-hot ids.
 */
public final class LogisticRegression {

    /** Newton stops once no coefficient moves by more than this. */
    public static final double TOLERANCE = 1e-8;

    /** Default L2 penalty (on standardised features, summed loss). */
    public static final double DEFAULT_L2 = 1e-3;

    /** Default iteration cap. */
    public static final int DEFAULT_MAX_ITERATIONS = 50;

    private final double[] mean;
    private final double[] scale;
    private final double[] beta; // beta[0] intercept, beta[1..d] on standardised features
    private final int iterations;

    private LogisticRegression(double[] mean, double[] scale, double[] beta, int iterations) {
        this.mean = mean;
        this.scale = scale;
        this.beta = beta;
        this.iterations = iterations;
    }

    /** {@link #fit(float[][], boolean[], double, int)} with the defaults. */
    public static LogisticRegression fit(float[][] x, boolean[] y) {
        return fit(x, y, DEFAULT_L2, DEFAULT_MAX_ITERATIONS);
    }

    /**
     * Fits the model.
     *
     * @param x rows of features, all of the same length
     * @param y labels, one per row
     * @param l2 L2 penalty on the standardised coefficients; non-negative
     * @param maxIterations Newton iterations at most; positive
     * @throws IllegalArgumentException if the inputs are empty, ragged, of different lengths, or
     *     hold a non-finite feature
     */
    public static LogisticRegression fit(float[][] x, boolean[] y, double l2, int maxIterations) {
        int n = x.length;
        if (n == 0 || y.length != n) {
            throw new IllegalArgumentException(
                    "need as many labels as rows, and at least one row; rows "
                            + n
                            + ", labels "
                            + y.length);
        }
        if (!(l2 >= 0) || maxIterations <= 0) {
            throw new IllegalArgumentException(
                    "l2 must be >= 0 and maxIterations positive, were "
                            + l2
                            + ", "
                            + maxIterations);
        }
        int d = x[0].length;
        double[] mean = new double[d];
        double[] sq = new double[d];
        for (float[] row : x) {
            if (row.length != d) {
                throw new IllegalArgumentException(
                        "every row must have " + d + " features, one has " + row.length);
            }
            for (int j = 0; j < d; j++) {
                if (!Float.isFinite(row[j])) {
                    throw new IllegalArgumentException("feature " + j + " is not finite");
                }
                mean[j] += row[j];
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= n;
        }
        for (float[] row : x) {
            for (int j = 0; j < d; j++) {
                double c = row[j] - mean[j];
                sq[j] += c * c;
            }
        }
        double[] scale = new double[d];
        for (int j = 0; j < d; j++) {
            double sd = Math.sqrt(sq[j] / n);
            scale[j] = sd > 1e-12 ? sd : 1;
        }
        int k = d + 1;
        double[] beta = new double[k];
        long positives = 0;
        for (boolean label : y) {
            positives += label ? 1 : 0;
        }
        // Start at the base rate: one Newton step fewer, and a sane model if the loop stops early.
        double rate = Math.min(1 - 1e-6, Math.max(1e-6, positives / (double) n));
        beta[0] = Math.log(rate / (1 - rate));
        double[] z = new double[k];
        int it = 0;
        while (it < maxIterations) {
            it++;
            double[] grad = new double[k];
            double[][] hess = new double[k][k];
            for (int i = 0; i < n; i++) {
                standardise(x[i], mean, scale, z);
                double p = sigmoid(dot(beta, z));
                double r = p - (y[i] ? 1 : 0);
                double w = Math.max(p * (1 - p), 1e-12);
                for (int a = 0; a < k; a++) {
                    grad[a] += r * z[a];
                    double wa = w * z[a];
                    for (int b = 0; b <= a; b++) {
                        hess[a][b] += wa * z[b];
                    }
                }
            }
            for (int a = 1; a < k; a++) {
                grad[a] += l2 * beta[a];
                hess[a][a] += l2;
            }
            for (int a = 0; a < k; a++) {
                for (int b = a + 1; b < k; b++) {
                    hess[a][b] = hess[b][a];
                }
                hess[a][a] += 1e-9; // keeps a separable or constant column solvable
            }
            double[] step = solve(hess, grad);
            // Damped Newton: halve the step until the penalised loss does not rise (rare events
            // and near-separable columns can make a full step overshoot).
            double before = loss(x, y, mean, scale, beta, l2, z);
            double t = 1;
            double[] next = new double[k];
            for (int half = 0; half < 40; half++, t /= 2) {
                for (int a = 0; a < k; a++) {
                    next[a] = beta[a] - t * step[a];
                }
                if (loss(x, y, mean, scale, next, l2, z) <= before) {
                    break;
                }
            }
            double largest = 0;
            for (int a = 0; a < k; a++) {
                largest = Math.max(largest, Math.abs(beta[a] - next[a]));
                beta[a] = next[a];
            }
            if (largest < TOLERANCE) {
                break;
            }
        }
        return new LogisticRegression(mean, scale, beta, it);
    }

    /** The predicted probability of a positive label for {@code row}. */
    public double predict(float[] row) {
        if (row.length != mean.length) {
            throw new IllegalArgumentException(
                    "expected " + mean.length + " features, got " + row.length);
        }
        double[] z = new double[beta.length];
        standardise(row, mean, scale, z);
        return sigmoid(dot(beta, z));
    }

    /** Newton iterations the fit took. */
    public int iterations() {
        return iterations;
    }

    /**
     * The coefficients on the original (unstandardised) features: element 0 the intercept, element
     * {@code j + 1} feature {@code j}'s.
     */
    public double[] coefficients() {
        double[] out = new double[beta.length];
        out[0] = beta[0];
        for (int j = 0; j < mean.length; j++) {
            out[j + 1] = beta[j + 1] / scale[j];
            out[0] -= beta[j + 1] * mean[j] / scale[j];
        }
        return out;
    }

    private static double loss(
            float[][] x,
            boolean[] y,
            double[] mean,
            double[] scale,
            double[] beta,
            double l2,
            double[] z) {
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            standardise(x[i], mean, scale, z);
            double m = dot(beta, z);
            // log(1 + e^m) − y·m, stable for large |m|.
            sum +=
                    (m > 0 ? m + Math.log1p(Math.exp(-m)) : Math.log1p(Math.exp(m)))
                            - (y[i] ? m : 0);
        }
        for (int a = 1; a < beta.length; a++) {
            sum += 0.5 * l2 * beta[a] * beta[a];
        }
        return sum;
    }

    private static void standardise(float[] row, double[] mean, double[] scale, double[] z) {
        z[0] = 1;
        for (int j = 0; j < mean.length; j++) {
            z[j + 1] = (row[j] - mean[j]) / scale[j];
        }
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    static double sigmoid(double t) {
        return t >= 0 ? 1 / (1 + Math.exp(-t)) : Math.exp(t) / (1 + Math.exp(t));
    }

    /** Solves {@code a·s = b} by Gaussian elimination with partial pivoting (a is copied). */
    static double[] solve(double[][] a, double[] b) {
        int k = b.length;
        double[][] m = new double[k][k + 1];
        for (int i = 0; i < k; i++) {
            System.arraycopy(a[i], 0, m[i], 0, k);
            m[i][k] = b[i];
        }
        for (int c = 0; c < k; c++) {
            int pivot = c;
            for (int r = c + 1; r < k; r++) {
                if (Math.abs(m[r][c]) > Math.abs(m[pivot][c])) {
                    pivot = r;
                }
            }
            double[] t = m[c];
            m[c] = m[pivot];
            m[pivot] = t;
            double p = m[c][c];
            if (p == 0) {
                continue;
            }
            for (int r = c + 1; r < k; r++) {
                double f = m[r][c] / p;
                if (f != 0) {
                    for (int j = c; j <= k; j++) {
                        m[r][j] -= f * m[c][j];
                    }
                }
            }
        }
        double[] s = new double[k];
        for (int r = k - 1; r >= 0; r--) {
            double v = m[r][k];
            for (int j = r + 1; j < k; j++) {
                v -= m[r][j] * s[j];
            }
            s[r] = m[r][r] == 0 ? 0 : v / m[r][r];
        }
        return s;
    }
}
