package dev.counterweight.learner.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.counterweight.avro.SnapshotCalibration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The order of the corrections, checked against a stream built by hand: true rates, then the stream
 * with corrections, then class weights; the calibration must walk back to the truth.
 */
class ScoreCalibrationTest {

    @Test
    void fncWithClassWeightsWalksBackToTheTrueRates() {
        double c = 0.2; // true CTR
        double p = 0.05; // true CTCVR
        double q = 0.4; // late share
        // The stream per exposure: a window sample (none / click / purchase-in-window) and, for a
        // late conversion, a correction row (click and purchase).
        double none = 1 - c;
        double click = c - (1 - q) * p; // clicks whose purchase is late or absent
        double purchase = (1 - q) * p + q * p; // in-window purchases plus corrections
        double rows = 1 + q * p;
        double[] s = {none / rows, click / rows, purchase / rows};
        double[] w = {0.5, 3.0, 12.0};
        double z = w[0] * s[0] + w[1] * s[1] + w[2] * s[2];
        double rawCtr = (w[1] * s[1] + w[2] * s[2]) / z;
        double rawCtcvr = w[2] * s[2] / z;

        ScoreCalibration cal =
                ScoreCalibration.of(
                        record(
                                "fnc",
                                q,
                                "CATEGORY_LABEL",
                                Map.of(
                                        "cat=7|y=none",
                                        w[0],
                                        "cat=7|y=click",
                                        w[1],
                                        "cat=7|y=purchase",
                                        w[2])));
        double[] out = cal.calibrate(rawCtr, rawCtcvr, "7", 1.0);

        assertThat(out[0]).isCloseTo(c, within(1e-12));
        assertThat(out[2]).isCloseTo(p, within(1e-12));
        assertThat(out[1]).isCloseTo(p / c, within(1e-12));
    }

    @Test
    void noneLeavesDelayedFeedbackAloneAndLabelFreeKeysAreNotCorrected() {
        ScoreCalibration none =
                ScoreCalibration.of(record("none", 0.0, "CATEGORY", Map.of("cat=7", 5.0)));
        assertThat(none.undoesClassWeights()).isFalse();
        double[] out = none.calibrate(0.2, 0.05, "7", 1.0);
        assertThat(out).containsExactly(new double[] {0.2, 0.25, 0.05}, within(1e-15));
        // No record at all: served as trained apart from down-sampling.
        double[] legacy = ScoreCalibration.of(null).calibrate(0.2, 0.05, "7", 0.5);
        assertThat(legacy[0]).isCloseTo(0.2 / (0.2 + 0.8 / 0.5), within(1e-15));
    }

    @Test
    void anUnseenClassTakesTheLargestRecordedWeight() {
        ScoreCalibration cal =
                ScoreCalibration.of(
                        record("none", 0.0, "LABEL", Map.of("y=none", 1.0, "y=click", 4.0)));
        ScoreCalibration explicit =
                ScoreCalibration.of(
                        record(
                                "none",
                                0.0,
                                "LABEL",
                                Map.of("y=none", 1.0, "y=click", 4.0, "y=purchase", 4.0)));
        assertThat(cal.calibrate(0.3, 0.1, "x", 1.0))
                .containsExactly(explicit.calibrate(0.3, 0.1, "x", 1.0), within(0.0));
    }

    @Test
    void rejectsUnusableRecords() {
        assertThatThrownBy(() -> ScoreCalibration.of(record("ips", 0.0, null, Map.of())))
                .hasMessageContaining("none, fnw, fnc");
        assertThatThrownBy(() -> ScoreCalibration.of(record("fnc", 2.0, null, Map.of())))
                .hasMessageContaining("lateShare");
        assertThatThrownBy(
                        () ->
                                ScoreCalibration.of(
                                        record("none", 0.0, "LABEL", Map.of("y=none", 0.0))))
                .hasMessageContaining("y=none");
    }

    private static SnapshotCalibration record(
            String feedback, double q, String mode, Map<String, Double> weights) {
        return SnapshotCalibration.newBuilder()
                .setDelayedFeedback(feedback)
                .setLateShare(q)
                .setObservedLateShare(null)
                .setClassKeyMode(mode)
                .setClassWeights(weights)
                .setWeightTableVersions(List.of(1L))
                .build();
    }
}
