package dev.counterweight.learner.service;

import dev.counterweight.connectors.kafka.Topics;
import dev.counterweight.core.config.KeySpace;
import dev.counterweight.core.weighting.DelayedFeedback;
import dev.counterweight.learner.backend.Device;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/**
 * Every setting of the online learner as a typed, documented option (pass as {@code --key value}).
 * {@link LearnerSettings#from} validates them and fails naming the key.
 *
 * <p>The surface is closed: a key in the learner's namespaces ({@code learner.}, {@code model.})
 * that is not declared here fails at start, naming the nearest declared key; the {@value
 * #KAFKA_PROPERTIES_PREFIX}* pass-through stays open.
 */
public final class LearnerOptions {

    private LearnerOptions() {}

    /**
     * Prefix of Kafka client pass-through settings: {@code
     * learner.kafka.properties.security.protocol SASL_SSL} sets {@code security.protocol=SASL_SSL}
     * on the learner's consumer, producer and start-up check. Values of keys containing password,
     * secret, jaas, token or key are never logged.
     */
    public static final String KAFKA_PROPERTIES_PREFIX = "learner.kafka.properties.";

    public static final ConfigOption<String> BOOTSTRAP_SERVERS =
            ConfigOptions.key("learner.bootstrap-servers")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Kafka bootstrap servers. Required.");

    public static final ConfigOption<String> SAMPLES_TOPIC =
            ConfigOptions.key("learner.samples-topic")
                    .stringType()
                    .defaultValue(Topics.WEIGHTED_SAMPLES.name())
                    .withDescription("Topic of weighted Sample records to train on.");

    public static final ConfigOption<String> SNAPSHOTS_TOPIC =
            ConfigOptions.key("learner.snapshots-topic")
                    .stringType()
                    .defaultValue(Topics.MODEL_SNAPSHOTS.name())
                    .withDescription(
                            "Compacted topic where snapshots passing the gate are announced.");

    public static final ConfigOption<String> CLASS_LOSS_TOPIC =
            ConfigOptions.key("learner.class-loss-topic")
                    .stringType()
                    .defaultValue(Topics.CLASS_LOSS.name())
                    .withDescription("Topic of per-class mean progressive-validation loss.");

    public static final ConfigOption<String> DLQ_TOPIC =
            ConfigOptions.key("learner.dlq-topic")
                    .stringType()
                    .defaultValue(Topics.LEARNER_DLQ.name())
                    .withDescription(
                            "Topic of DeadLetter records for samples the learner cannot train on"
                                    + " (reason code, source partition and offset, raw bytes); their"
                                    + " offsets count as consumed.");

    public static final ConfigOption<String> MODEL_NAME =
            ConfigOptions.key("learner.model-name")
                    .stringType()
                    .defaultValue("ranker")
                    .withDescription("Name of the model line; one learner per name.");

    public static final ConfigOption<String> SNAPSHOT_DIR =
            ConfigOptions.key("learner.snapshot-dir")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Directory of model files and manifests. Required.");

    public static final ConfigOption<Integer> SNAPSHOT_RETENTION =
            ConfigOptions.key("learner.snapshot-retention")
                    .intType()
                    .defaultValue(5)
                    .withDescription("Snapshots kept on disk (older ones are deleted).");

    public static final ConfigOption<Long> SNAPSHOT_EVERY_SAMPLES =
            ConfigOptions.key("learner.snapshot-every-samples")
                    .longType()
                    .defaultValue(20_000L)
                    .withDescription(
                            "Write a snapshot after this many samples trained since the last.");

