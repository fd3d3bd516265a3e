package dev.counterweight.core.attribution;

import static dev.counterweight.core.attribution.ExposureWindow.Outcome.*;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * {@code attribution.window} 0 is legal: the sample is due at the exposure's own event time (the
 * latency benchmark uses it, so its figure is processing time, not waiting for labels); only
 * actions at exactly that millisecond set labels, and a later purchase becomes a correction.
 */
class ZeroWindowTest {

    private static final AttributionRules ZERO = new AttributionRules(0, 5_000);

    @Test
    void theWindowClosesAtTheExposureItself() {
        ExposureWindow w = ExposureWindow.open(1_000);
        assertThat(w.closesAt(ZERO)).isEqualTo(1_000);
        assertThat(w.expiresAt(ZERO)).isEqualTo(6_000);
    }

    @Test
    void onlyActionsAtTheSameMillisecondSetLabels() {
        ExposureWindow same = ExposureWindow.open(1_000);
        assertThat(same.apply(Action.CLICK, 1_000, ZERO)).isEqualTo(CLICK_ATTRIBUTED);

        ExposureWindow later = ExposureWindow.open(1_000);
        assertThat(later.apply(Action.CLICK, 1_001, ZERO)).isEqualTo(IGNORED);
        assertThat(later.close()).isFalse();
        assertThat(later.clicked).isFalse();
    }

    @Test
    void aPurchaseAfterTheClosedZeroWindowIsACorrection() {
        ExposureWindow w = ExposureWindow.open(1_000);
        assertThat(w.close()).isFalse();
        assertThat(w.apply(Action.PURCHASE, 1_001, ZERO)).isEqualTo(CORRECTION);
        assertThat(w.apply(Action.PURCHASE, 1_002, ZERO)).isEqualTo(IGNORED);
    }
}
