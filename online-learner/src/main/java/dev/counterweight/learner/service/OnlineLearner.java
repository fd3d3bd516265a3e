package dev.counterweight.learner.service;

import dev.counterweight.avro.ClassLoss;
import dev.counterweight.avro.DeadLetter;
import dev.counterweight.avro.ModelSnapshot;
import dev.counterweight.avro.PartitionOffset;
import dev.counterweight.avro.Sample;
import dev.counterweight.connectors.features.FeatureLayout;
import dev.counterweight.learner.model.Batch;
import dev.counterweight.learner.model.NonFiniteStepException;
import dev.counterweight.learner.model.RankingModel;
import dev.counterweight.learner.model.Scores;
import dev.counterweight.learner.snapshot.CalibrationLedger;
import dev.counterweight.learner.snapshot.PublishingHold;
import dev.counterweight.learner.snapshot.QualityGate;
import dev.counterweight.learner.snapshot.SnapshotStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The online learner service: reads weighted samples, forms mini-batches (N samples or T ms),
 * scores each batch before training on it (progressive validation), trains, and writes snapshots
 * whose manifests carry the read offsets. Offsets live only in the snapshots (the source's commits
 * are for monitoring), so a restarted learner resumes from its newest complete snapshot and no
 * sample is trained twice or skipped. Snapshots passing the {@link QualityGate} are announced;
 * per-class loss is published every {@code learner.class-loss-every-batches} batches.
 *
 * <p>The loop talks to the world only through its {@link LearnerPorts} (sample source, snapshot,
 * class-loss and dead-letter publishers, clock, model factory) and its {@link SnapshotStore};
 * {@link KafkaLearnerIO#ports} wires Kafka and Deeplearning4j.
 *
 * <p>A record the {@link SampleValidator} refuses is dead-lettered with its reason and source
 * offset, and its offset counts as consumed; the dead letters are flushed before a snapshot moves
 * the offsets past them (a crash in between writes them again: at least once). A batch whose loss
 * or gradient is not finite is not applied ({@link NonFiniteStepException}): the model keeps its
 * parameters and optimiser state, the batch's offsets count as consumed, and the batch is logged
 * and counted in {@link Status#batchesRejected()}. A snapshot that cannot be written (a full disk)
 * leaves no visible file; the learner logs it, counts it in {@link Status#snapshotsFailed()}, keeps
 * training and tries again {@value #SNAPSHOT_RETRY_SECONDS} s later; only a failed final snapshot
 * (at stop) fails {@link #run()}.
 */
public final class OnlineLearner {

    /** Seconds between attempts after a snapshot could not be written. */
    public static final long SNAPSHOT_RETRY_SECONDS = 10;

    private static final Logger LOG = LoggerFactory.getLogger(OnlineLearner.class);
    private static final String GATE_PASSED = "gate.passed";
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);

    private final LearnerSettings settings;
    private final LearnerPorts ports;
    private final LearnerClock clock;
    private final SnapshotStore store;
    private final QualityGate gate;
    private final PublishingHold hold = new PublishingHold();
    private final SampleValidator validator;
    private final AtomicBoolean stop = new AtomicBoolean();

    private RankingModel model;

    /** A new model (no snapshot to resume) starts at the first batch's base rates. */
    private boolean startAtBaseRates;

    private SampleEncoder encoder;
    private ProgressiveEvaluator evaluator;
    private final CalibrationLedger calibration = new CalibrationLedger();
    private final Map<Integer, Long> nextOffsets = new TreeMap<>();
    private long samplesTrained;
    private long sinceSnapshot;
    private long version;
    private long batches;
    private long skipped;
    private long batchesRejected;
    private long snapshotsFailed;
    private boolean deadLettersUnflushed;
    private boolean offsetsMoved;
    private Map<String, Double> lastAnnouncedMetrics;
    private volatile Status status = new Status(0, 0, 0, Map.of(), "starting", 0, 0, 0, 0, 0);
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
     * @param snapshotsFailed snapshot writes that failed (and were tried again) since the learner
     *     started
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
            long batchesRejected,
            long snapshotsFailed) {}

    /** A learner wired to Kafka and Deeplearning4j ({@link KafkaLearnerIO#ports}). */
    public OnlineLearner(LearnerSettings settings) {
        this(settings, KafkaLearnerIO.ports(settings));
    }

    /** A learner on the given ports, with its snapshots in {@code learner.snapshot-dir}. */
    public OnlineLearner(LearnerSettings settings, LearnerPorts ports) {
        this(
                settings,
                ports,
                new SnapshotStore(
                        settings.snapshotDir(),
                        settings.modelName(),
                        settings.snapshotRetention()));
    }

    /** A learner on the given ports and snapshot store (fault tests pass a store with a hook). */
    public OnlineLearner(LearnerSettings settings, LearnerPorts ports, SnapshotStore store) {
        this.settings = settings;
        this.ports = ports;
        this.clock = ports.clock();
        this.store = store;
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
        finishRequestedAt = clock.nanoTime();
        finishWhenIdleNanos = Math.max(1, idle.toNanos());
    }

    /** Asks the run loop to finish its batch, write a final snapshot and return. */
    public void stop() {
        stop.set(true);
    }

    public Status status() {
        return status;
    }

    /**
     * Runs until {@link #stop()}, or until idle for {@code learner.max-idle}.
     *
     * @throws IOException if the snapshot directory cannot be read or the final snapshot cannot be
     *     written (a restart resumes from the newest complete snapshot)
     */
    public Status run() throws IOException {
        SampleSource source = ports.source();
        try (source) {
            source.open();
            restore();
            HealthEndpoint health =
                    settings.healthPort() > 0
                            ? HealthEndpoint.start(settings.healthPort(), this::status)
                            : null;
            try {
                source.seek(Map.copyOf(nextOffsets));
                loop(source);
            } finally {
                if (health != null) {
                    health.close();
                }
            }
        }
        return status;
    }

    private void loop(SampleSource source) throws IOException {
        List<Sample> pending = new ArrayList<>();
        Map<Integer, Long> pendingNext = new TreeMap<>();
        long pendingSince = 0;
        long lastRecordAt = clock.nanoTime();
        long lastSnapshotAt = clock.nanoTime();
        long snapshotNotBefore = clock.nanoTime();
        long batchTimeout = settings.batchTimeout().toNanos();
        status = status("running");
        while (!stop.get()) {
            List<SampleSource.Record> records = source.poll(POLL_TIMEOUT);
            long now = clock.nanoTime();
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
            for (SampleSource.Record r : records) {
                Optional<Sample> sample = decode(r);
                pendingNext.put(r.partition(), r.offset() + 1);
                if (sample.isEmpty()) {
                    continue;
                }
                if (pending.isEmpty()) {
                    pendingSince = clock.nanoTime();
                }
                if (firstSampleAt == 0) {
                    firstSampleAt = pendingSince;
                }
                pending.add(sample.get());
                if (pending.size() == settings.batchSize()) {
                    train(pending, pendingNext);
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
                    && clock.nanoTime() - pendingSince >= batchTimeout) {
                train(pending, pendingNext);
            }
            boolean dueByCount = sinceSnapshot >= settings.snapshotEverySamples();
            boolean dueByTime =
                    !settings.snapshotInterval().isZero()
                            && (sinceSnapshot > 0 || offsetsMoved)
                            && clock.nanoTime() - lastSnapshotAt
                                    >= settings.snapshotInterval().toNanos();
            if ((dueByCount || dueByTime) && clock.nanoTime() - snapshotNotBefore >= 0) {
                try {
                    snapshot();
                    lastSnapshotAt = clock.nanoTime();
                } catch (IOException e) {
                    snapshotsFailed++;
                    snapshotNotBefore =
                            clock.nanoTime() + TimeUnit.SECONDS.toNanos(SNAPSHOT_RETRY_SECONDS);
                    LOG.error(
                            "snapshot v{} could not be written, training goes on and the snapshot"
                                    + " is tried again in {} s (a restart resumes from v{}): {}",
                            version + 1,
                            SNAPSHOT_RETRY_SECONDS,
                            version,
                            e.toString());
                    status = status("running");
                }
            }
        }
        if (!pending.isEmpty()) {
            train(pending, pendingNext);
        }
        if (sinceSnapshot > 0 || offsetsMoved) {
            // Also when only dead-lettered records arrived: a restart must not read them again.
            try {
                snapshot();
            } catch (IOException e) {
                snapshotsFailed++;
                status = status("failed");
                throw new IOException(
                        "the final snapshot v"
                                + (version + 1)
                                + " could not be written to "
                                + store.dir()
                                + "; a restart resumes from v"
                                + version,
                        e);
            }
        }
        status = status("stopped");
    }

    private void train(List<Sample> pending, Map<Integer, Long> pendingNext) {
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
            publishClassLoss(pending.get(pending.size() - 1));
        }
        pending.clear();
        pendingNext.clear();
        trainingNanos = clock.nanoTime() - firstSampleAt;
        status = status("running");
    }

    /**
     * Drops a batch the model refused to apply: its offsets count as consumed (training on it again
     * after a restart would fail the same way), nothing else changes.
     */
    private void rejectBatch(
            List<Sample> pending, Map<Integer, Long> pendingNext, NonFiniteStepException e) {
        batchesRejected++;
        LOG.warn(
                "batch of {} samples not applied, the model keeps its last good parameters: {};"
                        + " samples {} .. {}, next offsets {}",
                pending.size(),
                e.getMessage(),
                pending.get(0).getSampleId(),
                pending.get(pending.size() - 1).getSampleId(),
                new TreeMap<>(pendingNext));
        nextOffsets.putAll(pendingNext);
        offsetsMoved = true;
        pending.clear();
        pendingNext.clear();
        status = status("running");
    }

    /**
     * Writes the next snapshot and announces it if it passes the gate.
     *
     * @throws IOException if it could not be written; nothing of it is visible and the learner's
     *     state (version, offsets, counters) is as before the call
     */
    private void snapshot() throws IOException {
        if (deadLettersUnflushed) {
            // The snapshot moves the offsets past the dead-lettered records: they must be written.
            ports.deadLetters().flush();
            deadLettersUnflushed = false;
        }
        Map<String, Double> metrics = new TreeMap<>(evaluator.metrics());
        metrics.put("samples.trained", (double) samplesTrained);
        List<String> violations = gate.violations(metrics, lastAnnouncedMetrics);
        metrics.put(GATE_PASSED, violations.isEmpty() ? 1.0 : 0.0);
        long next = version + 1;
        List<PartitionOffset> offsets = new ArrayList<>();
        nextOffsets.forEach(
                (p, o) -> offsets.add(new PartitionOffset(settings.samplesTopic(), p, o)));
        ModelSnapshot manifest =
                ModelSnapshot.newBuilder()
                        .setModelName(settings.modelName())
                        .setVersion(next)
                        .setParentVersion(version == 0 ? null : version)
                        .setUri("")
                        .setSha256("")
                        .setCreatedAt(clock.now())
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
            announce(written);
            hold.announced();
            lastAnnouncedMetrics = metrics;
            LOG.info(
                    "snapshot v{} published: {} samples trained, ctr.auc {}, ctcvr.auc {}",
                    next,
                    samplesTrained,
                    fmt(metrics.get("ctr.auc")),
                    fmt(metrics.get("ctcvr.auc")));
        } else {
            long nowMillis = clock.now().toEpochMilli();
            hold.heldBack(nowMillis);
            LOG.warn(
                    "snapshot v{} written but not announced ({} in a row, publishing held back for"
                            + " {} s): {}",
                    next,
                    hold.snapshots(),
                    hold.heldBackMillis(nowMillis) / 1000,
                    violations);
        }
        ports.source().committed(Map.copyOf(nextOffsets));
        status = status("running");
    }

    private void announce(ModelSnapshot snapshot) {
        try {
            ports.snapshots().announce(snapshot);
        } catch (Exception e) {
            // The snapshot is on disk; only the announcement is missing. Keep training.
            LOG.error("could not announce snapshot v{}: {}", snapshot.getVersion(), e.toString());
        }
    }

    private void publishClassLoss(Sample newest) {
        ports.classLoss()
                .publish(
                        ClassLoss.newBuilder()
                                .setModelVersion(version)
                                .setWindowEnd(newest.getExposureTime())
                                .setSamples(evaluator.evaluated())
                                .setOverallMeanLoss(evaluator.overallLoss())
                                .setClasses(evaluator.classLoss())
                                .build());
    }

    private void restore() throws IOException {
        store.removeIncomplete();
        Optional<ModelSnapshot> latest = store.latestValid();
        ModelFactory models = ports.models();
        RankingModel fresh = models.create();
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
            model = models.load(store.modelFile(m.getVersion()));
            String incompatibility = models.incompatibility(model, fresh);
            if (incompatibility != null) {
                throw new IllegalStateException(
                        "Snapshot v"
                                + m.getVersion()
                                + " in "
                                + store.dir()
                                + " "
                                + incompatibility
                                + ": use the snapshot's settings or another learner.snapshot-dir");
            }
            calibration.restore(m.getCalibration());
            version = m.getVersion();
            samplesTrained = m.getSamplesTrained();
            for (PartitionOffset o : m.getConsumerOffsets()) {
                if (o.getTopic().equals(settings.samplesTopic())) {
                    nextOffsets.put(o.getPartition(), o.getOffset());
                } else {
                    LOG.warn(
                            "snapshot v{} holds an offset of {}, not of {}: ignored",
                            m.getVersion(),
                            o.getTopic(),
                            settings.samplesTopic());
                }
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

    private Optional<Sample> decode(SampleSource.Record r) {
        SampleValidator.Result result = validator.validate(r.value());
        if (result.rejection() == null) {
            return Optional.of(result.sample());
        }
        deadLetter(r, result.rejection());
        return Optional.empty();
    }

    private void deadLetter(SampleSource.Record r, SampleValidator.Rejection rejection) {
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
        ports.deadLetters()
                .send(
                        DeadLetter.newBuilder()
                                .setReasonCode(rejection.code())
                                .setReason(rejection.reason())
                                .setTopic(r.topic())
                                .setPartition(r.partition())
                                .setOffset(r.offset())
                                .setRecordTimestamp(
                                        r.timestamp() >= 0
                                                ? Instant.ofEpochMilli(r.timestamp())
                                                : null)
                                .setRawKey(r.key() == null ? null : ByteBuffer.wrap(r.key()))
                                .setRawValue(r.value() == null ? null : ByteBuffer.wrap(r.value()))
                                .build());
        deadLettersUnflushed = true;
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
                hold.heldBackMillis(clock.now().toEpochMilli()),
                batchesRejected,
                snapshotsFailed);
    }

    private static String fmt(Double d) {
        return d == null ? "n/a" : String.format("%.4f", d);
    }
}
