package dev.counterweight.jobs.weighting;

import dev.counterweight.connectors.kafka.Topics;
import dev.counterweight.core.attribution.ClassKeyMode;
import dev.counterweight.core.config.KeySpace;
import dev.counterweight.core.defaults.PipelineDefaults;
import dev.counterweight.core.weighting.WeightingStrategy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.MetricOptions;

/**
 * Every setting of {@link SampleWeightingJob}, as typed, documented options. Pass them as {@code
 * --key value} arguments or in the Flink configuration; {@link SampleWeightingSettings#from}
 * validates them and fails naming the key.
 *
 * <p>The surface is closed: a key in one of the job's namespaces ({@code kafka.}, {@code weights.},
 * {@code job.}, ...; see {@link #keySpace()}) that is not declared here fails at start, naming the
 * nearest declared key. Open are the {@value #KAFKA_PROPERTIES_PREFIX}* pass-through, Flink's own
 * {@code metrics.*} keys, and every key outside the job's namespaces (Flink's configuration).
 */
public final class SampleWeightingOptions {

    private SampleWeightingOptions() {}

    // --- Kafka -------------------------------------------------------------------------------

    /**
     * Prefix of Kafka client pass-through settings: {@code kafka.properties.security.protocol
     * SASL_SSL} sets {@code security.protocol=SASL_SSL} on every Kafka client of the job (source,
     * sinks, start-up check). Values of keys containing password, secret, jaas, token or key are
     * never logged.
     */
    public static final String KAFKA_PROPERTIES_PREFIX = "kafka.properties.";

    public static final ConfigOption<String> BOOTSTRAP_SERVERS =
            ConfigOptions.key("kafka.bootstrap-servers")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Kafka bootstrap servers, e.g. 127.0.0.1:9092. Required.");

    public static final ConfigOption<String> EVENTS_TOPIC =
            ConfigOptions.key("kafka.events-topic")
                    .stringType()
                    .defaultValue(Topics.EVENTS.name())
                    .withDescription("Topic of UserEvent records (Avro single-object encoding).");

    public static final ConfigOption<String> SAMPLES_TOPIC =
            ConfigOptions.key("kafka.samples-topic")
                    .stringType()
                    .defaultValue(Topics.WEIGHTED_SAMPLES.name())
                    .withDescription("Topic the weighted Sample records are written to.");

    public static final ConfigOption<String> WEIGHTS_TOPIC =
            ConfigOptions.key("kafka.weights-topic")
                    .stringType()
                    .defaultValue(Topics.CLASS_WEIGHTS.name())
                    .withDescription("Compacted topic the versioned ClassWeights tables go to.");

    public static final ConfigOption<String> DLQ_TOPIC =
            ConfigOptions.key("kafka.dlq-topic")
                    .stringType()
                    .defaultValue(Topics.EVENTS_DLQ.name())
                    .withDescription("Topic of DeadLetter records for input the job cannot use.");

    public static final ConfigOption<String> CLASS_LOSS_TOPIC =
            ConfigOptions.key("kafka.class-loss-topic")
                    .stringType()
                    .defaultValue(Topics.CLASS_LOSS.name())
                    .withDescription(
                            "Topic of the learner's per-class loss (ClassLoss records); read only"
                                    + " with weights.loss-aware.enabled.");

    public static final ConfigOption<String> GROUP_ID =
            ConfigOptions.key("kafka.group-id")
                    .stringType()
                    .defaultValue("counterweight-sample-weighting")
                    .withDescription(
                            "Consumer group id (offsets are committed on checkpoints for"
                                    + " monitoring only; the job restores from its own state).");

    public static final ConfigOption<StartingOffsets> STARTING_OFFSETS =
            ConfigOptions.key("kafka.starting-offsets")
                    .enumType(StartingOffsets.class)
                    .defaultValue(StartingOffsets.EARLIEST)
                    .withDescription(
                            "Where a fresh start reads from: EARLIEST, LATEST or COMMITTED (the"
                                    + " group's offsets, earliest where it has none); any case.");

