package dev.counterweight.learner.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.counterweight.connectors.kafka.Topics;
import dev.counterweight.core.weighting.DelayedFeedback;
import dev.counterweight.learner.backend.Device;
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

    @Test
    void validationLimitsAreReadAndAnUnusableOneNamesItsKey() {
        Map<String, String> m = required();
        m.put(LearnerOptions.VALIDATION_MAX_ABS_FEATURE.key(), "1e6");
        m.put(LearnerOptions.DLQ_TOPIC.key(), "other-dlq");
        LearnerSettings s = LearnerSettings.from(Configuration.fromMap(m));
        assertThat(s.validation().maxAbsFeature()).isEqualTo(1e6);
        assertThat(s.dlqTopic()).isEqualTo("other-dlq");

        for (String[] bad :
                new String[][] {
                    {LearnerOptions.VALIDATION_MAX_ABS_FEATURE.key(), "NaN"},
                    {LearnerOptions.VALIDATION_MAX_ABS_FEATURE.key(), "0"},
                    {LearnerOptions.VALIDATION_MAX_WEIGHT.key(), "1e39"},
                    {LearnerOptions.VALIDATION_MAX_FEATURES.key(), "13"},
                    {LearnerOptions.VALIDATION_MAX_ID_LENGTH.key(), "0"}
                }) {
            Map<String, String> c = required();
            c.put(bad[0], bad[1]);
            assertThatThrownBy(() -> LearnerSettings.from(Configuration.fromMap(c)))
                    .as("%s = %s", bad[0], bad[1])
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(bad[0]);
        }
    }

    @Test
    void aMisspeltKeyFailsNamingItAndTheNearestKnownKey() {
        Map<String, String> typo = required();
        typo.put("learner.batchsize", "64");
        assertThatThrownBy(() -> LearnerSettings.from(Configuration.fromMap(typo)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "Unknown option 'learner.batchsize' (nearest known option:"
                                + " 'learner.batch-size')");
        Map<String, String> model = required();
        model.put("model.embeding-dim", "4");
        assertThatThrownBy(() -> LearnerSettings.from(Configuration.fromMap(model)))
                .hasMessageContaining("'model.embeding-dim'")
                .hasMessageContaining("'model.embedding-dim'");
    }

    @Test
    void theKafkaPassThroughAndKeysOfOtherServicesStayOpen() {
        Map<String, String> m = required();
        m.put("learner.kafka.properties.security.protocol", "SASL_SSL");
        m.put("state.backend.type", "rocksdb");
        LearnerSettings s = LearnerSettings.from(Configuration.fromMap(m));
        assertThat(s.kafkaProperties()).containsEntry("security.protocol", "SASL_SSL");
    }

    @Test
    void theDeviceIsAClosedChoiceInAnyCase() {
        Map<String, String> cpu = required();
        cpu.put(LearnerOptions.DEVICE.key(), "cpu");
        assertThat(LearnerSettings.from(Configuration.fromMap(cpu)).backend().device())
                .isEqualTo(Device.CPU);
        assertThat(LearnerSettings.from(Configuration.fromMap(required())).backend().device())
                .isEqualTo(Device.AUTO);
        Map<String, String> tpu = required();
        tpu.put(LearnerOptions.DEVICE.key(), "tpu");
        assertThatThrownBy(() -> LearnerSettings.from(Configuration.fromMap(tpu)))
                .hasMessage(
                        "Invalid value 'tpu' for option 'learner.device': expected one of AUTO,"
                                + " CPU, GPU");
    }

    @Test
    void topicDefaultsAreTheRegistryNames() {
        LearnerSettings s = LearnerSettings.from(Configuration.fromMap(required()));
        assertThat(s.samplesTopic()).isEqualTo(Topics.WEIGHTED_SAMPLES.name());
        assertThat(s.snapshotsTopic()).isEqualTo(Topics.MODEL_SNAPSHOTS.name());
        assertThat(s.classLossTopic()).isEqualTo(Topics.CLASS_LOSS.name());
    }

    private static Map<String, String> required() {
        Map<String, String> m = new HashMap<>();
        m.put(LearnerOptions.BOOTSTRAP_SERVERS.key(), "127.0.0.1:9092");
        m.put(LearnerOptions.SNAPSHOT_DIR.key(), "target/unused-snapshots");
        return m;
    }
}