    public static final ConfigOption<Duration> SNAPSHOT_INTERVAL =
            ConfigOptions.key("learner.snapshot-interval")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(20))
                    .withDescription(
                            "Write a snapshot at least this often while samples arrive; 0 disables"
                                    + " the time trigger.");

    public static final ConfigOption<Integer> BATCH_SIZE =
            ConfigOptions.key("learner.batch-size")
                    .intType()
                    .defaultValue(1024)
                    .withDescription("Samples per mini-batch.");

    public static final ConfigOption<Duration> BATCH_TIMEOUT =
            ConfigOptions.key("learner.batch-timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(2))
                    .withDescription(
                            "Train a partial batch after this long; 0 = only full batches (batch"
                                    + " boundaries then depend on the input only).");

    public static final ConfigOption<Integer> EVAL_WINDOW =
            ConfigOptions.key("learner.eval-window")
                    .intType()
                    .defaultValue(20_000)
                    .withDescription("Samples in the sliding progressive-validation window.");

    public static final ConfigOption<Integer> CLASS_LOSS_EVERY_BATCHES =
            ConfigOptions.key("learner.class-loss-every-batches")
                    .intType()
                    .defaultValue(10)
                    .withDescription("Publish per-class loss every this many batches; 0 disables.");

    public static final ConfigOption<Double> GATE_MAX_AUC_DROP =
            ConfigOptions.key("learner.gate.max-auc-drop")
                    .doubleType()
                    .defaultValue(0.02)
                    .withDescription(
                            "A snapshot is announced only if its CTR and CTCVR AUC (overall and"
                                    + " macro) are at most this much below the last announced one.");

    public static final ConfigOption<Double> GATE_AUC_STANDARD_ERRORS =
            ConfigOptions.key("learner.gate.auc-standard-errors")
                    .doubleType()
                    .defaultValue(2.0)
                    .withDescription(
                            "... or, if larger, this many standard errors of the AUC difference"
                                    + " (Hanley-McNeil, from both windows' label counts), so that"
                                    + " one lucky window with few purchases does not block every"
                                    + " later snapshot. 0 keeps only the fixed drop. The same"
                                    + " number of standard errors widens the normalized-entropy"
                                    + " and calibration checks.");

    public static final ConfigOption<Double> GATE_MAX_NE_RISE =
            ConfigOptions.key("learner.gate.max-ne-rise")
                    .doubleType()
                    .defaultValue(0.05)
                    .withDescription(
                            "... and its CTR and CTCVR normalized entropy (log loss divided by the"
                                    + " entropy of the window's base rate, so a window with fewer"
                                    + " clicks does not look worse) at most this much (relative)"
                                    + " above it, plus learner.gate.auc-standard-errors standard"
                                    + " errors of the difference.");

    public static final ConfigOption<Double> GATE_MAX_CALIBRATION_RATIO =
            ConfigOptions.key("learner.gate.max-calibration-ratio")
                    .doubleType()
                    .defaultValue(1.5)
                    .withDescription(
                            "... and its CTR and CTCVR calibration in the large (weighted mean"
                                    + " score over weighted mean label: what the weighted loss"
                                    + " trains the raw score towards) off by at most this factor"
                                    + " more than the last announced one's, widened by"
                                    + " learner.gate.auc-standard-errors standard errors of the"
                                    + " difference of the ratios' logarithms. Must be > 1.");

    public static final ConfigOption<Long> GATE_MIN_SAMPLES =
            ConfigOptions.key("learner.gate.min-samples")
                    .longType()
                    .defaultValue(5_000L)
                    .withDescription(
                            "A snapshot is announced only after this many samples were evaluated"
                                    + " since the learner started: a tiny window's AUC is noise and"
                                    + " must not become the gate's baseline.");

    public static final ConfigOption<Duration> MAX_IDLE =
            ConfigOptions.key("learner.max-idle")
                    .durationType()
                    .defaultValue(Duration.ZERO)
                    .withDescription(
                            "Stop (with a final snapshot) after this long without new samples; 0"
                                    + " runs forever.");

    public static final ConfigOption<Integer> VALIDATION_MAX_FEATURES =
            ConfigOptions.key("learner.validation.max-features")
                    .intType()
                    .defaultValue(1024)
                    .withDescription(
                            "A sample with more features is dead-lettered (OVERSIZED_FIELD); fewer"
                                    + " than the feature layout's fixed positions is WRONG_LAYOUT.");

    public static final ConfigOption<Double> VALIDATION_MAX_ABS_FEATURE =
            ConfigOptions.key("learner.validation.max-abs-feature")
                    .doubleType()
                    .defaultValue(1e9)
                    .withDescription(
                            "A sample with a feature of larger magnitude is dead-lettered"
                                    + " (FEATURE_OUT_OF_RANGE; NaN and infinities are"
                                    + " NON_FINITE_FEATURE): a sanity bound against corrupt"
                                    + " producers; inputs are squashed with sign(x)·log1p|x|, so it"
                                    + " can be generous.");

    public static final ConfigOption<Double> VALIDATION_MAX_WEIGHT =
            ConfigOptions.key("learner.validation.max-weight")
                    .doubleType()
                    .defaultValue(1e6)
                    .withDescription(
                            "A sample whose weight or class weight is NaN, negative or above this"
                                    + " is dead-lettered (BAD_WEIGHT, BAD_CLASS_WEIGHT); a sampling"
                                    + " rate outside (0, 1] is BAD_SAMPLING_RATE.");

    public static final ConfigOption<Integer> VALIDATION_MAX_ID_LENGTH =
            ConfigOptions.key("learner.validation.max-id-length")
                    .intType()
                    .defaultValue(256)
                    .withDescription(
                            "A sample with a longer user, item or category id is dead-lettered"
                                    + " (OVERSIZED_FIELD); an empty one is MISSING_ID.");

    public static final ConfigOption<Integer> USER_VOCAB =
            ConfigOptions.key("model.user-vocab")
                    .intType()
                    .defaultValue(50_000)
                    .withDescription("Hashed user vocabulary size.");

    public static final ConfigOption<Integer> ITEM_VOCAB =
            ConfigOptions.key("model.item-vocab")
                    .intType()
                    .defaultValue(100_000)
                    .withDescription("Hashed item vocabulary size.");

    public static final ConfigOption<Integer> CATEGORY_VOCAB =
            ConfigOptions.key("model.category-vocab")
                    .intType()
                    .defaultValue(10_000)
                    .withDescription("Hashed category vocabulary size.");

    public static final ConfigOption<Integer> EMBEDDING_DIM =
            ConfigOptions.key("model.embedding-dim")
                    .intType()
                    .defaultValue(8)
                    .withDescription("Embedding width of users, items and categories.");

    public static final ConfigOption<Integer> DENSE_FEATURES =
            ConfigOptions.key("model.dense-features")
                    .intType()
                    .defaultValue(16)
                    .withDescription(
                            "Dense inputs: the first N sample features (sign(x)·log1p|x|),"
                                    + " zero-padded.");

    public static final ConfigOption<List<Integer>> BOTTOM_LAYERS =
            ConfigOptions.key("model.bottom-layers")
                    .intType()
                    .asList()
                    .defaultValues(64, 32)
                    .withDescription("Widths of the shared bottom MLP, separated by ';'.");

    public static final ConfigOption<Integer> TOWER_WIDTH =
            ConfigOptions.key("model.tower-width")
                    .intType()
                    .defaultValue(16)
                    .withDescription("Hidden width of the CTR and CVR towers.");

    public static final ConfigOption<Double> LEARNING_RATE =
            ConfigOptions.key("model.learning-rate")
                    .doubleType()
                    .defaultValue(0.001)
                    .withDescription("Adam learning rate.");

    public static final ConfigOption<Long> SEED =
            ConfigOptions.key("model.seed")
                    .longType()
                    .defaultValue(42L)
                    .withDescription("Seed of the initial parameters.");

    public static final ConfigOption<Boolean> MMOE =
            ConfigOptions.key("model.mmoe")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription("Use an MMoE bottom (experts + per-task gates).");

    public static final ConfigOption<Integer> EXPERTS =
            ConfigOptions.key("model.experts")
                    .intType()
                    .defaultValue(4)
                    .withDescription("Experts of the MMoE bottom.");

    public static final ConfigOption<Device> DEVICE =
            ConfigOptions.key("learner.device")
                    .enumType(Device.class)
                    .defaultValue(Device.AUTO)
                    .withDescription(
                            "AUTO, CPU or GPU (any case): the backend must pass a start-up"
                                    + " self-test; AUTO falls back to CPU, GPU stops with the"
                                    + " reason.");

    public static final ConfigOption<Integer> OMP_THREADS =
            ConfigOptions.key("learner.omp-threads")
                    .intType()
                    .defaultValue(Runtime.getRuntime().availableProcessors())
                    .withDescription(
                            "OpenMP/BLAS threads of the learner (default: available cores).");

    public static final ConfigOption<Integer> HEALTH_PORT =
            ConfigOptions.key("learner.health-port")
                    .intType()
                    .defaultValue(0)
                    .withDescription(
                            "Port of the HTTP endpoint for Kubernetes probes and Prometheus (/health,"
                                    + " /ready, /metrics), bound to all interfaces; 0 = off.");

    /**
     * How delayed conversions are trained and served; see {@link DelayedFeedback} for the
     * derivations.
     */
    public static final ConfigOption<DelayedFeedback> DELAYED_FEEDBACK =
            ConfigOptions.key("learner.delayed-feedback")
                    .enumType(DelayedFeedback.class)
                    .defaultValue(DelayedFeedback.NONE)
                    .withDescription(
                            "none|fnw|fnc. A purchase after the attribution window arrives as a"
                                    + " positive correction while the window's negative stays"
                                    + " (a fake negative). none: train both rows as they are"
                                    + " (conversion is under-predicted). fnw: fake-negative"
                                    + " weighting of the CTCVR loss (Ktena et al. 2019), weights"
                                    + " from the model's own prediction f with the gradient"
                                    + " stopped: positives 1 + q·f, negatives"
                                    + " (1 - f)(1 + q·f)/(1 - f + q·f). fnc: train naively, the"
                                    + " scorer serves b/(1 - q·b). With fnw and fnc the scorer"
                                    + " also removes the corrections' extra click rows from the"
                                    + " CTR. The setting is recorded in every snapshot.");

    public static final ConfigOption<Double> DELAYED_FEEDBACK_LATE_SHARE =
            ConfigOptions.key("learner.delayed-feedback.late-share")
                    .doubleType()
                    .defaultValue(1.0)
                    .withDescription(
                            "q in [0, 1]: the share of conversions that arrive after the"
                                    + " attribution window, for fnw and fnc. 1 is the setting of"
                                    + " Ktena et al. (every conversion first appears as a negative);"
                                    + " the learner records the share it observes in each"
                                    + " snapshot (calibration.observedLateShare), the value to"
                                    + " use for this stream.");

    /** The learner's closed key space: the keys of {@link #all()} and the Kafka pass-through. */
    public static KeySpace keySpace() {
        List<String> keys = new ArrayList<>();
        for (ConfigOption<?> o : all()) {
            keys.add(o.key());
        }
        return KeySpace.of(keys, List.of(KAFKA_PROPERTIES_PREFIX));
    }

    /** All options, for docs and {@code --help}. */
    public static List<ConfigOption<?>> all() {
        return List.of(
                BOOTSTRAP_SERVERS,
                SAMPLES_TOPIC,
                SNAPSHOTS_TOPIC,
                CLASS_LOSS_TOPIC,
                DLQ_TOPIC,
                MODEL_NAME,
                SNAPSHOT_DIR,
                SNAPSHOT_RETENTION,
                SNAPSHOT_EVERY_SAMPLES,
                SNAPSHOT_INTERVAL,
                BATCH_SIZE,
                BATCH_TIMEOUT,
                EVAL_WINDOW,
                CLASS_LOSS_EVERY_BATCHES,
                GATE_MAX_AUC_DROP,
                GATE_AUC_STANDARD_ERRORS,
                GATE_MAX_NE_RISE,
                GATE_MAX_CALIBRATION_RATIO,
                GATE_MIN_SAMPLES,
                MAX_IDLE,
                VALIDATION_MAX_FEATURES,
                VALIDATION_MAX_ABS_FEATURE,
                VALIDATION_MAX_WEIGHT,
                VALIDATION_MAX_ID_LENGTH,
                USER_VOCAB,
                ITEM_VOCAB,
                CATEGORY_VOCAB,
                EMBEDDING_DIM,
                DENSE_FEATURES,
                BOTTOM_LAYERS,
                TOWER_WIDTH,
                LEARNING_RATE,
                SEED,
                MMOE,
                EXPERTS,
                DEVICE,
                OMP_THREADS,
                HEALTH_PORT,
                DELAYED_FEEDBACK,
                DELAYED_FEEDBACK_LATE_SHARE);
    }
}