    public static final ConfigOption<Boolean> BOUNDED =
            ConfigOptions.key("kafka.bounded")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Stop at the end offsets seen at start (replays and tests): the job"
                                    + " then flushes every window and finishes.");

    public static final ConfigOption<String> TRANSACTIONAL_ID_PREFIX =
            ConfigOptions.key("kafka.transactional-id-prefix")
                    .stringType()
                    .defaultValue("counterweight-weighting")
                    .withDescription(
                            "Prefix of the exactly-once sinks' transactional ids; unique per job"
                                    + " on a cluster.");

    public static final ConfigOption<Duration> TRANSACTION_TIMEOUT =
            ConfigOptions.key("kafka.transaction-timeout")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(10))
                    .withDescription(
                            "Producer transaction.timeout.ms of the exactly-once sinks; must be"
                                    + " below the broker's transaction.max.timeout.ms (15 min by"
                                    + " default) and above the checkpoint interval.");

    public static final ConfigOption<Integer> PARTITIONS =
            ConfigOptions.key("kafka.partitions")
                    .intType()
                    .defaultValue(2)
                    .withDescription("Partitions of the data topics, used by 'topics create'.");

    // --- Event time and validation -----------------------------------------------------------

    public static final ConfigOption<Duration> OUT_OF_ORDERNESS =
            ConfigOptions.key("watermark.out-of-orderness")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(5))
                    .withDescription(
                            "Bound of event-time disorder; events older than the watermark go to"
                                    + " the dead-letter topic as LATE_EVENT.");

    public static final ConfigOption<Duration> IDLENESS =
            ConfigOptions.key("watermark.idleness")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(30))
                    .withDescription(
                            "A source partition without events for this long stops holding back"
                                    + " the watermark.");

    public static final ConfigOption<Duration> MAX_FUTURE =
            ConfigOptions.key("validation.max-future")
                    .durationType()
                    .defaultValue(Duration.ofHours(1))
                    .withDescription(
                            "An event time more than this after its Kafka record timestamp is"
                                    + " rejected as BAD_TIMESTAMP.");

    public static final ConfigOption<Long> MIN_EVENT_TIME =
            ConfigOptions.key("validation.min-event-time")
                    .longType()
                    .defaultValue(946_684_800_000L)
                    .withDescription(
                            "Earliest accepted event time (epoch ms; default 2000-01-01)."
                                    + " Earlier ones are rejected as BAD_TIMESTAMP.");

    public static final ConfigOption<Integer> MAX_STRING_LENGTH =
            ConfigOptions.key("validation.max-string-length")
                    .intType()
                    .defaultValue(256)
                    .withDescription("Longest accepted id string; longer is OVERSIZED_FIELD.");

    public static final ConfigOption<Integer> MAX_FEATURES =
            ConfigOptions.key("validation.max-features")
                    .intType()
                    .defaultValue(256)
                    .withDescription("Most dense features accepted on one event.");

    public static final ConfigOption<Integer> MAX_RECORD_BYTES =
            ConfigOptions.key("validation.max-record-bytes")
                    .intType()
                    .defaultValue(64 * 1024)
                    .withDescription("Largest accepted record value in bytes.");

    // --- State --------------------------------------------------------------------------------

    public static final ConfigOption<Duration> DEDUP_TTL =
            ConfigOptions.key("dedup.ttl")
                    .durationType()
                    .defaultValue(Duration.ofHours(24))
                    .withDescription(
                            "How long an event id is remembered to drop its duplicates"
                                    + " (processing-time state TTL).");

    public static final ConfigOption<Duration> ATTRIBUTION_WINDOW =
            ConfigOptions.key("attribution.window")
                    .durationType()
                    .defaultValue(PipelineDefaults.ATTRIBUTION_WINDOW)
                    .withDescription(
                            "Clicks and purchases within this event time after an exposure set"
                                    + " its labels; the sample is emitted when it closes.");

    public static final ConfigOption<Duration> CORRECTION_HORIZON =
            ConfigOptions.key("attribution.correction-horizon")
                    .durationType()
                    .defaultValue(PipelineDefaults.CORRECTION_HORIZON)
                    .withDescription(
                            "A purchase up to this long after the window closed emits a"
                                    + " correction sample (delayed feedback); 0 disables.");

    public static final ConfigOption<Duration> FEATURE_HALF_LIFE =
            ConfigOptions.key("features.half-life")
                    .durationType()
                    .defaultValue(PipelineDefaults.FEATURE_HALF_LIFE)
                    .withDescription(
                            "Half-life of the decayed user/item/category activity features.");

    public static final ConfigOption<Double> CTR_PRIOR_CLICKS =
            ConfigOptions.key("features.ctr-prior-clicks")
                    .doubleType()
                    .defaultValue(PipelineDefaults.CTR_PRIOR_CLICKS)
                    .withDescription("Beta-prior clicks of the smoothed item CTR.");

    public static final ConfigOption<Double> CTR_PRIOR_EXPOSURES =
            ConfigOptions.key("features.ctr-prior-exposures")
                    .doubleType()
                    .defaultValue(PipelineDefaults.CTR_PRIOR_EXPOSURES)
                    .withDescription("Beta-prior exposures of the smoothed item CTR.");

    public static final ConfigOption<Duration> ENTITY_STATE_TTL =
            ConfigOptions.key("features.state-ttl")
                    .durationType()
                    .defaultValue(Duration.ofDays(7))
                    .withDescription(
                            "Idle user/item/category/class state is dropped after this long"
                                    + " (processing-time TTL), so key growth is bounded.");

    // --- Classes and weights -------------------------------------------------------------------

    public static final ConfigOption<ClassKeyMode> CLASS_KEY =
            ConfigOptions.key("classes.key")
                    .enumType(ClassKeyMode.class)
                    .defaultValue(PipelineDefaults.CLASS_KEY)
                    .withDescription(
                            "Class of a sample: CATEGORY, CATEGORY_LABEL, LABEL or POPULARITY.");

    public static final ConfigOption<WeightingStrategy> STRATEGY =
            ConfigOptions.key("weights.strategy")
                    .enumType(WeightingStrategy.class)
                    .defaultValue(PipelineDefaults.STRATEGY)
                    .withDescription(
                            "NONE, INVERSE (N/(K n_c)), SQRT_INVERSE or EFFECTIVE_NUMBER (Cui et"
                                    + " al. 2019).");

    public static final ConfigOption<Double> BETA =
            ConfigOptions.key("weights.beta")
                    .doubleType()
                    .defaultValue(0.999)
                    .withDescription("Beta of EFFECTIVE_NUMBER, in (0, 1).");

    public static final ConfigOption<Double> MIN_WEIGHT =
            ConfigOptions.key("weights.min")
                    .doubleType()
                    .defaultValue(PipelineDefaults.MIN_WEIGHT)
                    .withDescription("Lower clip of raw class weights (> 0).");

    public static final ConfigOption<Double> MAX_WEIGHT =
            ConfigOptions.key("weights.max")
                    .doubleType()
                    .defaultValue(PipelineDefaults.MAX_WEIGHT)
                    .withDescription("Upper clip of raw class weights (>= weights.min).");

    public static final ConfigOption<Boolean> NORMALISE =
            ConfigOptions.key("weights.normalise")
                    .booleanType()
                    .defaultValue(PipelineDefaults.NORMALISE)
                    .withDescription(
                            "Rescale after clipping so the count-weighted mean weight is 1.");

    public static final ConfigOption<Duration> WEIGHT_HALF_LIFE =
            ConfigOptions.key("weights.half-life")
                    .durationType()
                    .defaultValue(PipelineDefaults.WEIGHT_HALF_LIFE)
                    .withDescription(
                            "Half-life of the decayed class counts; 0 means no decay (plain"
                                    + " counts).");

    public static final ConfigOption<Duration> UPDATE_INTERVAL =
            ConfigOptions.key("weights.update-interval")
                    .durationType()
                    .defaultValue(PipelineDefaults.UPDATE_INTERVAL)
                    .withDescription(
                            "Event-time interval of weight-table updates: a new version is"
                                    + " published each time the watermark passes a multiple of"
                                    + " it and some class changed.");

    public static final ConfigOption<Boolean> LOSS_AWARE_ENABLED =
            ConfigOptions.key("weights.loss-aware.enabled")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Multiply class weights by a loss-aware factor read from the"
                                    + " learner's class-loss topic (kafka.class-loss-topic): the"
                                    + " class's smoothed mean loss relative to the overall mean,"
                                    + " to the power weights.loss-aware.strength, clipped.");

    public static final ConfigOption<Double> LOSS_AWARE_STRENGTH =
            ConfigOptions.key("weights.loss-aware.strength")
                    .doubleType()
                    .defaultValue(PipelineDefaults.LOSS_AWARE_STRENGTH)
                    .withDescription(
                            "Exponent of the loss ratio (>= 0); 0 makes every multiplier 1.");

    public static final ConfigOption<Double> LOSS_AWARE_SMOOTHING =
            ConfigOptions.key("weights.loss-aware.smoothing")
                    .doubleType()
                    .defaultValue(PipelineDefaults.LOSS_AWARE_SMOOTHING)
                    .withDescription(
                            "Weight of a new class-loss window in the moving average of a class's"
                                    + " loss ratio, in (0, 1]; the average starts at 1.");

    public static final ConfigOption<Double> LOSS_AWARE_MIN =
            ConfigOptions.key("weights.loss-aware.min")
                    .doubleType()
                    .defaultValue(PipelineDefaults.LOSS_AWARE_MIN)
                    .withDescription("Lower clip of the loss-aware multiplier, in (0, 1].");

    public static final ConfigOption<Double> LOSS_AWARE_MAX =
            ConfigOptions.key("weights.loss-aware.max")
                    .doubleType()
                    .defaultValue(PipelineDefaults.LOSS_AWARE_MAX)
                    .withDescription("Upper clip of the loss-aware multiplier (>= 1).");

    public static final ConfigOption<Long> LOSS_AWARE_MIN_SAMPLES =
            ConfigOptions.key("weights.loss-aware.min-samples")
                    .longType()
                    .defaultValue(PipelineDefaults.LOSS_AWARE_MIN_SAMPLES)
                    .withDescription(
                            "A class's loss in a window counts only if the window had at least"
                                    + " this many samples of the class (>= 1).");

    public static final ConfigOption<Boolean> LOSS_AWARE_PRESERVE_MEAN =
            ConfigOptions.key("weights.loss-aware.preserve-mean")
                    .booleanType()
                    .defaultValue(PipelineDefaults.LOSS_AWARE_PRESERVE_MEAN)
                    .withDescription(
                            "Rescale the multipliers so the count-weighted mean class weight is"
                                    + " what it was without them (before clipping).");

    public static final ConfigOption<Integer> TOP_CLASS_METRICS =
            ConfigOptions.key("metrics.top-classes")
                    .intType()
                    .defaultValue(10)
                    .withDescription("Classes with the largest counts that get their own gauges.");

    // --- Down-sampling -------------------------------------------------------------------------

    public static final ConfigOption<Double> DOWNSAMPLING_RATE =
            ConfigOptions.key("downsampling.rate")
                    .doubleType()
                    .defaultValue(1.0)
                    .withDescription(
                            "Probability of keeping a negative sample, in (0, 1]; 1 disables."
                                    + " Kept negatives get weight x 1/rate.");

    public static final ConfigOption<List<String>> DOWNSAMPLING_CLASS_RATES =
            ConfigOptions.key("downsampling.class-rates")
                    .stringType()
                    .asList()
                    .defaultValues()
                    .withDescription(
                            "Per-class overrides of downsampling.rate as classKey=rate items,"
                                    + " separated by ';'.");

    public static final ConfigOption<Long> DOWNSAMPLING_SEED =
            ConfigOptions.key("downsampling.seed")
                    .longType()
                    .defaultValue(42L)
                    .withDescription(
                            "Seed of the deterministic keep decision (a replay keeps the same"
                                    + " samples).");

    // --- Runtime -----------------------------------------------------------------------------

    public static final ConfigOption<Duration> CHECKPOINT_INTERVAL =
            ConfigOptions.key("job.checkpoint-interval")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(10))
                    .withDescription(
                            "Checkpoint interval; also how often exactly-once output becomes"
                                    + " visible to read_committed consumers.");

    public static final ConfigOption<String> CHECKPOINT_DIR =
            ConfigOptions.key("job.checkpoint-dir")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Checkpoint storage URI (file:///..., s3://...); if unset, Flink's"
                                    + " own execution.checkpointing.dir applies.");

    public static final ConfigOption<Integer> RESTART_ATTEMPTS =
            ConfigOptions.key("job.restart-attempts")
                    .intType()
                    .defaultValue(10)
                    .withDescription("Fixed-delay restart attempts before the job fails.");

    public static final ConfigOption<Duration> RESTART_DELAY =
            ConfigOptions.key("job.restart-delay")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(5))
                    .withDescription("Delay between restart attempts.");

    public static final ConfigOption<Integer> PARALLELISM =
            ConfigOptions.key("job.parallelism")
                    .intType()
                    .defaultValue(-1)
                    .withDescription(
                            "Job parallelism; -1 keeps the parallelism of the submission ('flink"
                                    + " run -p', parallelism.default). Set it for REST or Web UI"
                                    + " submissions, which otherwise run at 1.");

    public static final ConfigOption<Integer> MAX_PARALLELISM =
            ConfigOptions.key("job.max-parallelism")
                    .intType()
                    .defaultValue(720)
                    .withDescription(
                            "Max parallelism of the keyed operators: the number of key groups"
                                    + " their state is split into, fixed for the life of the"
                                    + " job's state (a savepoint restores only with the same"
                                    + " value). The parallelism can be changed up to it. Set by"
                                    + " the job (the global weight table keeps 1); a different"
                                    + " pipeline.max-parallelism in the Flink configuration fails"
                                    + " the start.");

    public static final ConfigOption<String> JOB_NAME =
            ConfigOptions.key("job.name")
                    .stringType()
                    .defaultValue("counterweight-sample-weighting")
                    .withDescription(
                            "Name of the job in the Flink UI; key of the class-weights records.");

    // --- Input format (a shop's own topics) ------------------------------------------------------

    public static final ConfigOption<String> EVENTS_FORMAT =
            ConfigOptions.key("events.format")
                    .stringType()
                    .defaultValue("avro-single-object")
                    .withDescription(
                            "Format of the events topic: avro-single-object (Counterweight's own"
                                    + " UserEvent), avro-registry (a shop's Avro in the Confluent"
                                    + " wire format, schemas from registry.url) or json (one JSON"
                                    + " object per record). The last two need events.mapping.");

    public static final ConfigOption<String> EVENTS_MAPPING =
            ConfigOptions.key("events.mapping")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Path of the mapping file (Java properties: field.user, field.item,"
                                    + " field.time, field.type, type.impression, ...) that turns"
                                    + " a shop's records into events; read and checked at start."
                                    + " See the README.");

    public static final ConfigOption<String> REGISTRY_URL =
            ConfigOptions.key("registry.url")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Base URL of a schema registry with the Confluent-compatible REST API"
                                    + " (Confluent, Apicurio, Redpanda); required for"
                                    + " events.format avro-registry.");

    public static final ConfigOption<String> REGISTRY_BASIC_AUTH_USER_INFO =
            ConfigOptions.key("registry.basic-auth.user-info")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "user:password for HTTP basic auth at the registry; never logged.");

    public static final ConfigOption<String> REGISTRY_TRUSTSTORE_LOCATION =
            ConfigOptions.key("registry.ssl.truststore.location")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Trust store of the registry's https CA; unset trusts the JVM's CAs.");

    public static final ConfigOption<String> REGISTRY_TRUSTSTORE_PASSWORD =
            ConfigOptions.key("registry.ssl.truststore.password")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Password of the trust store; never logged.");

    public static final ConfigOption<String> REGISTRY_TRUSTSTORE_TYPE =
            ConfigOptions.key("registry.ssl.truststore.type")
                    .stringType()
                    .defaultValue("PKCS12")
                    .withDescription("Type of the trust store: PKCS12 or JKS.");

    public static final ConfigOption<String> REGISTRY_KEYSTORE_LOCATION =
            ConfigOptions.key("registry.ssl.keystore.location")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Key store with a client certificate, for mutual TLS.");

    public static final ConfigOption<String> REGISTRY_KEYSTORE_PASSWORD =
            ConfigOptions.key("registry.ssl.keystore.password")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Password of the key store and its key; never logged.");

    public static final ConfigOption<String> REGISTRY_KEYSTORE_TYPE =
            ConfigOptions.key("registry.ssl.keystore.type")
                    .stringType()
                    .defaultValue("PKCS12")
                    .withDescription("Type of the key store: PKCS12 or JKS.");

    public static final ConfigOption<Duration> REGISTRY_TIMEOUT =
            ConfigOptions.key("registry.timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(10))
                    .withDescription(
                            "Connect and request timeout of registry calls; a registry that"
                                    + " fails 3 tries restarts the job (records are not"
                                    + " dead-lettered for it).");

    /**
     * The job's closed key space: the keys of {@link #all()}, the {@value
     * #KAFKA_PROPERTIES_PREFIX}* pass-through, and Flink's {@link MetricOptions} keys and reporter
     * settings, which share the {@code metrics.} namespace with {@link #TOP_CLASS_METRICS}.
     */
    public static KeySpace keySpace() {
        List<String> keys = new ArrayList<>();
        for (ConfigOption<?> o : all()) {
            keys.add(o.key());
        }
        return KeySpace.of(keys, List.of(KAFKA_PROPERTIES_PREFIX))
                .allowingForeign(flinkMetricKeys(), List.of("metrics.reporter.", "metrics.scope."));
    }

    /** Every key (and fallback key) of Flink's {@link MetricOptions}. */
    private static Set<String> flinkMetricKeys() {
        Set<String> keys = new TreeSet<>();
        for (java.lang.reflect.Field f : MetricOptions.class.getFields()) {
            if (java.lang.reflect.Modifier.isStatic(f.getModifiers())
                    && ConfigOption.class.isAssignableFrom(f.getType())) {
                try {
                    ConfigOption<?> o = (ConfigOption<?>) f.get(null);
                    keys.add(o.key());
                    o.fallbackKeys().forEach(k -> keys.add(k.getKey()));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return keys;
    }

    /** All options, for docs and {@code --help}. */
    public static List<ConfigOption<?>> all() {
        return List.of(
                BOOTSTRAP_SERVERS,
                EVENTS_TOPIC,
                SAMPLES_TOPIC,
                WEIGHTS_TOPIC,
                DLQ_TOPIC,
                CLASS_LOSS_TOPIC,
                GROUP_ID,
                STARTING_OFFSETS,
                BOUNDED,
                TRANSACTIONAL_ID_PREFIX,
                TRANSACTION_TIMEOUT,
                PARTITIONS,
                OUT_OF_ORDERNESS,
                IDLENESS,
                MAX_FUTURE,
                MIN_EVENT_TIME,
                MAX_STRING_LENGTH,
                MAX_FEATURES,
                MAX_RECORD_BYTES,
                DEDUP_TTL,
                ATTRIBUTION_WINDOW,
                CORRECTION_HORIZON,
                FEATURE_HALF_LIFE,
                CTR_PRIOR_CLICKS,
                CTR_PRIOR_EXPOSURES,
                ENTITY_STATE_TTL,
                CLASS_KEY,
                STRATEGY,
                BETA,
                MIN_WEIGHT,
                MAX_WEIGHT,
                NORMALISE,
                WEIGHT_HALF_LIFE,
                UPDATE_INTERVAL,
                LOSS_AWARE_ENABLED,
                LOSS_AWARE_STRENGTH,
                LOSS_AWARE_SMOOTHING,
                LOSS_AWARE_MIN,
                LOSS_AWARE_MAX,
                LOSS_AWARE_MIN_SAMPLES,
                LOSS_AWARE_PRESERVE_MEAN,
                TOP_CLASS_METRICS,
                DOWNSAMPLING_RATE,
                DOWNSAMPLING_CLASS_RATES,
                DOWNSAMPLING_SEED,
                CHECKPOINT_INTERVAL,
                CHECKPOINT_DIR,
                RESTART_ATTEMPTS,
                RESTART_DELAY,
                PARALLELISM,
                MAX_PARALLELISM,
                JOB_NAME,
                EVENTS_FORMAT,
                EVENTS_MAPPING,
                REGISTRY_URL,
                REGISTRY_BASIC_AUTH_USER_INFO,
                REGISTRY_TRUSTSTORE_LOCATION,
                REGISTRY_TRUSTSTORE_PASSWORD,
                REGISTRY_TRUSTSTORE_TYPE,
                REGISTRY_KEYSTORE_LOCATION,
                REGISTRY_KEYSTORE_PASSWORD,
                REGISTRY_KEYSTORE_TYPE,
                REGISTRY_TIMEOUT);
    }
}
