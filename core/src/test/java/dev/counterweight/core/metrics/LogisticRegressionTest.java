package dev.counterweight.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LogisticRegressionTest {

    @Test
    void recoversTheCoefficientsThatDrewTheLabels() {
        // y ~ Bernoulli(σ(-1 + 0.8·x0 − 0.5·x1 + 0·x2)), x0 on another scale and offset.
        SplittableRandom r = new SplittableRandom(3);
        int n = 40_000;
        float[][] x = new float[n][];
        boolean[] y = new boolean[n];
        for (int i = 0; i < n; i++) {
            double a = 5 + 3 * r.nextGaussian();
            double b = r.nextGaussian();
            double c = r.nextGaussian();
            x[i] = new float[] {(float) a, (float) b, (float) c};
            double p = 1 / (1 + Math.exp(-(-1 - 0.8 * 5 / 3 + 0.8 / 3 * a - 0.5 * b)));
            y[i] = r.nextDouble() < p;
        }
        LogisticRegression m = LogisticRegression.fit(x, y);
        double[] c = m.coefficients();
        // Intercept on the original scale: -1 - 0.8·5/3.
        assertThat(c[1]).isCloseTo(0.8 / 3, offset(0.02));
        assertThat(c[2]).isCloseTo(-0.5, offset(0.05));
        assertThat(c[3]).isCloseTo(0, offset(0.05));
        assertThat(c[0]).isCloseTo(-1 - 0.8 * 5 / 3, offset(0.15));
        assertThat(m.iterations()).isLessThan(LogisticRegression.DEFAULT_MAX_ITERATIONS);
    }

    @Test
    void satisfiesTheFirstOrderConditionOfTheUnpenalisedLoss() {
        // Without a penalty the fitted probabilities' residuals are orthogonal to every column
        // (and sum to zero): checked here on the original features, not the fit's standardised
        // ones.
        SplittableRandom r = new SplittableRandom(11);
        int n = 5_000;
        float[][] x = new float[n][];
        boolean[] y = new boolean[n];
        for (int i = 0; i < n; i++) {
            x[i] = new float[] {(float) r.nextGaussian(), (float) (10 * r.nextDouble())};
            y[i] = r.nextDouble() < 0.2 + 0.05 * x[i][1] / 10 + (x[i][0] > 0 ? 0.1 : 0);
        }
        LogisticRegression m = LogisticRegression.fit(x, y, 0, 100);
        double[] g = new double[3];
        for (int i = 0; i < n; i++) {
            double res = m.predict(x[i]) - (y[i] ? 1 : 0);
            g[0] += res;
            g[1] += res * x[i][0];
            g[2] += res * x[i][1];
        }
        for (double v : g) {
            assertThat(v / n).isCloseTo(0, offset(1e-9));
        }
    }

    @Test
    void solvesALinearSystem() {
        double[][] a = {{0, 2, 1}, {1, 1, 0}, {3, 0, 1}};
        double[] s = LogisticRegression.solve(a, new double[] {5, 3, 4});
        // x = 1, y = 2, z = 1 (pivoting needed: a[0][0] is 0).
        assertThat(s).containsExactly(new double[] {1, 2, 1}, offset(1e-12));
    }

    @Test
    void rejectsRaggedInput() {
        assertThatThrownBy(
                        () ->
                                LogisticRegression.fit(
                                        new float[][] {{1, 2}, {1}}, new boolean[] {true, false}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("every row must have 2 features");
    }
}
