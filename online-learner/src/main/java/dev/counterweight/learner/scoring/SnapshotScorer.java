package dev.counterweight.learner.scoring;

import dev.counterweight.avro.ModelSnapshot;
import dev.counterweight.connectors.avro.AvroCodec;
import dev.counterweight.connectors.kafka.Topics;
import dev.counterweight.learner.model.Batch;
import dev.counterweight.learner.model.RankingModel;
import dev.counterweight.learner.model.Scores;
import dev.counterweight.learner.service.OnlineLearner;
import dev.counterweight.learner.service.SampleEncoder;
import dev.counterweight.learner.snapshot.SnapshotStore;
import dev.counterweight.learner.snapshot.SnapshotVerificationException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scoring library for downstream services: loads a snapshot (verifying its sha256 and its
 * feature-schema fingerprint), scores candidates, and can follow the snapshots topic to hot-swap
 * newer versions. A snapshot that fails verification is refused with a clear error and the model
 * already loaded keeps serving. Thread-safe: scoring reads an immutable loaded model.
 */
public final class SnapshotScorer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotScorer.class);

    private record Loaded(
            ModelSnapshot manifest,
            RankingModel model,
            SampleEncoder encoder,
            ScoreCalibration calibration) {}

    private final String expectedFingerprint;
    private final AtomicReference<Loaded> current = new AtomicReference<>();
    private final AtomicBoolean following = new AtomicBoolean();
    private Thread follower;

    /**
     * @param expectedFingerprint the feature-schema fingerprint this service feeds (see {@link
     *     OnlineLearner#fingerprint}); snapshots of another schema are refused
     */
    public SnapshotScorer(String expectedFingerprint) {
        this.expectedFingerprint = expectedFingerprint;
    }

    /** Loads the newest valid snapshot of a directory. */
    public Optional<ModelSnapshot> loadLatest(Path dir, String modelName) throws IOException {
        for (ModelSnapshot m : new SnapshotStore(dir, modelName, Integer.MAX_VALUE).manifests()) {
            try {
                return Optional.of(load(m));
            } catch (SnapshotVerificationException e) {
                LOG.warn("refusing snapshot v{}: {}", m.getVersion(), e.getMessage());
            }
        }
        return Optional.empty();
    }

    /**
     * Verifies and loads a snapshot, then swaps it in. On any failure the previous model stays.
     *
     * @throws SnapshotVerificationException saying why the snapshot is refused
     */
    public ModelSnapshot load(ModelSnapshot manifest) throws SnapshotVerificationException {
        if (!expectedFingerprint.equals(manifest.getFeatureSchemaFingerprint())) {
            throw new SnapshotVerificationException(
                    "snapshot v"
                            + manifest.getVersion()
                            + " has feature schema "
                            + manifest.getFeatureSchemaFingerprint()
                            + ", this service feeds "
                            + expectedFingerprint);
        }
        Path file = SnapshotStore.verify(manifest);
        RankingModel model;
        try {
            model = RankingModel.load(file);
        } catch (IOException | RuntimeException e) {
            throw new SnapshotVerificationException(
                    "snapshot v" + manifest.getVersion() + " cannot be loaded: " + e.getMessage(),
                    e);
        }
        if (!expectedFingerprint.equals(OnlineLearner.fingerprint(model))) {
            throw new SnapshotVerificationException(
                    "model file of snapshot v"
                            + manifest.getVersion()
                            + " is for feature schema "
                            + OnlineLearner.fingerprint(model)
                            + ", not "
                            + expectedFingerprint);
        }
        ScoreCalibration calibration;
        try {
            calibration = ScoreCalibration.of(manifest.getCalibration());
        } catch (RuntimeException e) {
            throw new SnapshotVerificationException(
                    "snapshot v"
                            + manifest.getVersion()
                            + " has an unusable calibration record: "
                            + e.getMessage(),
                    e);
        }
        current.set(new Loaded(manifest, model, new SampleEncoder(model.config()), calibration));
        LOG.info("serving snapshot v{} ({})", manifest.getVersion(), manifest.getUri());
        return manifest;
    }

    /** The snapshot being served, if any. */
    public Optional<ModelSnapshot> current() {
        Loaded l = current.get();
        return l == null ? Optional.empty() : Optional.of(l.manifest());
    }

    /**
     * Scores candidates with the current model and returns calibrated probabilities: negative
     * down-sampling (each candidate's sampling rate), class weighting where the class key depends
     * on the label, and delayed feedback as the snapshot was trained are undone ({@link
     * ScoreCalibration} says how).
     *
     * @throws IllegalStateException if no snapshot is loaded
     */
    public Scores score(List<Candidate> candidates) {
        return score(candidates, true);
    }

    /**
     * Scores candidates with the current model and returns its outputs as they are: the
     * probabilities of the distribution it was trained on (class-weighted, down-sampled, with fake
     * negatives).
     *
     * @throws IllegalStateException if no snapshot is loaded
     */
    public Scores scoreRaw(List<Candidate> candidates) {
        return score(candidates, false);
    }

    private synchronized Scores score(List<Candidate> candidates, boolean calibrated) {
        Loaded l = current.get();
        if (l == null) {
            throw new IllegalStateException("no snapshot loaded yet");
        }
        int n = candidates.size();
        Batch batch =
                l.encoder()
                        .encodeUnlabeled(
                                candidates.stream().map(Candidate::userId).toList(),
                                candidates.stream().map(Candidate::itemId).toList(),
                                candidates.stream().map(Candidate::categoryId).toList(),
                                candidates.stream().map(Candidate::features).toList());
        Scores raw = l.model().score(batch);
        if (!calibrated) {
            return raw;
        }
        double[] ctr = new double[n];
        double[] cvr = new double[n];
        double[] ctcvr = new double[n];
        for (int i = 0; i < n; i++) {
            Candidate c = candidates.get(i);
            double[] p =
                    l.calibration()
                            .calibrate(
                                    raw.ctr()[i], raw.ctcvr()[i], c.categoryId(), c.samplingRate());
            ctr[i] = p[0];
            cvr[i] = p[1];
            ctcvr[i] = p[2];
        }
        return new Scores(ctr, cvr, ctcvr);
    }

    /**
     * Follows the snapshots topic in a background thread, loading each announcement of {@code
     * modelName}; refused snapshots are logged and the current model keeps serving.
     */
    public void follow(String bootstrapServers, String topic, String modelName) {
        if (!following.compareAndSet(false, true)) {
            throw new IllegalStateException("already following");
        }
        AvroCodec<ModelSnapshot> codec = Topics.MODEL_SNAPSHOTS.codec();
        follower =
                new Thread(
                        () -> {
                            try (KafkaConsumer<byte[], byte[]> consumer =
                                    new KafkaConsumer<>(
                                            Map.of(
                                                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                                    bootstrapServers,
                                                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                                                    false),
                                            new ByteArrayDeserializer(),
                                            new ByteArrayDeserializer())) {
                                List<TopicPartition> parts =
                                        consumer.partitionsFor(topic).stream()
                                                .map(p -> new TopicPartition(topic, p.partition()))
                                                .toList();
                                consumer.assign(parts);
                                consumer.seekToBeginning(parts);
                                while (following.get()) {
                                    for (var r : consumer.poll(Duration.ofMillis(200))) {
                                        try {
                                            ModelSnapshot m = codec.decode(r.value());
                                            if (m.getModelName().equals(modelName)
                                                    && current()
                                                            .map(
                                                                    cur ->
                                                                            cur.getVersion()
                                                                                    < m
                                                                                            .getVersion())
                                                            .orElse(true)) {
                                                load(m);
                                            }
                                        } catch (IOException | SnapshotVerificationException e) {
                                            LOG.warn(
                                                    "refusing announced snapshot: {}",
                                                    e.getMessage());
                                        }
                                    }
                                }
                            } catch (RuntimeException e) {
                                LOG.error("snapshot follower stopped: {}", e.toString());
                            }
                        },
                        "snapshot-follower-" + modelName);
        follower.setDaemon(true);
        follower.start();
    }

    @Override
    public void close() throws InterruptedException {
        following.set(false);
        if (follower != null) {
            follower.join(10_000);
        }
    }
}
