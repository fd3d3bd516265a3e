package dev.counterweight.learner.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.counterweight.avro.Sample;
import dev.counterweight.avro.SnapshotCalibration;
import dev.counterweight.core.attribution.ClassKeyMode;
import dev.counterweight.core.weighting.DelayedFeedback;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class CalibrationLedgerTest {

    @Test
    void recordsTheNewestWeightPerClassTheKeyModeAndTheLateShare() {
        CalibrationLedger ledger = new CalibrationLedger();
        ledger.observe(
                List.of(
                        sample("cat=1|y=none", 1.0, 2, false, false, false),
                        sample("cat=1|y=purchase", 9.0, 3, true, false, false),
                        sample("cat=1|y=purchase", 7.0, 2, true, true, false), // older table
                        sample("cat=1|y=purchase", 8.0, 3, true, true, false),
                        sample("cat=1|y=purchase", 8.0, 3, true, true, false),
                        sample("cat=1|y=purchase", 8.0, 3, true, false, true))); // synthetic

        SnapshotCalibration c = ledger.calibration(DelayedFeedback.FNC, 0.3);

        assertThat(c.getDelayedFeedback()).isEqualTo("fnc");
        assertThat(c.getLateShare()).isEqualTo(0.3);
        assertThat(c.getClassKeyMode()).isEqualTo(ClassKeyMode.CATEGORY_LABEL.name());
        assertThat(c.getClassWeights()).containsEntry("cat=1|y=none", 1.0);
        assertThat(c.getClassWeights()).containsEntry("cat=1|y=purchase", 8.0);
        assertThat(c.getWeightTableVersions()).containsExactly(2L, 3L);
        // One in-window conversion, three corrections (the synthetic one not counted).
        assertThat(c.getObservedLateShare()).isEqualTo(3.0 / 4.0);
        assertThat(ledger.calibration(DelayedFeedback.NONE, 0.3).getLateShare()).isZero();
    }

    @Test
    void mixedOrUnknownKeysHaveNoMode() {
        CalibrationLedger ledger = new CalibrationLedger();
        ledger.observe(List.of(sample("y=click", 1.0, 1, false, false, false)));
        assertThat(ledger.classKeyMode()).isEqualTo(ClassKeyMode.LABEL);
        ledger.observe(List.of(sample("pop=3", 1.0, 1, false, false, false)));
        assertThat(ledger.classKeyMode()).isNull();
        assertThat(CalibrationLedger.modeOf("cat=4")).isEqualTo(ClassKeyMode.CATEGORY);
        assertThat(CalibrationLedger.modeOf("other")).isNull();
    }

    private static Sample sample(
            String key,
            double weight,
            long version,
            boolean conversion,
            boolean correction,
            boolean synthetic) {
        return Sample.newBuilder()
                .setSampleId(key + version)
                .setUserId("u")
                .setItemId("i")
                .setCategoryId("1")
                .setExposureTime(Instant.EPOCH)
                .setClosedAt(Instant.EPOCH)
                .setClick(conversion)
                .setConversion(conversion)
                .setClassKey(key)
                .setFeatures(List.of())
                .setWeight(weight)
                .setClassWeight(weight)
                .setWeightTableVersion(version)
                .setCorrection(correction)
                .setSynthetic(synthetic)
                .build();
    }
}
