package dev.counterweight.core.weighting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.counterweight.core.sampling.Recalibration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * FNW weights and the FNC inverse against the biased stream itself: the stream is built row by row
 * (window sample, plus a correction for a late conversion), exactly by enumeration and by Monte
 * Carlo, and never from the closed form {@code b = p / (1 + q p)}.
 */
class DelayedFeedbackTest {

    private static final double[] PROBABILITIES = {0.0, 1e-4, 0.01, 0.1, 0.37, 0.5, 0.9, 0.999};
    private static final double[] LATE_SHARES = {0.0, 0.05, 0.3, 0.5, 0.8, 1.0};

    /** One row of the stream: its probability mass per exposure and its label. */
    private record Row(double mass, double label) {}

    /** The rows one exposure with conversion probability p produces, with their masses. */
    private static List<Row> stream(double p, double q) {
        List<Row> rows = new ArrayList<>();
        rows.add(new Row((1 - q) * p, 1)); // converted inside the window
        rows.add(new Row(q * p, 0)); // converted late: the window's (fake) negative ...
        rows.add(new Row(q * p, 1)); // ... and the correction
        rows.add(new Row(1 - p, 0)); // never converted
        return rows;
    }

    @Test
    void fnwWeightedStreamHasTheTrueLabelDistribution() {
        for (double p : PROBABILITIES) {
            for (double q : LATE_SHARES) {
                double mass = 0;
                double weightedPositives = 0;
                double weightedTotal = 0;
                for (Row r : stream(p, q)) {
                    mass += r.mass();
                }
                for (Row r : stream(p, q)) {
                    double share = r.mass() / mass; // the stream's (normalised) distribution
                    double w = DelayedFeedback.fnwWeight(p, r.label(), q);
                    weightedPositives += share * w * r.label();
                    weightedTotal += share * w;
                }
                assertThat(weightedPositives).as("p=%s q=%s", p, q).isCloseTo(p, within(1e-12));
                assertThat(weightedTotal).as("p=%s q=%s", p, q).isCloseTo(1.0, within(1e-12));
            }
        }
    }

    @Test
    void fnwWeightedLogLossIsMinimisedAtTheTrueProbability() {
        for (double p : new double[] {0.01, 0.1, 0.37, 0.8}) {
            for (double q : LATE_SHARES) {
                List<Row> rows = stream(p, q);
                // Weights frozen at the truth, loss minimised over f by golden-section search.
                double lo = 1e-9;
                double hi = 1 - 1e-9;
                double g = (Math.sqrt(5) - 1) / 2;
                for (int it = 0; it < 200; it++) {
                    double a = hi - g * (hi - lo);
                    double b = lo + g * (hi - lo);
                    if (weightedLoss(rows, a, p, q) < weightedLoss(rows, b, p, q)) {
                        hi = b;
                    } else {
                        lo = a;
                    }
                }
                assertThat((lo + hi) / 2).as("p=%s q=%s", p, q).isCloseTo(p, within(1e-7));
            }
        }
    }

    @Test
    void naiveStreamRateIsInvertedByFnc() {
        for (double p : PROBABILITIES) {
            for (double q : LATE_SHARES) {
                double mass = 0;
                double positives = 0;
                for (Row r : stream(p, q)) {
                    mass += r.mass();
                    positives += r.mass() * r.label();
                }
                double b = positives / mass;
                assertThat(Recalibration.toFakeNegatives(p, q)).isCloseTo(b, within(1e-12));
                assertThat(Recalibration.fromFakeNegatives(b, q))
                        .as("p=%s q=%s", p, q)
                        .isCloseTo(p, within(1e-12));
            }
        }
    }

