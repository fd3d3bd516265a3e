package dev.counterweight.jobs.weighting;

import static dev.counterweight.jobs.weighting.SampleWeightingOptions.*;

import dev.counterweight.connectors.kafka.ClientProperties;
import dev.counterweight.core.attribution.AttributionRules;
import dev.counterweight.core.attribution.ClassKeyMode;
import dev.counterweight.core.config.KeySpace;
import dev.counterweight.core.decay.HalfLife;
import dev.counterweight.core.sampling.DownSamplingConfig;
import dev.counterweight.core.weighting.LossAwareConfig;
import dev.counterweight.core.weighting.WeightingConfig;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;

/**
 * The validated settings of {@link SampleWeightingJob}: built once from a {@link Configuration} at
 * job start, where every invalid value fails with a message naming its key. Serializable, so the
 * operators receive it whole. {@code kafkaProperties} are the {@value
 * SampleWeightingOptions#KAFKA_PROPERTIES_PREFIX}* options with the prefix removed, handed to every
 * Kafka client of the job; the map prints its secrets masked. {@code lossAware} is null unless
 * {@code weights.loss-aware.enabled}. {@code ingest} is how the events topic is read ({@code
 * events.format}, its mapping and registry).
 */
public record SampleWeightingSettings(
        String bootstrapServers,
        Map<String, String> kafkaProperties,
        String eventsTopic,
        String samplesTopic,
        String weightsTopic,
        String dlqTopic,
        String groupId,
        StartingOffsets startingOffsets,
        boolean bounded,
        String transactionalIdPrefix,
        Duration transactionTimeout,
        Duration outOfOrderness,
        Duration idleness,
        EventValidator.Limits limits,
        Duration dedupTtl,
        AttributionRules attribution,
        HalfLife featureHalfLife,
        double ctrPriorClicks,
        double ctrPriorExposures,
        Duration entityStateTtl,
        ClassKeyMode classKey,
        WeightingConfig weighting,
        HalfLife weightHalfLife,
        long updateIntervalMillis,
        int topClassMetrics,
        DownSamplingConfig downSampling,
        Duration checkpointInterval,
        String checkpointDir,
        int restartAttempts,
        Duration restartDelay,
        int parallelism,
        int maxParallelism,
        String jobName,
        String classLossTopic,
        LossAwareConfig lossAware,
        IngestSettings ingest)
        implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Flink's upper bound of a max parallelism (key groups are numbered in 15 bits). */
    static final int UPPER_BOUND_MAX_PARALLELISM = 1 << 15;

    /**
     * Reads and validates every option; throws {@link IllegalArgumentException} naming the key. An
     * unknown key in the job's namespaces fails first, naming the nearest known key (see {@link
     * SampleWeightingOptions#keySpace()}); an enum option's value must be one of its constants.
     */
    public static SampleWeightingSettings from(Configuration config) {
        SampleWeightingOptions.keySpace().requireKnown(config.keySet());
        requireChoices(config, SampleWeightingOptions.all());
        String bootstrap = required(config, BOOTSTRAP_SERVERS);
        StartingOffsets startingOffsets = config.get(STARTING_OFFSETS);
        Duration txTimeout = positive(config, TRANSACTION_TIMEOUT);
        Duration checkpoint = positive(config, CHECKPOINT_INTERVAL);
        if (txTimeout.compareTo(Duration.ofMinutes(15)) > 0) {
            throw invalid(
                    TRANSACTION_TIMEOUT,
                    txTimeout,
                    "at most 15 min (the broker default transaction.max.timeout.ms)");
        }
        if (txTimeout.compareTo(checkpoint) <= 0) {
            throw invalid(
                    TRANSACTION_TIMEOUT,
                    txTimeout,
                    "longer than " + CHECKPOINT_INTERVAL.key() + " (" + checkpoint + ")");
        }
        Duration window = nonNegative(config, ATTRIBUTION_WINDOW);
        Duration horizon = nonNegative(config, CORRECTION_HORIZON);
        WeightingConfig weighting;
        try {
            weighting =
                    new WeightingConfig(
                            config.get(STRATEGY),
                            config.get(BETA),
                            config.get(MIN_WEIGHT),
                            config.get(MAX_WEIGHT),
                            config.get(NORMALISE));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("Invalid weighting option: " + e.getMessage(), e);
        }
        double rate = config.get(DOWNSAMPLING_RATE);
        if (!(rate > 0 && rate <= 1)) {
            throw invalid(DOWNSAMPLING_RATE, rate, "in (0, 1]");
        }
        Map<String, Double> classRates = new HashMap<>();
        for (String item : config.get(DOWNSAMPLING_CLASS_RATES)) {
            int eq = item.lastIndexOf('=');
            if (eq <= 0) {
                throw invalid(DOWNSAMPLING_CLASS_RATES, item, "classKey=rate items");
            }
            try {
                double r = Double.parseDouble(item.substring(eq + 1).trim());
                if (!(r > 0 && r <= 1)) {
                    throw invalid(DOWNSAMPLING_CLASS_RATES, item, "rates in (0, 1]");
                }
                classRates.put(item.substring(0, eq).trim(), r);
            } catch (NumberFormatException e) {
                throw invalid(DOWNSAMPLING_CLASS_RATES, item, "classKey=rate items");
            }
        }
        int maxString = atLeast(config, MAX_STRING_LENGTH, 1);
        int maxFeatures = atLeast(config, MAX_FEATURES, 0);
        int maxBytes = atLeast(config, MAX_RECORD_BYTES, 16);
        LossAwareConfig lossAware = lossAware(config);
        int parallelism = config.get(PARALLELISM);
        if (parallelism == 0 || parallelism < -1) {
            throw invalid(PARALLELISM, parallelism, "-1 or a positive number");
        }
        int maxParallelism = config.get(MAX_PARALLELISM);
        if (maxParallelism < 1 || maxParallelism > UPPER_BOUND_MAX_PARALLELISM) {
            throw invalid(
                    MAX_PARALLELISM,
                    maxParallelism,
                    "between 1 and " + UPPER_BOUND_MAX_PARALLELISM);
        }
        if (parallelism > maxParallelism) {
            throw invalid(
                    PARALLELISM,
                    parallelism,
                    "at most " + MAX_PARALLELISM.key() + " (" + maxParallelism + ")");
        }
        return new SampleWeightingSettings(
                bootstrap,
                ClientProperties.withPrefix(config.toMap(), KAFKA_PROPERTIES_PREFIX),
                nonBlank(config, EVENTS_TOPIC),
                nonBlank(config, SAMPLES_TOPIC),
                nonBlank(config, WEIGHTS_TOPIC),
                nonBlank(config, DLQ_TOPIC),
                nonBlank(config, GROUP_ID),
                startingOffsets,
                config.get(BOUNDED),
                nonBlank(config, TRANSACTIONAL_ID_PREFIX),
                txTimeout,
                nonNegative(config, OUT_OF_ORDERNESS),
                positive(config, IDLENESS),
                new EventValidator.Limits(
                        config.get(MIN_EVENT_TIME),
                        nonNegative(config, MAX_FUTURE).toMillis(),
                        maxString,
                        maxFeatures,
                        maxBytes),
                positive(config, DEDUP_TTL),
                new AttributionRules(window.toMillis(), horizon.toMillis()),
                halfLife(config, FEATURE_HALF_LIFE),
                nonNegativeDouble(config, CTR_PRIOR_CLICKS),
                positiveDouble(config, CTR_PRIOR_EXPOSURES),
                positive(config, ENTITY_STATE_TTL),
                config.get(CLASS_KEY),
                weighting,
                halfLife(config, WEIGHT_HALF_LIFE),
                positive(config, UPDATE_INTERVAL).toMillis(),
                atLeast(config, TOP_CLASS_METRICS, 0),
                new DownSamplingConfig(rate, classRates, config.get(DOWNSAMPLING_SEED)),
                checkpoint,
                config.getOptional(CHECKPOINT_DIR).orElse(null),
                atLeast(config, RESTART_ATTEMPTS, 0),
                nonNegative(config, RESTART_DELAY),
                parallelism,
                maxParallelism,
                nonBlank(config, JOB_NAME),
                nonBlank(config, CLASS_LOSS_TOPIC),
                lossAware,
                IngestSettings.from(config));
    }

    /** Whether the job reads the class-loss topic. */
    public boolean lossAwareEnabled() {
        return lossAware != null;
    }

    private static LossAwareConfig lossAware(Configuration config) {
        if (!config.get(LOSS_AWARE_ENABLED)) {
            return null;
        }
        double strength = config.get(LOSS_AWARE_STRENGTH);
        if (!Double.isFinite(strength) || strength < 0) {
            throw invalid(LOSS_AWARE_STRENGTH, strength, "finite and not negative");
        }
        double smoothing = config.get(LOSS_AWARE_SMOOTHING);
        if (!(smoothing > 0 && smoothing <= 1)) {
            throw invalid(LOSS_AWARE_SMOOTHING, smoothing, "in (0, 1]");
        }
        double min = config.get(LOSS_AWARE_MIN);
        if (!(min > 0 && min <= 1)) {
            throw invalid(LOSS_AWARE_MIN, min, "in (0, 1]");
        }
        double max = config.get(LOSS_AWARE_MAX);
        if (!(Double.isFinite(max) && max >= 1)) {
            throw invalid(LOSS_AWARE_MAX, max, "finite and at least 1");
        }
        long minSamples = config.get(LOSS_AWARE_MIN_SAMPLES);
        if (minSamples < 1) {
            throw invalid(LOSS_AWARE_MIN_SAMPLES, minSamples, "at least 1");
        }
        return new LossAwareConfig(
                strength, smoothing, min, max, minSamples, config.get(LOSS_AWARE_PRESERVE_MEAN));
    }

    /**
     * Checks the raw value of every enum option against its constants (any case, as Flink parses
     * them), so a bad value fails naming the key and listing the allowed values.
     */
    static void requireChoices(Configuration config, List<ConfigOption<?>> options) {
        Map<String, String> raw = config.toMap();
        for (ConfigOption<?> option : options) {
            String value = raw.get(option.key());
            if (value != null && option.defaultValue() instanceof Enum<?> e) {
                List<String> allowed = new ArrayList<>();
                for (Enum<?> c : e.getDeclaringClass().getEnumConstants()) {
                    allowed.add(c.name());
                }
                KeySpace.requireChoice(option.key(), value, allowed);
            }
        }
    }

    private static String required(Configuration config, ConfigOption<String> option) {
        String value = config.get(option);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(
                    "Missing required option '" + option.key() + "': " + option.description());
        }
        return value;
    }

    private static String nonBlank(Configuration config, ConfigOption<String> option) {
        String value = config.get(option);
        if (value == null || value.isBlank()) {
            throw invalid(option, value, "not blank");
        }
        return value;
    }

    private static Duration positive(Configuration config, ConfigOption<Duration> option) {
        Duration d = config.get(option);
        if (d.isNegative() || d.isZero()) {
            throw invalid(option, d, "positive");
        }
        return d;
    }

    private static Duration nonNegative(Configuration config, ConfigOption<Duration> option) {
        Duration d = config.get(option);
        if (d.isNegative()) {
            throw invalid(option, d, "not negative");
        }
        return d;
    }

    private static HalfLife halfLife(Configuration config, ConfigOption<Duration> option) {
        Duration d = nonNegative(config, option);
        return d.isZero() ? HalfLife.NONE : HalfLife.of(d);
    }

    private static int atLeast(Configuration config, ConfigOption<Integer> option, int min) {
        int v = config.get(option);
        if (v < min) {
            throw invalid(option, v, "at least " + min);
        }
        return v;
    }

    private static double nonNegativeDouble(Configuration config, ConfigOption<Double> option) {
        double v = config.get(option);
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw invalid(option, v, "finite and not negative");
        }
        return v;
    }

    private static double positiveDouble(Configuration config, ConfigOption<Double> option) {
        double v = config.get(option);
        if (!(v > 0) || Double.isInfinite(v)) {
            throw invalid(option, v, "finite and positive");
        }
        return v;
    }

    private static IllegalArgumentException invalid(
            ConfigOption<?> option, Object value, String expected) {
        return new IllegalArgumentException(
                "Invalid value '"
                        + value
                        + "' for option '"
                        + option.key()
                        + "': expected "
                        + expected
                        + ". "
                        + option.description());
    }
}
