package dev.counterweight.learner.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class QualityGateTest {

    private final QualityGate gate = new QualityGate(0.02, 0.05, 0);

    @Test
    void firstSnapshotPassesAndSmallChangesPass() {
        assertThat(gate.violations(Map.of("ctr.auc", 0.7), null)).isEmpty();
        assertThat(
                        gate.violations(
                                Map.of("ctr.auc", 0.69, "ctr.logloss", 0.52),
                                Map.of("ctr.auc", 0.70, "ctr.logloss", 0.50)))
                .isEmpty();
    }

    @Test
    void aucDropAndLossRiseBeyondTheToleranceFail() {
        assertThat(
                        gate.violations(
                                Map.of("ctcvr.macro-auc", 0.60), Map.of("ctcvr.macro-auc", 0.65)))
                .singleElement()
                .asString()
                .contains("ctcvr.macro-auc");
        assertThat(gate.violations(Map.of("ctr.logloss", 0.60), Map.of("ctr.logloss", 0.50)))
                .singleElement()
                .asString()
                .contains("ctr.logloss");
    }

    @Test
    void tooFewEvaluatedSamplesNeverPass() {
        QualityGate strict = new QualityGate(0.02, 0.05, 5_000);
        assertThat(strict.violations(Map.of("eval.samples", 512.0, "ctr.auc", 0.9), null))
                .singleElement()
                .asString()
                .contains("learner.gate.min-samples");
        assertThat(strict.violations(Map.of("eval.samples", 5_000.0, "ctr.auc", 0.6), null))
                .isEmpty();
    }

    @Test
    void undefinedMetricsAreNotCompared() {
        assertThat(gate.violations(Map.of("ctr.auc", Double.NaN), Map.of("ctr.auc", 0.9)))
                .isEmpty();
    }
}