    /**
     * A simulated population: each exposure converts with its p, a conversion is late with
     * probability q. The FNW-weighted label mean and the FNC-inverted naive rate must cover p
     * within 4 standard errors (delta method over exposures; a false alarm has probability about
     * 6e-5 per check, and the seed is fixed).
     */
    @Test
    void monteCarloStreamAgreesWithinItsConfidenceInterval() {
        SplittableRandom rnd = new SplittableRandom(20261204L);
        int n = 200_000;
        for (double p : new double[] {0.02, 0.2, 0.6}) {
            for (double q : new double[] {0.3, 1.0}) {
                double sumY = 0;
                double sumW = 0;
                double[] ys = new double[n];
                double[] ws = new double[n];
                long rows = 0;
                long positives = 0;
                double[] rowsPer = new double[n];
                double[] posPer = new double[n];
                for (int i = 0; i < n; i++) {
                    boolean converts = rnd.nextDouble() < p;
                    boolean late = converts && rnd.nextDouble() < q;
                    double y = 0;
                    double w = 0;
                    int r = 0;
                    int pos = 0;
                    // Window sample.
                    double windowLabel = converts && !late ? 1 : 0;
                    w += DelayedFeedback.fnwWeight(p, windowLabel, q);
                    y += windowLabel * DelayedFeedback.fnwWeight(p, windowLabel, q);
                    r++;
                    pos += (int) windowLabel;
                    if (late) {
                        w += DelayedFeedback.fnwWeight(p, 1, q);
                        y += DelayedFeedback.fnwWeight(p, 1, q);
                        r++;
                        pos++;
                    }
                    ys[i] = y;
                    ws[i] = w;
                    sumY += y;
                    sumW += w;
                    rowsPer[i] = r;
                    posPer[i] = pos;
                    rows += r;
                    positives += pos;
                }
                double fnw = sumY / sumW;
                double b = (double) positives / rows;
                double varFnw = 0;
                double varB = 0;
                for (int i = 0; i < n; i++) {
                    varFnw += Math.pow(ys[i] - fnw * ws[i], 2);
                    varB += Math.pow(posPer[i] - b * rowsPer[i], 2);
                }
                double seFnw = Math.sqrt(varFnw) / sumW;
                double seB = Math.sqrt(varB) / rows;
                // d/db of b / (1 - q b) is 1 / (1 - q b)^2.
                double seFnc = seB / Math.pow(1 - q * b, 2);
                assertThat(fnw).as("FNW p=%s q=%s", p, q).isCloseTo(p, within(4 * seFnw));
                assertThat(Recalibration.fromFakeNegatives(b, q))
                        .as("FNC p=%s q=%s", p, q)
                        .isCloseTo(p, within(4 * seFnc));
                if (p >= 0.2) {
                    // Here the naive rate is biased by more than its interval: the check can fail.
                    assertThat(Math.abs(b - p)).isGreaterThan(4 * seB);
                }
            }
        }
    }

    @Test
    void lateShareOneIsKtenasWeighting() {
        for (double f : PROBABILITIES) {
            assertThat(DelayedFeedback.fnwPositiveWeight(f, 1.0)).isCloseTo(1 + f, within(1e-15));
            assertThat(DelayedFeedback.fnwNegativeWeight(f, 1.0))
                    .isCloseTo((1 - f) * (1 + f), within(1e-15));
            assertThat(DelayedFeedback.fnwPositiveWeight(f, 0.0)).isEqualTo(1.0);
            assertThat(DelayedFeedback.fnwNegativeWeight(f, 0.0)).isEqualTo(1.0);
        }
        assertThat(DelayedFeedback.fnwNegativeWeight(1.0, 0.5)).isZero();
    }

    @Test
    void parsesTheOptionValuesAndRejectsOthers() {
        assertThat(DelayedFeedback.parse("none")).isEqualTo(DelayedFeedback.NONE);
        assertThat(DelayedFeedback.parse("FNW")).isEqualTo(DelayedFeedback.FNW);
        assertThat(DelayedFeedback.parse(" fnc ")).isEqualTo(DelayedFeedback.FNC);
        assertThat(DelayedFeedback.FNC.id()).isEqualTo("fnc");
        assertThatThrownBy(() -> DelayedFeedback.parse("ips"))
                .hasMessageContaining("none, fnw, fnc")
                .hasMessageContaining("ips");
        assertThatThrownBy(() -> DelayedFeedback.fnwWeight(1.5, 1, 0.5))
                .hasMessageContaining("f must be in [0, 1]");
        assertThatThrownBy(() -> DelayedFeedback.fnwWeight(0.5, 1, -0.1))
                .hasMessageContaining("q must be in [0, 1]");
    }

    private static double weightedLoss(List<Row> rows, double f, double p, double q) {
        double loss = 0;
        for (Row r : rows) {
            double w = DelayedFeedback.fnwWeight(p, r.label(), q);
            loss -= r.mass() * w * (r.label() * Math.log(f) + (1 - r.label()) * Math.log(1 - f));
        }
        return loss;
    }
}
