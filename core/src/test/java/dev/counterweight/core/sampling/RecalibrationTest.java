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
}
