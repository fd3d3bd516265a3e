package dev.counterweight.learner.service;

import static dev.counterweight.learner.service.LearnerOptions.*;

import dev.counterweight.connectors.features.FeatureLayout;
import dev.counterweight.connectors.kafka.ClientProperties;
import dev.counterweight.core.config.KeySpace;
import dev.counterweight.core.weighting.DelayedFeedback;
import dev.counterweight.learner.backend.BackendOptions;
import dev.counterweight.learner.backend.Device;
import dev.counterweight.learner.model.ModelConfig;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;

/**
 * Validated learner settings; {@link #from} fails naming the key of a bad value. {@code
 * kafkaProperties} are the {@value LearnerOptions#KAFKA_PROPERTIES_PREFIX}* options with the prefix
 * removed, handed to the learner's consumer, producer and start-up check; they print masked. {@code
 * validation} are the limits of the {@link SampleValidator}.
 */
public record LearnerSettings(
        String bootstrapServers,
        Map<String, String> kafkaProperties,
        String samplesTopic,
        String snapshotsTopic,
        String classLossTopic,
        String modelName,
        Path snapshotDir,
        int snapshotRetention,
        long snapshotEverySamples,
        Duration snapshotInterval,
        int batchSize,
        Duration batchTimeout,
        int evalWindow,
        int classLossEveryBatches,
        double gateMaxAucDrop,
        double gateAucStandardErrors,
        double gateMaxNeRise,
        long gateMinSamples,
        double gateMaxCalibrationRatio,
        Duration maxIdle,
        ModelConfig model,
        BackendOptions backend,
        int healthPort,
        String dlqTopic,
        SampleValidator.Limits validation,
        DelayedFeedback delayedFeedback,
        double lateShare) {

    /**
     * Reads and validates every option. An unknown key in the learner's namespaces fails first,
     * naming the nearest known key (see {@link LearnerOptions#keySpace()}).
     */
    public static LearnerSettings from(Configuration c) {
        LearnerOptions.keySpace().requireKnown(c.keySet());
        String rawDevice = c.toMap().get(DEVICE.key());
        if (rawDevice != null) {
            KeySpace.requireChoice(
                    DEVICE.key(),
                    rawDevice,
                    Arrays.stream(Device.values()).map(Device::name).toList());
        }
        String rawFeedback = c.toMap().get(DELAYED_FEEDBACK.key());
        if (rawFeedback != null) {
            KeySpace.requireChoice(
                    DELAYED_FEEDBACK.key(),
                    rawFeedback,
                    Arrays.stream(DelayedFeedback.values()).map(DelayedFeedback::name).toList());
        }
        String bootstrap = c.get(BOOTSTRAP_SERVERS);
        if (bootstrap == null || bootstrap.isBlank()) {
            throw new IllegalArgumentException(
                    "Missing required option '" + BOOTSTRAP_SERVERS.key() + "'");
        }
        String dir = c.get(SNAPSHOT_DIR);
        if (dir == null || dir.isBlank()) {
            throw new IllegalArgumentException(
                    "Missing required option '" + SNAPSHOT_DIR.key() + "'");
        }
        List<Integer> bottom = c.get(BOTTOM_LAYERS);
        ModelConfig model;
        try {
            model =
                    new ModelConfig(
                            positive(c, USER_VOCAB),
                            positive(c, ITEM_VOCAB),
                            positive(c, CATEGORY_VOCAB),
                            positive(c, EMBEDDING_DIM),
                            atLeast(c, DENSE_FEATURES, 0),
                            bottom.stream().mapToInt(Integer::intValue).toArray(),
                            positive(c, TOWER_WIDTH),
                            c.get(LEARNING_RATE),
                            c.get(SEED),
                            c.get(MMOE),
                            c.get(EXPERTS));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("Invalid model option: " + e.getMessage(), e);
        }
        Device device = c.get(DEVICE);
        double aucDrop = c.get(GATE_MAX_AUC_DROP);
        if (!(aucDrop >= 0)) {
            throw invalid(GATE_MAX_AUC_DROP, aucDrop, "not negative");
        }
        double aucErrors = c.get(GATE_AUC_STANDARD_ERRORS);
        if (!(aucErrors >= 0) || Double.isInfinite(aucErrors)) {
            throw invalid(GATE_AUC_STANDARD_ERRORS, aucErrors, "finite and not negative");
        }
        double neRise = c.get(GATE_MAX_NE_RISE);
        if (!(neRise >= 0)) {
            throw invalid(GATE_MAX_NE_RISE, neRise, "not negative");
        }
        double calibrationRatio = c.get(GATE_MAX_CALIBRATION_RATIO);
        if (!(calibrationRatio > 1)) {
            throw invalid(GATE_MAX_CALIBRATION_RATIO, calibrationRatio, "greater than 1");
        }
        return new LearnerSettings(
                bootstrap,
                ClientProperties.withPrefix(c.toMap(), KAFKA_PROPERTIES_PREFIX),
                c.get(SAMPLES_TOPIC),
                c.get(SNAPSHOTS_TOPIC),
                c.get(CLASS_LOSS_TOPIC),
                c.get(MODEL_NAME),
                Paths.get(dir).toAbsolutePath().normalize(),
                positive(c, SNAPSHOT_RETENTION),
                positiveLong(c, SNAPSHOT_EVERY_SAMPLES),
                nonNegative(c, SNAPSHOT_INTERVAL),
                positive(c, BATCH_SIZE),
                nonNegative(c, BATCH_TIMEOUT),
                positive(c, EVAL_WINDOW),
                atLeast(c, CLASS_LOSS_EVERY_BATCHES, 0),
                aucDrop,
                aucErrors,
                neRise,
                nonNegativeLong(c, GATE_MIN_SAMPLES),
                calibrationRatio,
                nonNegative(c, MAX_IDLE),
                model,
                new BackendOptions(device, positive(c, OMP_THREADS)),
                healthPort(c),
                c.get(DLQ_TOPIC),
                validation(c),
                c.get(DELAYED_FEEDBACK),
                lateShare(c));
    }

    private static double lateShare(Configuration c) {
        double q = c.get(DELAYED_FEEDBACK_LATE_SHARE);
        if (!(q >= 0 && q <= 1)) {
            throw invalid(DELAYED_FEEDBACK_LATE_SHARE, q, "a share in [0, 1]");
        }
        return q;
    }

    private static SampleValidator.Limits validation(Configuration c) {
        int maxFeatures = atLeast(c, VALIDATION_MAX_FEATURES, FeatureLayout.DENSE);
        double maxAbs = c.get(VALIDATION_MAX_ABS_FEATURE);
        if (!(maxAbs > 0) || Double.isInfinite(maxAbs)) {
            throw invalid(VALIDATION_MAX_ABS_FEATURE, maxAbs, "finite and positive");
        }
        double maxWeight = c.get(VALIDATION_MAX_WEIGHT);
        if (!(maxWeight > 0 && maxWeight <= Float.MAX_VALUE)) {
            throw invalid(VALIDATION_MAX_WEIGHT, maxWeight, "positive and a finite float");
        }
        return new SampleValidator.Limits(
                maxFeatures, maxAbs, maxWeight, positive(c, VALIDATION_MAX_ID_LENGTH));
    }

    private static int healthPort(Configuration c) {
        int port = c.get(HEALTH_PORT);
        if (port < 0 || port > 65535) {
            throw invalid(HEALTH_PORT, port, "0 (off) or a port number");
        }
        return port;
    }

    private static int positive(Configuration c, ConfigOption<Integer> o) {
        return atLeast(c, o, 1);
    }

    private static int atLeast(Configuration c, ConfigOption<Integer> o, int min) {
        int v = c.get(o);
        if (v < min) {
            throw invalid(o, v, "at least " + min);
        }
        return v;
    }

    private static long positiveLong(Configuration c, ConfigOption<Long> o) {
        long v = c.get(o);
        if (v < 1) {
            throw invalid(o, v, "positive");
        }
        return v;
    }

    private static long nonNegativeLong(Configuration c, ConfigOption<Long> o) {
        long v = c.get(o);
        if (v < 0) {
            throw invalid(o, v, "not negative");
        }
        return v;
    }

    private static Duration nonNegative(Configuration c, ConfigOption<Duration> o) {
        Duration d = c.get(o);
        if (d.isNegative()) {
            throw invalid(o, d, "not negative");
        }
        return d;
    }

    private static IllegalArgumentException invalid(ConfigOption<?> o, Object v, String expected) {
        return new IllegalArgumentException(
                "Invalid value '"
                        + v
                        + "' for option '"
                        + o.key()
                        + "': expected "
                        + expected
                        + ". "
                        + o.description());
    }
}
