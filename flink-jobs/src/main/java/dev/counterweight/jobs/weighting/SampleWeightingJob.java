package dev.counterweight.jobs.weighting;

import dev.counterweight.avro.ClassLoss;
import dev.counterweight.avro.ClassWeights;
import dev.counterweight.avro.DeadLetter;
import dev.counterweight.avro.Sample;
import dev.counterweight.avro.UserEvent;
import dev.counterweight.connectors.config.CommandLineArgs;
import dev.counterweight.connectors.features.FeatureLayout;
import dev.counterweight.connectors.kafka.KafkaPreflight;
import dev.counterweight.connectors.kafka.Topic;
import dev.counterweight.connectors.kafka.Topics;
import dev.counterweight.core.attribution.ClassKeyMode;
import dev.counterweight.jobs.weighting.internal.ClassCountUpdate;
import dev.counterweight.jobs.weighting.internal.IngestedEvent;
import dev.counterweight.jobs.weighting.internal.LabeledSample;
import dev.counterweight.jobs.weighting.internal.Tags;
import dev.counterweight.jobs.weighting.io.AvroRecordSerializer;
import dev.counterweight.jobs.weighting.io.ClassLossDeserializer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.KafkaSinkBuilder;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * Kafka events in, weighted training samples out, exactly once.
 *
 * <pre>
 * events -> route (DLQ) -> dedup[eventId] -> attribute labels[user] -> item features[item]
 *        -> category features[category] -> class counts[class] --(updates)--> weight table[global]
 *        -> stamp weights + down-sample (broadcast table) -> weighted-samples
 *                                          weight table -> class-weights
 *                         route, attribution -> events-dlq
 *   class-loss (learner, only with weights.loss-aware.enabled) -> weight table
 * </pre>
 *
 * The job takes its source and sinks as parameters ({@link #build}); {@link #main} only parses
 * options, checks the cluster and wires the Kafka connectors.
 */
public final class SampleWeightingJob {

    /** Stable operator ids; part of savepoint compatibility, never change them. */
    public static final class Uids {
        public static final String SOURCE = "events-source";
        public static final String ROUTE = "route-events";
        public static final String DEDUP = "dedup-events";
        public static final String ATTRIBUTE = "attribute-labels";
        public static final String ITEM_FEATURES = "item-features";
        public static final String CATEGORY_FEATURES = "category-features";
        public static final String CLASS_KEY = "assign-class-key";
        public static final String CLASS_COUNTS = "class-counts";
        public static final String WEIGHT_TABLE = "weight-table";
        public static final String STAMP = "stamp-weights";
        public static final String SAMPLES_SINK = "weighted-samples-sink";
        public static final String WEIGHTS_SINK = "class-weights-sink";
        public static final String DLQ_SINK = "dead-letter-sink";
        public static final String CLASS_LOSS_SOURCE = "class-loss-source";

        private Uids() {}
    }

    private final SampleWeightingSettings settings;

    public SampleWeightingJob(SampleWeightingSettings settings) {
        this.settings = settings;
    }

    /** Parses {@code --key value} arguments, checks Kafka, and runs the job. */
    public static void main(String[] args) throws Exception {
        Configuration config = Configuration.fromMap(CommandLineArgs.parse(args));
        SampleWeightingSettings settings = SampleWeightingSettings.from(config);
        preflight(settings);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(
                        flinkConfiguration(settings, config));
        new SampleWeightingJob(settings).buildWithKafka(env);
        env.execute(settings.jobName());
    }

    /** Fails fast when Kafka is unreachable or a topic is missing, naming the option. */
    public static void preflight(SampleWeightingSettings settings) {
        Map<String, String> topics = new LinkedHashMap<>();
        topics.put(settings.eventsTopic(), SampleWeightingOptions.EVENTS_TOPIC.key());
        topics.put(settings.samplesTopic(), SampleWeightingOptions.SAMPLES_TOPIC.key());
        topics.put(settings.weightsTopic(), SampleWeightingOptions.WEIGHTS_TOPIC.key());
        topics.put(settings.dlqTopic(), SampleWeightingOptions.DLQ_TOPIC.key());
        if (settings.lossAwareEnabled()) {
            topics.put(settings.classLossTopic(), SampleWeightingOptions.CLASS_LOSS_TOPIC.key());
        }
        KafkaPreflight.requireTopics(
                settings.bootstrapServers(),
                SampleWeightingOptions.BOOTSTRAP_SERVERS.key(),
                topics,
                settings.kafkaProperties(),
                Duration.ofSeconds(30));
    }

    /**
     * The Flink settings this job needs: RocksDB with incremental checkpoints, exactly-once
     * checkpointing at the configured interval, a bounded fixed-delay restart strategy, and no
     * silent Kryo fallback. {@code base} entries are kept unless overridden here.
     */
    public static Configuration flinkConfiguration(
            SampleWeightingSettings settings, Configuration base) {
        Configuration c = new Configuration(base);
        c.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        c.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        c.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, settings.checkpointInterval());
        c.set(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, CheckpointingMode.EXACTLY_ONCE);
        if (settings.checkpointDir() != null) {
            c.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, settings.checkpointDir());
        }
        c.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        c.set(
                RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS,
                settings.restartAttempts());
        c.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, settings.restartDelay());
        c.set(PipelineOptions.GENERIC_TYPES, false);
        return c;
    }

    /** Wires the job between the Kafka source and the three exactly-once Kafka sinks. */
    public void buildWithKafka(StreamExecutionEnvironment env) {
        String jobName = settings.jobName();
        build(
                env,
                kafkaSource(settings),
                kafkaSink(
                        settings,
                        settings.samplesTopic(),
                        Topics.WEIGHTED_SAMPLES,
                        s -> s.getUserId(),
                        true,
                        "samples"),
                kafkaSink(
                        settings,
                        settings.weightsTopic(),
                        Topics.CLASS_WEIGHTS,
                        w -> w.getPart() == 0 ? jobName : jobName + "#" + w.getPart(),
                        false,
                        "weights"),
                kafkaSink(settings, settings.dlqTopic(), Topics.EVENTS_DLQ, d -> null, true, "dlq"),
                settings.lossAwareEnabled() ? classLossSource(settings) : null);
    }

    /** Wires the job between any source and sinks (tests pass their own), without class loss. */
    public void build(
            StreamExecutionEnvironment env,
            Source<IngestedEvent, ?, ?> source,
            Sink<Sample> samplesSink,
            Sink<ClassWeights> weightsSink,
            Sink<DeadLetter> deadLetterSink) {
        build(env, source, samplesSink, weightsSink, deadLetterSink, null);
    }

    /**
     * Wires the job between any sources and sinks.
     *
     * @param classLossSource the learner's per-class loss, read by the weight table when loss-aware
     *     weights are on; null for none
     */
    public void build(
            StreamExecutionEnvironment env,
            Source<IngestedEvent, ?, ?> source,
            Sink<Sample> samplesSink,
            Sink<ClassWeights> weightsSink,
            Sink<DeadLetter> deadLetterSink,
            Source<ClassLoss, ?, ?> classLossSource) {
        if (settings.parallelism() > 0) {
            env.setParallelism(settings.parallelism());
        }
        applyMaxParallelism(env);
        SingleOutputStreamOperator<IngestedEvent> routed =
                env.fromSource(source, eventWatermarks(settings), "Kafka events")
                        .uid(Uids.SOURCE)
                        .process(new RouteEventsFunction())
                        .uid(Uids.ROUTE)
                        .name("Validate events");

        SingleOutputStreamOperator<LabeledSample> attributed =
                routed.keyBy(e -> e.event.getEventId(), TypeInformation.of(String.class))
                        .process(new DeduplicateFunction(settings.dedupTtl()))
                        .uid(Uids.DEDUP)
                        .name("Deduplicate by event id")
                        .keyBy(e -> e.event.getUserId(), TypeInformation.of(String.class))
                        .process(
                                new AttributeLabelsFunction(
                                        settings.attribution(),
                                        settings.featureHalfLife(),
                                        settings.ctrPriorClicks(),
                                        settings.ctrPriorExposures(),
                                        settings.entityStateTtl()))
                        .uid(Uids.ATTRIBUTE)
                        .name("Attribute labels (per user)");

        ClassKeyMode classKeyMode = settings.classKey();
        SingleOutputStreamOperator<LabeledSample> counted =
                attributed
                        .keyBy(s -> s.itemId, TypeInformation.of(String.class))
                        .process(entityFeatures(FeatureLayout.ITEM))
                        .uid(Uids.ITEM_FEATURES)
                        .name("Item features")
                        .keyBy(s -> s.categoryId, TypeInformation.of(String.class))
                        .process(entityFeatures(FeatureLayout.CATEGORY))
                        .uid(Uids.CATEGORY_FEATURES)
                        .name("Category features")
                        .map(s -> ClassCountFunction.assignClassKey(s, classKeyMode))
                        .returns(LabeledSample.class)
                        .uid(Uids.CLASS_KEY)
                        .name("Assign class key")
                        .keyBy(s -> s.classKey, TypeInformation.of(String.class))
                        .process(
                                new ClassCountFunction(
                                        settings.weightHalfLife(),
                                        settings.updateIntervalMillis(),
                                        settings.entityStateTtl()))
                        .uid(Uids.CLASS_COUNTS)
                        .name("Class counts (per class)");

        DataStream<ClassCountUpdate> updates = counted.getSideOutput(Tags.CLASS_COUNTS);
        DataStream<ClassLoss> losses =
                classLossSource == null
                        ? noLosses(updates)
                        : env.fromSource(classLossSource, neverHoldsBack(), "Kafka class loss")
                                .uid(Uids.CLASS_LOSS_SOURCE)
                                .setParallelism(1);
        SingleOutputStreamOperator<ClassWeights> tables =
                updates.keyBy(u -> 0, TypeInformation.of(Integer.class))
                        .connect(losses.keyBy(l -> 0, TypeInformation.of(Integer.class)))
                        .process(
                                new WeightTableFunction(
                                        settings.weighting(),
                                        settings.weightHalfLife(),
                                        settings.entityStateTtl(),
                                        settings.topClassMetrics(),
                                        settings.lossAware()))
                        .returns(new AvroTypeInfo<>(ClassWeights.class))
                        .setParallelism(1)
                        .setMaxParallelism(1)
                        .uid(Uids.WEIGHT_TABLE)
                        .name("Weight table (global)");

        BroadcastStream<ClassWeights> broadcastTables =
                tables.broadcast(StampWeightsFunction.TABLE);
        counted.connect(broadcastTables)
                .process(new StampWeightsFunction(settings.downSampling(), settings.eventsTopic()))
                .returns(new AvroTypeInfo<>(Sample.class))
                .uid(Uids.STAMP)
                .name("Stamp weights and down-sample")
                .sinkTo(samplesSink)
                .uid(Uids.SAMPLES_SINK)
                .name("weighted-samples");

        // One writer, so the versions appear in the topic in order.
        tables.sinkTo(weightsSink).setParallelism(1).uid(Uids.WEIGHTS_SINK).name("class-weights");

        routed.getSideOutput(Tags.DEAD_LETTERS)
                .union(attributed.getSideOutput(Tags.DEAD_LETTERS))
                .sinkTo(deadLetterSink)
                .uid(Uids.DLQ_SINK)
                .name("events-dlq");
    }

    /** Event-time watermarks of the events; refused records carry no time of their own. */
    private static WatermarkStrategy<IngestedEvent> eventWatermarks(
            SampleWeightingSettings settings) {
        return WatermarkStrategy.<IngestedEvent>forBoundedOutOfOrderness(settings.outOfOrderness())
                .withTimestampAssigner(
                        (e, ts) ->
                                e.isValid()
                                        ? e.event.getEventTime().toEpochMilli()
                                        : Long.MIN_VALUE)
                .withIdleness(settings.idleness());
    }

    /**
     * The valid events as the job reads them: its Kafka source (with validation) and watermarks,
     * without the pipeline behind them. Refused records are dropped here, not dead-lettered. The
     * pass-through baseline of the pipeline benchmark.
     */
    public static DataStream<UserEvent> validEvents(
            StreamExecutionEnvironment env, SampleWeightingSettings settings) {
        return env.fromSource(kafkaSource(settings), eventWatermarks(settings), "Kafka events")
                .filter(IngestedEvent::isValid)
                .map(e -> e.event)
                .returns(new AvroTypeInfo<>(UserEvent.class));
    }

    /**
     * Sets {@code job.max-parallelism} on the environment, so local, test and Kubernetes runs split
     * keyed state into the same key groups (operators that set their own, like the global weight
     * table's 1, keep it). A different {@code pipeline.max-parallelism} from the Flink
     * configuration fails here, naming both keys, rather than being overridden silently.
     */
    private void applyMaxParallelism(StreamExecutionEnvironment env) {
        int fromFlink = env.getMaxParallelism();
        if (fromFlink > 0 && fromFlink != settings.maxParallelism()) {
            throw new IllegalArgumentException(
                    "'"
                            + PipelineOptions.MAX_PARALLELISM.key()
                            + "' is "
                            + fromFlink
                            + " in the Flink configuration but '"
                            + SampleWeightingOptions.MAX_PARALLELISM.key()
                            + "' is "
                            + settings.maxParallelism()
                            + ": the job sets its max parallelism from '"
                            + SampleWeightingOptions.MAX_PARALLELISM.key()
                            + "'; remove the other or make them equal.");
        }
        env.setMaxParallelism(settings.maxParallelism());
    }

    /** An empty class-loss stream (loss-aware weights off): same watermarks as the updates. */
    private static DataStream<ClassLoss> noLosses(DataStream<ClassCountUpdate> updates) {
        return updates.<ClassLoss>flatMap((u, out) -> {})
                .returns(new AvroTypeInfo<>(ClassLoss.class))
                .name("No class loss");
    }

    /**
     * Class-loss windows have no event time that means anything to the weight table (see {@link
     * WeightTableFunction}); their input always reports the largest watermark, so the table's
     * boundaries follow the events alone and a stalled learner never holds them back.
     */
    static WatermarkStrategy<ClassLoss> neverHoldsBack() {
        return WatermarkStrategy.forGenerator(ctx -> new MaxWatermark());
    }

    private static final class MaxWatermark implements WatermarkGenerator<ClassLoss> {
        @Override
        public void onEvent(ClassLoss event, long eventTimestamp, WatermarkOutput output) {}

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            output.emitWatermark(new Watermark(Long.MAX_VALUE));
        }
    }

    /**
     * The Kafka source of the learner's class loss: from the earliest retained window on a fresh
     * start (the moving average then replays the learner's history), bounded like the event source.
     */
    public static KafkaSource<ClassLoss> classLossSource(SampleWeightingSettings settings) {
        KafkaSourceBuilder<ClassLoss> builder =
                KafkaSource.<ClassLoss>builder()
                        .setProperties(clientProperties(settings))
                        .setBootstrapServers(settings.bootstrapServers())
                        .setTopics(settings.classLossTopic())
                        .setGroupId(settings.groupId() + "-class-loss")
                        .setStartingOffsets(OffsetsInitializer.earliest())
                        .setDeserializer(new ClassLossDeserializer())
                        .setProperty("partition.discovery.interval.ms", "60000");
        if (settings.bounded()) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        return builder.build();
    }

    private EntityFeaturesFunction entityFeatures(int offset) {
        return new EntityFeaturesFunction(
                offset,
                settings.featureHalfLife(),
                settings.ctrPriorClicks(),
                settings.ctrPriorExposures(),
                settings.entityStateTtl());
    }

    /** The Kafka source of {@link IngestedEvent}s. */
    public static KafkaSource<IngestedEvent> kafkaSource(SampleWeightingSettings settings) {
        OffsetsInitializer start =
                switch (settings.startingOffsets()) {
                    case EARLIEST -> OffsetsInitializer.earliest();
                    case LATEST -> OffsetsInitializer.latest();
                    case COMMITTED ->
                            OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
                };
        KafkaSourceBuilder<IngestedEvent> builder =
                KafkaSource.<IngestedEvent>builder()
                        .setProperties(clientProperties(settings))
                        .setBootstrapServers(settings.bootstrapServers())
                        .setTopics(settings.eventsTopic())
                        .setGroupId(settings.groupId())
                        .setStartingOffsets(start)
                        .setDeserializer(
                                settings.ingest()
                                        .deserializer(new EventValidator(settings.limits())))
                        .setProperty("isolation.level", "read_committed")
                        .setProperty("partition.discovery.interval.ms", "60000");
        if (settings.bounded()) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        return builder.build();
    }

    /**
     * An exactly-once Kafka sink of one registry topic's records.
     *
     * @param topic the configured topic name
     * @param kind the registry topic whose records (and wire format) the sink writes
     */
    public static <T extends org.apache.avro.specific.SpecificRecordBase> KafkaSink<T> kafkaSink(
            SampleWeightingSettings settings,
            String topic,
            Topic<T> kind,
            org.apache.flink.util.function.SerializableFunction<T, String> key,
            boolean eventTimestamps,
            String idSuffix) {
        KafkaSinkBuilder<T> builder = KafkaSink.<T>builder();
        // Pass-through first, so the sink's own settings below win on a clash.
        settings.kafkaProperties().forEach(builder::setProperty);
        return builder.setBootstrapServers(settings.bootstrapServers())
                .setRecordSerializer(
                        new AvroRecordSerializer<>(topic, kind.codec(), key, eventTimestamps))
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(settings.transactionalIdPrefix() + "-" + idSuffix)
                .setProperty(
                        "transaction.timeout.ms",
                        String.valueOf(settings.transactionTimeout().toMillis()))
                .build();
    }

    /** The pass-through client settings ({@code kafka.properties.*}), set before the job's own. */
    static java.util.Properties clientProperties(SampleWeightingSettings settings) {
        java.util.Properties p = new java.util.Properties();
        p.putAll(settings.kafkaProperties());
        return p;
    }
}
