package dev.counterweight.it.learner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.counterweight.avro.ModelSnapshot;
import dev.counterweight.avro.PartitionOffset;
import dev.counterweight.avro.Sample;
import dev.counterweight.connectors.avro.AvroCodec;
import dev.counterweight.connectors.kafka.Topics;
import dev.counterweight.it.harness.ItConfig;
import dev.counterweight.it.harness.KafkaBrokerProcess;
import dev.counterweight.it.harness.LearnerProcess;
import dev.counterweight.learner.model.RankingModel;
import dev.counterweight.learner.scoring.SnapshotScorer;
import dev.counterweight.learner.snapshot.SnapshotStore;
import dev.counterweight.testing.Await;
import dev.counterweight.testing.SyntheticSamples;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SIGKILL in the middle of a snapshot write, on a learner JVM: the store's test pause ({@code
 * -Dcounterweight.snapshot.test-pause}) holds the write of v2 with the model's temporary file
 * complete, and (next start) the write of v3 with the model renamed and the manifest's temporary
 * file complete; the learner is killed there. Each time a reader ({@link SnapshotStore#latestValid}
 * and {@link SnapshotScorer#loadLatest}) sees only the previous complete snapshot, the restarted
 * learner resumes from it, and the last start ends with every sample trained once (12 steps of 250
 * for 3,000 samples), versions 1..3 chained and verified, and no temporary file left.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class LearnerSnapshotFaultITCase {

    private static final String MODEL = "ranker";
    private static final int SAMPLES = 3_000;

    private static Path work;
    private static KafkaBrokerProcess broker;
    private static final List<LearnerProcess> learners = new ArrayList<>();

    @BeforeAll
    static void start() {
        work = ItConfig.workDir(LearnerSnapshotFaultITCase.class);
        broker = KafkaBrokerProcess.start(work.resolve("kafka"), Map.of());
        broker.createCounterweightTopics(1);
    }

    @AfterAll
    static void stop() {
        learners.forEach(LearnerProcess::close);
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void killedDuringTheModelAndTheManifestWriteItResumesFromTheLastCompleteSnapshot()
            throws Exception {
        produce(SyntheticSamples.learnable(SAMPLES, 21));
        Path snapshots = work.resolve("snapshots");
        Map<String, String> options = options(snapshots);
        SnapshotStore reader = new SnapshotStore(snapshots, MODEL, 10_000);

        // 1. Killed while writing the model of v2.
        Path marker = work.resolve("paused-model-v2");
        LearnerProcess first = start(options, "model:2:" + marker);
        awaitPaused(first, marker);
        assertThat(names(snapshots))
                .containsExactly(".tmp-ranker-v2.model", "ranker-v1.json", "ranker-v1.model");
        assertThat(readerSees(reader, snapshots)).isEqualTo(1);
        first.kill9();

        // 2. Killed while writing the manifest of v3 (its model already renamed into place).
        marker = work.resolve("paused-manifest-v3");
        LearnerProcess second = start(options, "manifest:3:" + marker);
        awaitPaused(second, marker);
        assertThat(second.logText()).contains("resumed from snapshot v1");
        assertThat(names(snapshots))
                .containsExactly(
                        ".tmp-ranker-v3.json",
                        "ranker-v1.json",
                        "ranker-v1.model",
                        "ranker-v2.json",
                        "ranker-v2.model",
                        "ranker-v3.model");
        assertThat(readerSees(reader, snapshots)).isEqualTo(2);
        second.kill9();

        // 3. Runs to the end.
        LearnerProcess last = start(options, null);
        assertThat(last.waitForExit(Duration.ofMinutes(3))).as("exit code").isZero();
        assertThat(last.logText()).contains("resumed from snapshot v2");
        assertThat(names(snapshots))
                .containsExactly(
                        "ranker-v1.json",
                        "ranker-v1.model",
                        "ranker-v2.json",
                        "ranker-v2.model",
                        "ranker-v3.json",
                        "ranker-v3.model");
        List<ModelSnapshot> chain = new ArrayList<>(reader.manifests());
        Collections.reverse(chain);
        assertThat(chain).extracting(ModelSnapshot::getVersion).containsExactly(1L, 2L, 3L);
        for (int i = 0; i < chain.size(); i++) {
            SnapshotStore.verify(chain.get(i));
            assertThat(chain.get(i).getParentVersion()).isEqualTo(i == 0 ? null : (long) i);
            assertThat(chain.get(i).getSamplesTrained()).isEqualTo(1_000L * (i + 1));
        }
        ModelSnapshot newest = chain.get(2);
        assertThat(newest.getConsumerOffsets())
                .containsExactly(
                        new PartitionOffset(Topics.WEIGHTED_SAMPLES.name(), 0, (long) SAMPLES));
        assertThat(RankingModel.load(reader.modelFile(3)).iterations())
                .as("optimisation steps: every batch of 250 trained once")
                .isEqualTo(SAMPLES / 250);
        log(
                "%d samples, 2 kills (model write of v2, manifest write of v3), 3 starts, newest v%d"
                        + " trained %d",
                SAMPLES, newest.getVersion(), newest.getSamplesTrained());
    }

    /** The version a snapshot reader and a scorer load at this moment (they must agree). */
    private static long readerSees(SnapshotStore reader, Path snapshots) throws Exception {
        ModelSnapshot latest = reader.latestValid().orElseThrow();
        try (SnapshotScorer scorer = new SnapshotScorer(latest.getFeatureSchemaFingerprint())) {
            assertThat(scorer.loadLatest(snapshots, MODEL))
                    .map(ModelSnapshot::getVersion)
                    .contains(latest.getVersion());
        }
        return latest.getVersion();
    }

    private static void awaitPaused(LearnerProcess learner, Path marker) {
        Await.until(
                "the learner pauses at " + marker.getFileName(),
                () -> {
                    learner.requireAlive();
                    return Files.exists(marker);
                },
                Duration.ofMinutes(2));
    }

    private static LearnerProcess start(Map<String, String> options, String pause) {
        List<String> flags =
                pause == null ? List.of() : List.of("-Dcounterweight.snapshot.test-pause=" + pause);
        LearnerProcess p =
                LearnerProcess.start(
                        work.resolve("logs"), "learner-" + (learners.size() + 1), options, flags);
        learners.add(p);
        return p;
    }

    private static List<String> names(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static void produce(List<Sample> samples) throws Exception {
        AvroCodec<Sample> codec = AvroCodec.of(Sample.class);
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(
                        Map.of(
                                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                broker.bootstrapServers(),
                                ProducerConfig.ACKS_CONFIG,
                                "all"),
                        new ByteArraySerializer(),
                        new ByteArraySerializer())) {
            for (Sample s : samples) {
                producer.send(
                        new ProducerRecord<>(
                                Topics.WEIGHTED_SAMPLES.name(),
                                0,
                                s.getUserId().getBytes(StandardCharsets.UTF_8),
                                codec.encode(s)));
            }
            producer.flush();
        }
    }

    private static Map<String, String> options(Path snapshots) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("learner.bootstrap-servers", broker.bootstrapServers());
        m.put("learner.model-name", MODEL);
        m.put("learner.snapshot-dir", snapshots.toString());
        m.put("learner.snapshot-every-samples", "1000");
        m.put("learner.snapshot-interval", "0 s");
        m.put("learner.snapshot-retention", "10000");
        m.put("learner.batch-size", "250");
        m.put("learner.batch-timeout", "0 s");
        m.put("learner.max-idle", "4 s");
        m.put("learner.class-loss-every-batches", "0");
        m.put("learner.eval-window", "4000");
        m.put("learner.gate.max-auc-drop", "1.0");
        m.put("learner.gate.max-ne-rise", "1000");
        m.put("learner.gate.max-calibration-ratio", "1000");
        m.put("learner.gate.min-samples", "250");
        m.put("learner.omp-threads", "1");
        m.put("learner.device", "cpu");
        m.put("model.user-vocab", "1000");
        m.put("model.item-vocab", "1000");
        m.put("model.category-vocab", "100");
        m.put("model.embedding-dim", "4");
        m.put("model.dense-features", "4");
        m.put("model.bottom-layers", "16");
        m.put("model.tower-width", "8");
        m.put("model.learning-rate", "0.01");
        return m;
    }

    private static void log(String format, Object... args) {
        System.out.printf("[LearnerSnapshotFaultITCase] " + format + "%n", args);
    }
}
