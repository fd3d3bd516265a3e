package dev.counterweight.core.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PlattScalingTest {

    record Window(double[] p, boolean[] y, double[] w) {}

    /** Scores {@code p} whose true probability is {@code σ(slope · logit(p) + intercept)}. */
    static Window miscalibrated(long seed, int n, double slope, double intercept) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] p = new double[n];
        boolean[] y = new boolean[n];
        double[] w = new double[n];
        for (int i = 0; i < n; i++) {
            double z = -3 + random.nextGaussian();
            p[i] = 1 / (1 + Math.exp(-z));
            double truth = 1 / (1 + Math.exp(-(slope * z + intercept)));
            y[i] = random.nextDouble() < truth;
            w[i] = 1;
        }
        return new Window(p, y, w);
    }

    /**
     * Reference minimiser computed another way: golden-section search on the intercept for each
     * slope, inside a golden-section search on the slope (the objective is convex in both).
     */
    static double[] profileMinimum(Window d, double ridge, double lo, double hi) {
        double[] best = new double[2];
        golden(
                lo,
                hi,
                a -> {
                    double b = golden(-15, 15, bb -> objective(d, ridge, a, bb));
                    best[0] = a;
                    best[1] = b;
                    return objective(d, ridge, a, b);
                });
        double a = best[0];
        return new double[] {a, golden(-15, 15, bb -> objective(d, ridge, a, bb))};
    }

    static double objective(Window d, double ridge, double a, double b) {
        return PlattScaling.objective(d.p(), d.y(), d.w(), d.p().length, ridge, a, b);
    }

    static double golden(double lo, double hi, java.util.function.DoubleUnaryOperator f) {
        double g = (Math.sqrt(5) - 1) / 2;
        double a = lo;
        double b = hi;
        for (int i = 0; i < 80; i++) {
            double c = b - g * (b - a);
            double e = a + g * (b - a);
            if (f.applyAsDouble(c) <= f.applyAsDouble(e)) {
                b = e;
            } else {
                a = c;
            }
        }
        return (a + b) / 2;
    }

    @Test
    void fitMatchesAProfileSearchOfTheSameObjective() {
        Window d = miscalibrated(5, 1500, 1.6, 0.7);
        for (double ridge : new double[] {0.0, 50.0}) {
            PlattScaling fit = PlattScaling.fit(d.p(), d.y(), d.w(), d.p().length, ridge);
            double[] ref = profileMinimum(d, ridge, 0.05, 5);
            assertThat(fit.slope()).isCloseTo(ref[0], within(1e-4));
            assertThat(fit.intercept()).isCloseTo(ref[1], within(1e-4));
        }
    }

    @Test
    void recoversAKnownMiscalibrationAndLeavesACalibratedScoreAlmostAlone() {
        Window d = miscalibrated(9, 200_000, 1.5, 0.8);
        PlattScaling fit = PlattScaling.fit(d.p(), d.y(), d.w(), d.p().length, 1.0);
        // Standard errors at this size are about 0.01 (slope) and 0.04 (intercept).
        assertThat(fit.slope()).isCloseTo(1.5, within(0.05));
        assertThat(fit.intercept()).isCloseTo(0.8, within(0.2));

        Window calibrated = miscalibrated(10, 200_000, 1.0, 0.0);
        PlattScaling id =
                PlattScaling.fit(
                        calibrated.p(), calibrated.y(), calibrated.w(), calibrated.p().length, 1.0);
        assertThat(id.slope()).isCloseTo(1.0, within(0.05));
        assertThat(id.intercept()).isCloseTo(0.0, within(0.2));
    }

    @Test
    void weightTwoIsTheSameAsADuplicate() {
        Window d = miscalibrated(3, 500, 0.7, -0.4);
        int n = d.p().length;
        double[] w = d.w().clone();
        int extra = 0;
        for (int i = 0; i < n; i += 3) {
            w[i] = 2;
            extra++;
        }
        double[] p2 = Arrays.copyOf(d.p(), n + extra);
        boolean[] y2 = Arrays.copyOf(d.y(), n + extra);
        double[] w2 = Arrays.copyOf(d.w(), n + extra);
        int k = n;
        for (int i = 0; i < n; i += 3) {
            p2[k] = d.p()[i];
            y2[k] = d.y()[i];
            w2[k++] = 1;
        }
        PlattScaling weighted = PlattScaling.fit(d.p(), d.y(), w, n, 0.5);
        PlattScaling duplicated = PlattScaling.fit(p2, y2, w2, n + extra, 0.5);
        assertThat(weighted.slope()).isCloseTo(duplicated.slope(), within(1e-9));
        assertThat(weighted.intercept()).isCloseTo(duplicated.intercept(), within(1e-9));
    }

    @Test
    void aScoreThatRanksBackwardsOnlyShiftsTheIntercept() {
        // True probability falls as the score rises: the unconstrained slope is negative.
        Window d = miscalibrated(4, 20_000, -1.0, -5.0);
        PlattScaling fit = PlattScaling.fit(d.p(), d.y(), d.w(), d.p().length, 1.0);
        assertThat(fit.slope()).isEqualTo(1.0);
        // With slope 1 the intercept is the 1-D minimiser of the same objective.
        double ref = golden(-15, 15, b -> objective(d, 1.0, 1.0, b));
        assertThat(fit.intercept()).isCloseTo(ref, within(1e-5));
    }

    @Test
    void appliesTheMapAndKeepsTheEnds() {
        PlattScaling m = new PlattScaling(2.0, -1.0);
        double p = 0.2;
        double z = 2.0 * Math.log(p / (1 - p)) - 1.0;
        assertThat(m.apply(p)).isCloseTo(1 / (1 + Math.exp(-z)), within(1e-15));
        assertThat(m.apply(0.0)).isEqualTo(0.0);
        assertThat(m.apply(1.0)).isEqualTo(1.0);
        assertThat(PlattScaling.IDENTITY.apply(0.123)).isEqualTo(0.123);
        assertThat(m.apply(0.3)).isLessThan(m.apply(0.31));
    }

    @Test
    void rejectsBadInput() {
        assertThatThrownBy(() -> new PlattScaling(0.0, 0.0))
                .hasMessageContaining("slope must be finite and positive");
        assertThatThrownBy(() -> new PlattScaling(1.0, Double.NaN))
                .hasMessageContaining("intercept must be finite");
        assertThatThrownBy(() -> PlattScaling.IDENTITY.apply(1.5))
                .hasMessageContaining("p must be in [0, 1]");
        assertThatThrownBy(
                        () ->
                                PlattScaling.fit(
                                        new double[] {0.5},
                                        new boolean[] {true},
                                        new double[] {-1},
                                        1,
                                        0))
                .hasMessageContaining("weight[0] must be finite and non-negative");
        assertThatThrownBy(
                        () ->
                                PlattScaling.fit(
                                        new double[] {0.5},
                                        new boolean[] {true},
                                        new double[] {1},
                                        1,
                                        -1))
                .hasMessageContaining("ridge must be finite and non-negative");
    }
}
