package dev.counterweight.learner.service;

import dev.counterweight.avro.ClassLoss;
import dev.counterweight.avro.DeadLetter;
import dev.counterweight.avro.ModelSnapshot;
import dev.counterweight.avro.PartitionOffset;
import dev.counterweight.avro.Sample;
import dev.counterweight.connectors.avro.AvroCodec;
import dev.counterweight.connectors.features.FeatureLayout;
import dev.counterweight.connectors.kafka.KafkaPreflight;
import dev.counterweight.core.weighting.DelayedFeedback;
import dev.counterweight.learner.backend.BackendInfo;
import dev.counterweight.learner.backend.BackendSelector;
import dev.counterweight.learner.model.Batch;
import dev.counterweight.learner.model.Dl4jRankingModel;
import dev.counterweight.learner.model.NonFiniteStepException;
import dev.counterweight.learner.model.RankingModel;
import dev.counterweight.learner.model.Scores;
import dev.counterweight.learner.snapshot.CalibrationLedger;
import dev.counterweight.learner.snapshot.PublishingHold;
import dev.counterweight.learner.snapshot.QualityGate;
import dev.counterweight.learner.snapshot.SnapshotStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The online learner service: reads weighted samples, forms mini-batches (N samples or T ms),
 * scores each batch before training on it (progressive validation), trains, and writes snapshots
 * whose manifests carry the consumer offsets. Offsets live only in the snapshots (Kafka commits are
 * for monitoring), so a restarted learner resumes from its newest snapshot and no sample is trained
 * twice or skipped. Snapshots passing the {@link QualityGate} are announced on the snapshots topic;
 * per-class loss goes to the class-loss topic.
 *
 * <p>A record the {@link SampleValidator} refuses is written to the dead-letter topic with its
 * reason and source offset, and its offset counts as consumed; the dead letters are flushed before
 * a snapshot moves the offsets past them (a crash in between writes them again: at least once). A
 * batch whose loss or gradient is not finite is not applied ({@link NonFiniteStepException}): the
 * model keeps its parameters and optimiser state, the batch's offsets count as consumed, and the
 * batch is logged and counted in {@link Status#batchesRejected()}.
 */
public final class OnlineLearner {

    private static final Logger LOG = LoggerFactory.getLogger(OnlineLearner.class);
    private static final String GATE_PASSED = "gate.passed";

    private final LearnerSettings settings;
    private final SnapshotStore store;
    private final QualityGate gate;
    private final PublishingHold hold = new PublishingHold();
    private final SampleValidator validator;
    private final AvroCodec<DeadLetter> deadLetters = AvroCodec.of(DeadLetter.class);
    private final AtomicLong deadLettersLost = new AtomicLong();
    private final AtomicBoolean stop = new AtomicBoolean();

    private RankingModel model;

    /** A new model (no snapshot to resume) starts at the first batch's base rates. */
    private boolean startAtBaseRates;

    private SampleEncoder encoder;
    private ProgressiveEvaluator evaluator;
    private final CalibrationLedger calibration = new CalibrationLedger();
    private final Map<TopicPartition, Long> nextOffsets = new HashMap<>();
    private long samplesTrained;
    private long sinceSnapshot;
    private long version;
    private long batches;
    private long skipped;
    private long batchesRejected;
    private boolean deadLettersUnflushed;
    private boolean offsetsMoved;
    private Map<String, Double> lastAnnouncedMetrics;
    private volatile Status status = new Status(0, 0, 0, Map.of(), "starting", 0, 0, 0, 0);
    private long firstSampleAt;
    private long trainingNanos;
    private volatile long finishWhenIdleNanos;
    private volatile long finishRequestedAt;

    /**
     * What the learner is doing, for health checks and progress displays.
     *
     * @param skipped records dead-lettered (not trainable) since the learner started
     * @param trainingNanos wall time from the first sample read to the end of the newest batch
     *     (encoding, scoring, training; not snapshots), for throughput figures
     * @param heldBackSnapshots snapshots the quality gate refused in a row since the last
     *     announcement
     * @param heldBackMillis how long publishing had been held back when this status was taken; 0
     *     while snapshots pass
     * @param batchesRejected batches not applied because their loss or gradient was not finite,
     *     since the learner started
     */
    public record Status(
            long samplesTrained,
            long version,
            long skipped,
            Map<String, Double> metrics,
            String state,
            long trainingNanos,
            long heldBackSnapshots,
            long heldBackMillis,
            long batchesRejected) {}

    public OnlineLearner(LearnerSettings settings) {
        this.settings = settings;
        this.store =
                new SnapshotStore(
                        settings.snapshotDir(), settings.modelName(), settings.snapshotRetention());
        this.gate =
                new QualityGate(
                        settings.gateMaxAucDrop(),
                        settings.gateMaxNeRise(),
                        settings.gateMinSamples(),
                        settings.gateAucStandardErrors(),
                        settings.gateMaxCalibrationRatio());
        this.validator = new SampleValidator(settings.validation());
    }

    /** The feature-schema fingerprint snapshots of this learner carry. */
    public static String fingerprint(RankingModel model) {
        return model.featureFingerprint() + "|" + FeatureLayout.FINGERPRINT;
    }

    /**
     * Asks the run loop to stop (with a final snapshot) once no sample has arrived for {@code
     * idle}, counted from now at the earliest: for a caller that knows its input has ended.
     */
    public void finishWhenIdle(Duration idle) {
        finishRequestedAt = System.nanoTime();
        finishWhenIdleNanos = Math.max(1, idle.toNanos());
    }

    /** Asks the run loop to finish its batch, write a final snapshot and return. */
    public void stop() {
        stop.set(true);
    }

    public Status status() {
        return status;
    }

    /** Runs until {@link #stop()}, or until idle for {@code learner.max-idle}. */
    public Status run() throws IOException {
        BackendInfo backend = BackendSelector.select(settings.backend());
        LOG.info("learner backend: {}", backend);
        KafkaPreflight.requireTopics(
                settings.bootstrapServers(),
                LearnerOptions.BOOTSTRAP_SERVERS.key(),
                topics(),
                settings.kafkaProperties(),
                Duration.ofSeconds(30));
        restore();
        HealthEndpoint health =
                settings.healthPort() > 0
                        ? HealthEndpoint.start(settings.healthPort(), this::status)
                        : null;
        try (KafkaConsumer<byte[], byte[]> consumer = consumer();
                KafkaProducer<byte[], byte[]> producer = producer()) {
            List<TopicPartition> partitions = partitions(consumer);
            consumer.assign(partitions);
            for (TopicPartition tp : partitions) {
                Long next = nextOffsets.get(tp);
                if (next == null) {
                    consumer.seekToBeginning(List.of(tp));
                } else {
                    consumer.seek(tp, next);
                }
            }
            loop(consumer, producer);
        } finally {
            if (health != null) {
                health.close();
            }
        }
        return status;
    }

    private void loop(
            KafkaConsumer<byte[], byte[]> consumer, KafkaProducer<byte[], byte[]> producer)
            throws IOException {
        List<Sample> pending = new ArrayList<>();
        Map<TopicPartition, Long> pendingNext = new HashMap<>();
        long pendingSince = 0;
        long lastRecordAt = System.nanoTime();
        long lastSnapshotAt = System.nanoTime();
        long batchTimeout = settings.batchTimeout().toNanos();
        status = status("running");
        while (!stop.get()) {
            var records = consumer.poll(Duration.ofMillis(100));
            long now = System.nanoTime();
            if (!records.isEmpty()) {
                lastRecordAt = now;
            } else if (!settings.maxIdle().isZero()
                    && now - lastRecordAt > settings.maxIdle().toNanos()) {
                LOG.info("no samples for {}, stopping", settings.maxIdle());
                break;
            } else if (finishWhenIdleNanos > 0
                    && now - Math.max(lastRecordAt, finishRequestedAt) > finishWhenIdleNanos) {
                LOG.info(
                        "input has ended and no samples arrived for {} ms, stopping",
                        finishWhenIdleNanos / 1_000_000);
                break;
            }
            for (ConsumerRecord<byte[], byte[]> r : records) {
                Optional<Sample> sample = decode(r, producer);
                pendingNext.put(new TopicPartition(r.topic(), r.partition()), r.offset() + 1);
                if (sample.isEmpty()) {
                    continue;
                }
                if (pending.isEmpty()) {
                    pendingSince = System.nanoTime();
                }
                if (firstSampleAt == 0) {
                    firstSampleAt = pendingSince;
                }
                pending.add(sample.get());
                if (pending.size() == settings.batchSize()) {
                    train(pending, pendingNext, producer);
                }
            }
            if (pending.isEmpty() && !pendingNext.isEmpty()) {
                // Only skipped records: their offsets still count as consumed.
                nextOffsets.putAll(pendingNext);
                pendingNext.clear();
                offsetsMoved = true;
            }
            if (!pending.isEmpty()
                    && batchTimeout > 0
                    && System.nanoTime() - pendingSince >= batchTimeout) {
                train(pending, pendingNext, producer);
            }
            boolean dueByCount = sinceSnapshot >= settings.snapshotEverySamples();
            boolean dueByTime =
                    !settings.snapshotInterval().isZero()
                            && (sinceSnapshot > 0 || offsetsMoved)
                            && System.nanoTime() - lastSnapshotAt
                                    >= settings.snapshotInterval().toNanos();
            if (dueByCount || dueByTime) {
                snapshot(producer, consumer);
                lastSnapshotAt = System.nanoTime();
            }
        }
        if (!pending.isEmpty()) {
            train(pending, pendingNext, producer);
        }
        if (sinceSnapshot > 0 || offsetsMoved) {
            // Also when only dead-lettered records arrived: a restart must not read them again.
            snapshot(producer, consumer);
        }
        status = status("stopped");
    }

    private void train(
            List<Sample> pending,
            Map<TopicPartition, Long> pendingNext,
            KafkaProducer<byte[], byte[]> producer) {
        // Progressive validation: the scores are taken before the step trains on the batch.
        Batch batch = encoder.encode(pending);
        if (startAtBaseRates) {
            model.startAtBaseRates(batch);
            startAtBaseRates = false;
        }
        Scores scores;
        try {
            scores = model.scoreAndTrain(batch);
        } catch (NonFiniteStepException e) {
            rejectBatch(pending, pendingNext, e);
            return;
        }
        evaluator.add(pending, scores);
        calibration.observe(pending);
        samplesTrained += pending.size();
        sinceSnapshot += pending.size();
        nextOffsets.putAll(pendingNext);
        offsetsMoved = true;
        batches++;
        if (settings.classLossEveryBatches() > 0
                && batches % settings.classLossEveryBatches() == 0) {
            publishClassLoss(producer, pending.get(pending.size() - 1));
        }
        pending.clear();
        pendingNext.clear();
        trainingNanos = System.nanoTime() - firstSampleAt;
        status = status("running");
    }

    /**
     * Drops a batch the model refused to apply: its offsets count as consumed (training on it again
     * after a restart would fail the same way), nothing else changes.
     */
    private void rejectBatch(
            List<Sample> pending, Map<TopicPartition, Long> pendingNext, NonFiniteStepException e) {
        batchesRejected++;
        LOG.warn(
                "batch of {} samples not applied, the model keeps its last good parameters: {};"
                        + " samples {} .. {}, next offsets {}",
                pending.size(),
                e.getMessage(),
                pending.get(0).getSampleId(),
                pending.get(pending.size() - 1).getSampleId(),
                new TreeMap<>(
                        pendingNext.entrySet().stream()
                                .collect(
                                        java.util.stream.Collectors.toMap(
                                                en -> en.getKey().partition(),
                                                Map.Entry::getValue))));
        nextOffsets.putAll(pendingNext);
        offsetsMoved = true;
        pending.clear();
        pendingNext.clear();
        status = status("running");
    }

    private void snapshot(
            KafkaProducer<byte[], byte[]> producer, KafkaConsumer<byte[], byte[]> consumer)
            throws IOException {
        if (deadLettersUnflushed) {
            // The snapshot moves the offsets past the dead-lettered records: they must be written.
            producer.flush();
            deadLettersUnflushed = false;
        }
        Map<String, Double> metrics = new TreeMap<>(evaluator.metrics());
        metrics.put("samples.trained", (double) samplesTrained);
        List<String> violations = gate.violations(metrics, lastAnnouncedMetrics);
        metrics.put(GATE_PASSED, violations.isEmpty() ? 1.0 : 0.0);
        long next = version + 1;
        List<PartitionOffset> offsets = new ArrayList<>();
        new TreeMap<>(
                        nextOffsets.entrySet().stream()
                                .collect(
                                        java.util.stream.Collectors.toMap(
                                                e -> e.getKey().partition(), Map.Entry::getValue)))
                .forEach((p, o) -> offsets.add(new PartitionOffset(settings.samplesTopic(), p, o)));
        ModelSnapshot manifest =
                ModelSnapshot.newBuilder()
                        .setModelName(settings.modelName())
                        .setVersion(next)
                        .setParentVersion(version == 0 ? null : version)
                        .setUri("")
                        .setSha256("")
                        .setCreatedAt(Instant.now())
                        .setSamplesTrained(samplesTrained)
                        .setConsumerOffsets(offsets)
                        .setMetrics(new LinkedHashMap<>(metrics))
                        .setFeatureSchemaFingerprint(fingerprint(model))
                        .setCalibration(
                                evaluator.withCalibrationMaps(
                                        calibration.calibration(
                                                settings.delayedFeedback(), settings.lateShare())))
                        .build();
        ModelSnapshot written = store.write(manifest, model::save);
        version = next;
        sinceSnapshot = 0;
        offsetsMoved = false;
        if (violations.isEmpty()) {
            announce(producer, written);
            hold.announced();
            lastAnnouncedMetrics = metrics;
            LOG.info(
                    "snapshot v{} published: {} samples trained, ctr.auc {}, ctcvr.auc {}",
                    next,
                    samplesTrained,
                    fmt(metrics.get("ctr.auc")),
                    fmt(metrics.get("ctcvr.auc")));
        } else {
            hold.heldBack(System.currentTimeMillis());
            LOG.warn(
                    "snapshot v{} written but not announced ({} in a row, publishing held back for"
                            + " {} s): {}",
                    next,
                    hold.snapshots(),
                    hold.heldBackMillis(System.currentTimeMillis()) / 1000,
                    violations);
        }
        commitForMonitoring(consumer);
        status = status("running");
    }

    private void announce(KafkaProducer<byte[], byte[]> producer, ModelSnapshot snapshot) {
        try {
            producer.send(
                            new ProducerRecord<>(
                                    settings.snapshotsTopic(),
                                    settings.modelName().getBytes(StandardCharsets.UTF_8),
                                    AvroCodec.of(ModelSnapshot.class).encode(snapshot)))
                    .get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            // The snapshot is on disk; only the announcement is missing. Keep training.
            LOG.error("could not announce snapshot v{}: {}", snapshot.getVersion(), e.toString());
        }
    }

    private void publishClassLoss(KafkaProducer<byte[], byte[]> producer, Sample newest) {
        ClassLoss loss =
                ClassLoss.newBuilder()
                        .setModelVersion(version)
                        .setWindowEnd(newest.getExposureTime())
                        .setSamples(evaluator.evaluated())
                        .setOverallMeanLoss(evaluator.overallLoss())
                        .setClasses(evaluator.classLoss())
                        .build();
        producer.send(
                new ProducerRecord<>(
                        settings.classLossTopic(),
                        settings.modelName().getBytes(StandardCharsets.UTF_8),
                        AvroCodec.of(ClassLoss.class).encode(loss)),
                (m, e) -> {
                    if (e != null) {
                        LOG.warn("could not publish class loss: {}", e.toString());
                    }
                });
    }

    private void commitForMonitoring(KafkaConsumer<byte[], byte[]> consumer) {
        try {
            Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> commits =
                    new HashMap<>();
            nextOffsets.forEach(
                    (tp, o) ->
                            commits.put(
                                    tp,
                                    new org.apache.kafka.clients.consumer.OffsetAndMetadata(o)));
            consumer.commitAsync(commits, null);
        } catch (RuntimeException e) {
            LOG.debug("offset commit for monitoring failed: {}", e.toString());
        }
    }

    private void restore() throws IOException {
        Optional<ModelSnapshot> latest = store.latestValid();
        Dl4jRankingModel fresh =
                Dl4jRankingModel.create(
                        settings.model(),
                        settings.delayedFeedback() == DelayedFeedback.FNW,
                        settings.lateShare());
        String expected = fingerprint(fresh);
        if (latest.isEmpty()) {
            model = fresh;
            startAtBaseRates = true;
            LOG.info("no snapshot in {}: starting a new model {}", store.dir(), expected);
        } else {
            ModelSnapshot m = latest.get();
            if (!m.getFeatureSchemaFingerprint().equals(expected)) {
                throw new IllegalStateException(
                        "Snapshot v"
                                + m.getVersion()
                                + " in "
                                + store.dir()
                                + " was trained for feature schema "
                                + m.getFeatureSchemaFingerprint()
                                + " but the model.* options describe "
                                + expected
                                + ": use the snapshot's settings or another learner.snapshot-dir");
            }
            model = RankingModel.load(store.modelFile(m.getVersion()));
            if (model instanceof Dl4jRankingModel loaded
                    && !loaded.conversionLoss().equals(fresh.conversionLoss())) {
                throw new IllegalStateException(
                        "Snapshot v"
                                + m.getVersion()
                                + " in "
                                + store.dir()
                                + " was trained with "
                                + loaded.conversionLoss()
                                + " but "
                                + LearnerOptions.DELAYED_FEEDBACK.key()
                                + " and "
                                + LearnerOptions.DELAYED_FEEDBACK_LATE_SHARE.key()
                                + " ask for "
                                + fresh.conversionLoss()
                                + ": use the snapshot's settings or another learner.snapshot-dir");
            }
            calibration.restore(m.getCalibration());
            version = m.getVersion();
            samplesTrained = m.getSamplesTrained();
            for (PartitionOffset o : m.getConsumerOffsets()) {
                nextOffsets.put(new TopicPartition(o.getTopic(), o.getPartition()), o.getOffset());
            }
            for (ModelSnapshot s : store.manifests()) {
                if (s.getMetrics().getOrDefault(GATE_PASSED, 0.0) == 1.0) {
                    lastAnnouncedMetrics = s.getMetrics();
                    break;
                }
            }
            LOG.info(
                    "resumed from snapshot v{}: {} samples trained, offsets {}",
                    version,
                    samplesTrained,
                    nextOffsets);
        }
        encoder = new SampleEncoder(model.config());
        evaluator = new ProgressiveEvaluator(settings.evalWindow());
    }

    private Optional<Sample> decode(
            ConsumerRecord<byte[], byte[]> r, KafkaProducer<byte[], byte[]> producer) {
        SampleValidator.Result result = validator.validate(r.value());
        if (result.rejection() == null) {
            return Optional.of(result.sample());
        }
        deadLetter(r, result.rejection(), producer);
        return Optional.empty();
    }

    private void deadLetter(
            ConsumerRecord<byte[], byte[]> r,
            SampleValidator.Rejection rejection,
            KafkaProducer<byte[], byte[]> producer) {
        skipped++;
        if (skipped <= 10) {
            LOG.warn(
                    "dead-lettering record {}-{}@{}: {} {}",
                    r.topic(),
                    r.partition(),
                    r.offset(),
                    rejection.code(),
                    rejection.reason());
        }
        DeadLetter letter =
                DeadLetter.newBuilder()
                        .setReasonCode(rejection.code())
                        .setReason(rejection.reason())
                        .setTopic(r.topic())
                        .setPartition(r.partition())
                        .setOffset(r.offset())
                        .setRecordTimestamp(
                                r.timestamp() >= 0 ? Instant.ofEpochMilli(r.timestamp()) : null)
                        .setRawKey(r.key() == null ? null : ByteBuffer.wrap(r.key()))
                        .setRawValue(r.value() == null ? null : ByteBuffer.wrap(r.value()))
                        .build();
        String where = r.topic() + "-" + r.partition() + "@" + r.offset();
        producer.send(
                new ProducerRecord<>(
                        settings.dlqTopic(),
                        where.getBytes(StandardCharsets.UTF_8),
                        deadLetters.encode(letter)),
                (m, e) -> {
                    if (e != null && deadLettersLost.incrementAndGet() <= 10) {
                        LOG.error(
                                "could not dead-letter {} ({}): {}",
                                where,
                                rejection.code(),
                                e.toString());
                    }
                });
        deadLettersUnflushed = true;
    }

    private Map<String, String> topics() {
        Map<String, String> t = new LinkedHashMap<>();
        t.put(settings.samplesTopic(), LearnerOptions.SAMPLES_TOPIC.key());
        t.put(settings.snapshotsTopic(), LearnerOptions.SNAPSHOTS_TOPIC.key());
        t.put(settings.classLossTopic(), LearnerOptions.CLASS_LOSS_TOPIC.key());
        t.put(settings.dlqTopic(), LearnerOptions.DLQ_TOPIC.key());
        return t;
    }

    private List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> consumer) {
        List<PartitionInfo> infos =
                consumer.partitionsFor(settings.samplesTopic(), Duration.ofSeconds(30));
        List<TopicPartition> out = new ArrayList<>();
        for (PartitionInfo p : infos) {
            out.add(new TopicPartition(p.topic(), p.partition()));
        }
        out.sort(java.util.Comparator.comparingInt(TopicPartition::partition));
        return out;
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        // Pass-through settings first, so the learner's own below win on a clash.
        Map<String, Object> c = new HashMap<>(settings.kafkaProperties());
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "counterweight-learner-" + settings.modelName());
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Math.max(500, settings.batchSize()));
        return new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private KafkaProducer<byte[], byte[]> producer() {
        Map<String, Object> c = new HashMap<>(settings.kafkaProperties());
        c.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        c.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(c, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private Status status(String state) {
        return new Status(
                samplesTrained,
                version,
                skipped,
                lastAnnouncedMetrics == null ? Map.of() : Map.copyOf(lastAnnouncedMetrics),
                state,
                trainingNanos,
                hold.snapshots(),
                hold.heldBackMillis(System.currentTimeMillis()),
                batchesRejected);
    }

    private static String fmt(Double d) {
        return d == null ? "n/a" : String.format("%.4f", d);
    }
}
