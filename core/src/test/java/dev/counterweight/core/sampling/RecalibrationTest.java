package dev.counterweight.core.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RecalibrationTest {

    /** odds_true = rate · odds_sampled, converted back to a probability. */
    private static double viaOdds(double p, double rate) {
        double odds = rate * p / (1 - p);
        return odds / (1 + odds);
    }

    @Test
    void matchesOddsFormulation() {
        SplittableRandom rnd = new SplittableRandom(13);
        for (int i = 0; i < 10_000; i++) {
            double p = rnd.nextDouble(1e-6, 1 - 1e-6);
            double rate = rnd.nextDouble(1e-4, 1);
            double expected = viaOdds(p, rate);
            assertThat(Recalibration.recalibrate(p, rate))
                    .isCloseTo(expected, within(expected * 1e-12));
        }
    }

    @Test
    void toSampledIsTheInverse() {
        SplittableRandom rnd = new SplittableRandom(14);
        for (int i = 0; i < 10_000; i++) {
            double p = rnd.nextDouble();
            double rate = rnd.nextDouble(1e-4, 1);
            assertThat(Recalibration.recalibrate(Recalibration.toSampled(p, rate), rate))
                    .isCloseTo(p, within(1e-12));
        }
    }

    @Test
    void edgeCases() {
        assertThat(Recalibration.recalibrate(0, 0.1)).isEqualTo(0.0);
        assertThat(Recalibration.recalibrate(1, 0.1)).isEqualTo(1.0);
        assertThat(Recalibration.recalibrate(0.5, 0.25)).isCloseTo(0.2, within(1e-15));
        SplittableRandom rnd = new SplittableRandom(15);
        for (int i = 0; i < 1000; i++) {
            double p = rnd.nextDouble();
            assertThat(Recalibration.recalibrate(p, 1.0)).isEqualTo(p);
            assertThat(Recalibration.toSampled(p, 1.0)).isEqualTo(p);
        }
    }

    @Test
    void rejectsOutOfRangeInputs() {
        assertThatThrownBy(() -> Recalibration.recalibrate(1.5, 0.5)).hasMessageContaining("p ");
        assertThatThrownBy(() -> Recalibration.recalibrate(Double.NaN, 0.5))
                .hasMessageContaining("p ");
        assertThatThrownBy(() -> Recalibration.recalibrate(0.5, 0))
                .hasMessageContaining("downsampling.rate");
        assertThatThrownBy(() -> Recalibration.toSampled(0.5, 2))
                .hasMessageContaining("downsampling.rate");
    }

    @Test
    void recalibratedPositiveRateOfDownSampledStreamRecoversTruth() {
        double p0 = 0.03;
        double rate = 0.05;
        NegativeDownSampler sampler =
                new NegativeDownSampler(DownSamplingConfig.uniform(rate, 2024));
        SplittableRandom rnd = new SplittableRandom(2024);
        int n = 400_000;
        long kept = 0;
        long keptPositives = 0;
        for (int i = 0; i < n; i++) {
            boolean positive = rnd.nextDouble() < p0;
            if (sampler.decide("event-" + i, "c", !positive).keep()) {
                kept++;
                keptPositives += positive ? 1 : 0;
            }
        }
        double sampledRate = (double) keptPositives / kept;
        // Sampled rate ≈ 0.382 from ≈ 31k kept samples; the recalibrated estimate has a standard
        // error of about 4e-4, so 2e-3 is a 5-sigma bound.
        assertThat(sampledRate).isCloseTo(Recalibration.toSampled(p0, rate), within(0.015));
        assertThat(Recalibration.recalibrate(sampledRate, rate)).isCloseTo(p0, within(0.002));
    }

    @Test
    void undoClassWeightsRecoversTheMinimiserOfTheWeightedLoss() {
        SplittableRandom rnd = new SplittableRandom(15);
        for (int i = 0; i < 200; i++) {
            double p = rnd.nextDouble(0.001, 0.999);
            double wPos = rnd.nextDouble(0.05, 20);
            double wNeg = rnd.nextDouble(0.05, 20);
            // Brute force: minimise w+ p (-log f) + w- (1 - p) (-log(1 - f)) by golden section.
            double lo = 1e-12;
            double hi = 1 - 1e-12;
            double g = (Math.sqrt(5) - 1) / 2;
            for (int it = 0; it < 200; it++) {
                double a = hi - g * (hi - lo);
                double b = lo + g * (hi - lo);
                if (weighted(a, p, wPos, wNeg) < weighted(b, p, wPos, wNeg)) {
                    hi = b;
                } else {
                    lo = a;
                }
            }
            double f = (lo + hi) / 2;
            assertThat(Recalibration.undoClassWeights(f, wPos, wNeg)).isCloseTo(p, within(1e-7));
        }
        assertThat(Recalibration.undoClassWeights(0.3, 2.0, 2.0)).isEqualTo(0.3);
        assertThatThrownBy(() -> Recalibration.undoClassWeights(0.3, 0.0, 1.0))
                .hasMessageContaining("positiveWeight must be finite and positive");
    }

    @Test
    void undoLabelClassWeightsInvertsTheWeightedClassShares() {
        SplittableRandom rnd = new SplittableRandom(16);
        for (int i = 0; i < 10_000; i++) {
            // True shares of none, click-only and purchase.
            double ctr = rnd.nextDouble(1e-4, 0.9);
            double ctcvr = ctr * rnd.nextDouble(0, 1);
            double[] s = {1 - ctr, ctr - ctcvr, ctcvr};
            double[] w = {
                rnd.nextDouble(0.1, 10), rnd.nextDouble(0.1, 50), rnd.nextDouble(0.1, 500)
            };
            // The weighted data: each class drawn w_l times as often.
            double z = 0;
            for (int l = 0; l < 3; l++) {
                z += w[l] * s[l];
            }
            double a = (w[1] * s[1] + w[2] * s[2]) / z;
            double b = w[2] * s[2] / z;
            Recalibration.TaskProbabilities cal =
                    Recalibration.undoLabelClassWeights(a, b, w[0], w[1], w[2]);
            assertThat(cal.ctr()).isCloseTo(ctr, within(1e-12));
            assertThat(cal.ctcvr()).isCloseTo(ctcvr, within(1e-12));
            // Equal click and purchase weights: the binary odds rule for the CTR.
            Recalibration.TaskProbabilities equal =
                    Recalibration.undoLabelClassWeights(a, b, w[0], w[1], w[1]);
            assertThat(equal.ctr())
                    .isCloseTo(Recalibration.undoClassWeights(a, w[1], w[0]), within(1e-12));
        }
    }

    @Test
    void fakeNegativeCalibrationInvertsTheStreamRateAndClips() {
        SplittableRandom rnd = new SplittableRandom(17);
        for (int i = 0; i < 10_000; i++) {
            double p = rnd.nextDouble();
            double q = rnd.nextDouble();
            assertThat(Recalibration.fromFakeNegatives(Recalibration.toFakeNegatives(p, q), q))
                    .isCloseTo(p, within(1e-12));
        }
        assertThat(Recalibration.fromFakeNegatives(0.9, 1.0)).isEqualTo(1.0);
        assertThat(Recalibration.fromFakeNegatives(0.3, 0.0)).isEqualTo(0.3);
        assertThatThrownBy(() -> Recalibration.fromFakeNegatives(0.3, 1.5))
                .hasMessageContaining("q must be in [0, 1]");
    }

    @Test
    void ctrWithoutCorrectionsRemovesTheCorrectionsClickRows() {
        SplittableRandom rnd = new SplittableRandom(18);
        for (int i = 0; i < 10_000; i++) {
            double c = rnd.nextDouble(); // true click rate
            double p = c * rnd.nextDouble(); // true click-and-purchase rate
            double q = rnd.nextDouble();
            // Rows per exposure: the window sample (a click with probability c) and, for a late
            // conversion (probability q p), a correction that is a click too.
            double rows = 1 + q * p;
            double clicks = c + q * p;
            assertThat(Recalibration.ctrWithoutCorrections(clicks / rows, p, q))
                    .isCloseTo(c, within(1e-12));
        }
    }

    private static double weighted(double f, double p, double wPos, double wNeg) {
        return -wPos * p * Math.log(f) - wNeg * (1 - p) * Math.log(1 - f);
    }
}
