package dev.counterweight.learner.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.counterweight.core.weighting.DelayedFeedback;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

/** Every learner option is listed (so it reaches the docs) and the gate's options are checked. */
class LearnerOptionsTest {

    @Test
    void allListsEveryDeclaredOption() throws IllegalAccessException {
        List<ConfigOption<?>> declared = new ArrayList<>();
        for (Field f : LearnerOptions.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers())
                    && ConfigOption.class.isAssignableFrom(f.getType())) {
                declared.add((ConfigOption<?>) f.get(null));
            }
        }
        assertThat(declared).isNotEmpty();
        assertThat(LearnerOptions.all()).containsExactlyInAnyOrderElementsOf(declared);
    }

    @Test
    void gateSettingsAreReadAndANegativeAllowanceNamesItsKey() {
        LearnerSettings defaults = LearnerSettings.from(Configuration.fromMap(required()));
        assertThat(defaults.gateAucStandardErrors())
                .isEqualTo(LearnerOptions.GATE_AUC_STANDARD_ERRORS.defaultValue());
        assertThat(defaults.gateMinSamples())
                .isEqualTo(LearnerOptions.GATE_MIN_SAMPLES.defaultValue());

        Map<String, String> bad = required();
        bad.put(LearnerOptions.GATE_AUC_STANDARD_ERRORS.key(), "-1");
        assertThatThrownBy(() -> LearnerSettings.from(Configuration.fromMap(bad)))
                .hasMessageContaining("learner.gate.auc-standard-errors");
    }

    @Test
    void delayedFeedbackIsReadCaseInsensitivelyAndBadValuesNameTheirKey() {
        LearnerSettings defaults = LearnerSettings.from(Configuration.fromMap(required()));
        assertThat(defaults.delayedFeedback()).isEqualTo(DelayedFeedback.NONE);
        assertThat(defaults.lateShare()).isEqualTo(1.0);

        Map<String, String> fnc = required();
        fnc.put(LearnerOptions.DELAYED_FEEDBACK.key(), "fnc");
        fnc.put(LearnerOptions.DELAYED_FEEDBACK_LATE_SHARE.key(), "0.25");
        LearnerSettings settings = LearnerSettings.from(Configuration.fromMap(fnc));
        assertThat(settings.delayedFeedback()).isEqualTo(DelayedFeedback.FNC);
        assertThat(settings.lateShare()).isEqualTo(0.25);

        Map<String, String> unknown = required();
        unknown.put(LearnerOptions.DELAYED_FEEDBACK.key(), "ips");
        assertThatThrownBy(() -> LearnerSettings.from(Configuration.fromMap(unknown)))
                .hasMessageContaining("learner.delayed-feedback");
        Map<String, String> share = required();
        share.put(LearnerOptions.DELAYED_FEEDBACK_LATE_SHARE.key(), "1.5");
        assertThatThrownBy(() -> LearnerSettings.from(Configuration.fromMap(share)))
                .hasMessageContaining("learner.delayed-feedback.late-share");
    }

    private static Map<String, String> required() {
        Map<String, String> m = new HashMap<>();
        m.put(LearnerOptions.BOOTSTRAP_SERVERS.key(), "127.0.0.1:9092");
        m.put(LearnerOptions.SNAPSHOT_DIR.key(), "target/unused-snapshots");
        return m;
    }
}
