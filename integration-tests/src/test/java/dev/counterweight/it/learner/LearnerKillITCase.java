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
import dev.counterweight.it.reference.TopicIO;
import dev.counterweight.learner.snapshot.SnapshotStore;
import dev.counterweight.testing.Await;
import dev.counterweight.testing.SyntheticSamples;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The learner JVM trains on a stream of weighted samples while it is killed with SIGKILL ({@code
 * cw.it.kills} times, each right after a new snapshot appeared) and restarted. When it has stopped
 * by itself (learner.max-idle), the newest snapshot must have trained on exactly the samples in the
 * topic, the snapshot chain must be intact, every announced snapshot must verify, and no reader
 * watching the directory may ever have seen a manifest without its complete model.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class LearnerKillITCase {

    private static final String MODEL = "ranker";
    private static final int SAMPLES = 20_000;

    private static Path work;
    private static KafkaBrokerProcess broker;
    private static final List<LearnerProcess> learners = new ArrayList<>();

    @BeforeAll
    static void start() {
        work = ItConfig.workDir(LearnerKillITCase.class);
        broker = KafkaBrokerProcess.start(work.resolve("kafka"), Map.of());
        broker.createCounterweightTopics(2);
    }

    @AfterAll
    static void stop() {
        learners.forEach(LearnerProcess::close);
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void resumesExactlyAfterKillsAndNeverExposesAPartialSnapshot() throws Exception {
        int kills = ItConfig.kills();
        Path snapshots = work.resolve("snapshots");
        Map<String, String> options = options(snapshots);
        List<Sample> samples = SyntheticSamples.learnable(SAMPLES, 4);
        AtomicInteger produced = new AtomicInteger();
        Thread producer = new Thread(() -> produce(samples, produced), "sample-producer");
        producer.setDaemon(true);

        try (SnapshotWatcher watcher = new SnapshotWatcher(snapshots)) {
            producer.start();
            LearnerProcess learner = start(options);
            for (int k = 0; k < kills; k++) {
                int due = SAMPLES * (k + 1) / (kills + 1);
                LearnerProcess running = learner;
                Await.until(
                        due + " samples produced",
                        () -> {
                            running.requireAlive();
                            return produced.get() >= due;
                        },
                        Duration.ofMinutes(2));
                long seen = watcher.newestVersion();
                Await.until(
                        "a snapshot newer than v" + seen + " appears",
                        () -> {
                            running.requireAlive();
                            return watcher.newestVersion() > seen;
                        },
                        Duration.ofMinutes(2));
                learner.kill9();
                log(
                        "killed the learner at snapshot v%d, %d samples produced",
                        watcher.newestVersion(), produced.get());
                learner = start(options);
            }
            producer.join(TimeUnit.MINUTES.toMillis(2));
            assertThat(produced.get()).as("samples produced").isEqualTo(SAMPLES);
            assertThat(learner.waitForExit(Duration.ofMinutes(3)))
                    .as("exit code of the learner stopping by itself")
                    .isZero();
            assertThat(watcher.violations()).as("what a reader saw during the run").isEmpty();
            assertThat(watcher.scans()).isPositive();
        }
        for (int i = 1; i < learners.size(); i++) {
            assertThat(learners.get(i).logText())
                    .as("restart %d resumed from a snapshot", i)
                    .contains("resumed from snapshot v");
        }

        SnapshotStore store = new SnapshotStore(snapshots, MODEL, 10_000);
        List<ModelSnapshot> manifests = new ArrayList<>(store.manifests());
        java.util.Collections.reverse(manifests); // oldest first
        assertThat(manifests).isNotEmpty();
        for (int i = 0; i < manifests.size(); i++) {
            ModelSnapshot m = manifests.get(i);
            assertThat(m.getVersion()).as("versions without gaps").isEqualTo(i + 1L);
            assertThat(m.getParentVersion())
                    .as("parent of v%d", m.getVersion())
                    .isEqualTo(i == 0 ? null : (long) i);
            if (i > 0) {
                assertThat(m.getSamplesTrained())
                        .as("samples trained grow along the chain")
                        .isGreaterThan(manifests.get(i - 1).getSamplesTrained());
            }
            SnapshotStore.verify(m);
        }
        ModelSnapshot newest = manifests.get(manifests.size() - 1);
        assertThat(newest.getSamplesTrained())
                .as("samples trained by the newest snapshot")
                .isEqualTo(SAMPLES);
        Map<Integer, Long> offsets = new HashMap<>();
        for (PartitionOffset o : newest.getConsumerOffsets()) {
            offsets.put(o.getPartition(), o.getOffset());
        }
        try (Admin admin = broker.admin()) {
            Map<Integer, Long> end = new HashMap<>();
            for (Map.Entry<TopicPartition, Long> e :
                    TopicIO.endOffsets(admin, Topics.WEIGHTED_SAMPLES.name()).entrySet()) {
                end.put(e.getKey().partition(), e.getValue());
            }
            assertThat(offsets).as("consumer offsets of the newest snapshot").isEqualTo(end);
        }

        List<ModelSnapshot> announced =
                TopicIO.readAll(
                        broker.bootstrapServers(),
                        Topics.MODEL_SNAPSHOTS.name(),
                        ModelSnapshot.class);
        assertThat(announced).as("announced snapshots").isNotEmpty();
        assertThat(announced)
                .extracting(ModelSnapshot::getVersion)
                .as("announced versions")
                .isSorted()
                .doesNotHaveDuplicates();
        for (ModelSnapshot a : announced) {
            assertThat(SnapshotStore.sha256(SnapshotStore.verify(a)))
                    .as("sha256 of announced v%d", a.getVersion())
                    .isEqualTo(a.getSha256());
        }
        try (Stream<Path> files = Files.list(snapshots)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .as("no partial file is visible")
                    .noneMatch(n -> n.startsWith(".tmp"));
        }
        log(
                "%d samples, %d kills survived, %d snapshots (%d announced), newest v%d trained %d",
                SAMPLES,
                kills,
                manifests.size(),
                announced.size(),
                newest.getVersion(),
                newest.getSamplesTrained());
    }

    private static LearnerProcess start(Map<String, String> options) {
        LearnerProcess p =
                LearnerProcess.start(
                        work.resolve("logs"), "learner-" + (learners.size() + 1), options);
        learners.add(p);
        return p;
    }

    /** Replays the samples over about 30 s, alternating partitions; counts acknowledged sends. */
    private static void produce(List<Sample> samples, AtomicInteger produced) {
        AvroCodec<Sample> codec = AvroCodec.of(Sample.class);
        long start = System.nanoTime();
        long duration = TimeUnit.SECONDS.toNanos(30);
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(
                        Map.of(
                                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                broker.bootstrapServers(),
                                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                                true,
                                ProducerConfig.ACKS_CONFIG,
                                "all",
                                ProducerConfig.LINGER_MS_CONFIG,
                                5),
                        new ByteArraySerializer(),
                        new ByteArraySerializer())) {
            for (int i = 0; i < samples.size(); i++) {
                Sample s = samples.get(i);
                producer.send(
                        new ProducerRecord<>(
                                Topics.WEIGHTED_SAMPLES.name(),
                                i % 2,
                                s.getUserId().getBytes(StandardCharsets.UTF_8),
                                codec.encode(s)),
                        (metadata, error) -> {
                            if (error == null) {
                                produced.incrementAndGet();
                            }
                        });
                if (i % 200 == 199) {
                    // Rate control, not synchronisation.
                    long wait = start + duration * (i + 1) / samples.size() - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000);
                    }
                }
            }
            producer.flush();
        } catch (Exception e) {
            throw new IllegalStateException("producing samples failed", e);
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
        m.put("learner.max-idle", "6 s");
        m.put("learner.class-loss-every-batches", "4");
        m.put("learner.eval-window", "4000");
        // The gate is not under test here: announce every snapshot once a few samples were seen.
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
        System.out.printf("[LearnerKillITCase] " + format + "%n", args);
    }
}
