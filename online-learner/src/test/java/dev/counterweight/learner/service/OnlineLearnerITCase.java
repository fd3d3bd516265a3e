package dev.counterweight.learner.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.counterweight.avro.ClassLoss;
import dev.counterweight.avro.ModelSnapshot;
import dev.counterweight.avro.Sample;
import dev.counterweight.connectors.avro.AvroCodec;
import dev.counterweight.connectors.kafka.KafkaTestUtils;
import dev.counterweight.connectors.kafka.Topics;
import dev.counterweight.learner.model.Dl4jRankingModel;
import dev.counterweight.learner.model.RankingModel;
import dev.counterweight.learner.scoring.Candidate;
import dev.counterweight.learner.scoring.SnapshotScorer;
import dev.counterweight.learner.snapshot.SnapshotStore;
import dev.counterweight.testing.EmbeddedKafkaBroker;
import dev.counterweight.testing.SyntheticSamples;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The learner service against a real KRaft broker. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class OnlineLearnerITCase {

    @TempDir static Path dir;
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void start() {
        broker = EmbeddedKafkaBroker.start(dir.resolve("kafka"));
        broker.createTopics(Topics.specs(2).stream().map(t -> t.toNewTopic((short) 1)).toList());
        broker.createTopics(List.of(new NewTopic("resume-samples", 1, (short) 1)));
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void learnsAnnouncesAVerifiableSnapshotAndPublishesClassLoss() throws Exception {
        List<Sample> samples = SyntheticSamples.learnable(6_000, 1);
        produce(Topics.WEIGHTED_SAMPLES.name(), samples, 2);
        Path snapshots = dir.resolve("snapshots-a");

        Configuration c = config(snapshots, Topics.WEIGHTED_SAMPLES.name(), 2_048);
        c.setString("learner.model-name", "learn");
        OnlineLearner learner = new OnlineLearner(LearnerSettings.from(c));
        OnlineLearner.Status status = learner.run();

        assertThat(status.samplesTrained()).isEqualTo(6_000);
        List<ModelSnapshot> announced =
                read(Topics.MODEL_SNAPSHOTS.name(), ModelSnapshot.class).stream()
                        .filter(m -> m.getModelName().equals("learn"))
                        .toList();
        assertThat(announced).isNotEmpty();
        assertThat(announced)
                .extracting(ModelSnapshot::getVersion)
                .isSorted()
                .doesNotHaveDuplicates();
        ModelSnapshot last = announced.get(announced.size() - 1);
        assertThat(SnapshotStore.sha256(SnapshotStore.verify(last))).isEqualTo(last.getSha256());
        assertThat(last.getSamplesTrained()).isEqualTo(6_000);
        assertThat(last.getMetrics().get("ctr.auc"))
                .as("AUC on a learnable signal")
                .isGreaterThan(0.62);
        assertThat(last.getMetrics().values()).allMatch(Double::isFinite);
        assertThat(last.getMetrics()).containsKeys("ctr.auc", "ctr.macro-auc", "ctcvr.auc");
        assertThat(last.getMetrics().get("ctr.logloss")).isFinite();

        try (SnapshotScorer scorer = new SnapshotScorer(last.getFeatureSchemaFingerprint())) {
            assertThat(scorer.loadLatest(snapshots, "learn")).isPresent();
            var scores =
                    scorer.score(
                            List.of(
                                    new Candidate("u1", "i1", "c9", List.of(2f, 1f), 1.0),
                                    new Candidate("u1", "i1", "c0", List.of(-2f, 1f), 1.0)));
            assertThat(java.util.Arrays.stream(scores.ctr()).boxed().toList())
                    .allMatch(p -> p > 0 && p < 1);
            assertThat(scores.ctr()[0]).as("the learnt direction").isGreaterThan(scores.ctr()[1]);
        }

        List<ClassLoss> losses = read(Topics.CLASS_LOSS.name(), ClassLoss.class);
        assertThat(losses).isNotEmpty();
        assertThat(losses.get(losses.size() - 1).getClasses()).isNotEmpty();
        assertThat(Files.list(snapshots).map(p -> p.getFileName().toString()))
                .as("no partial file is visible")
                .noneMatch(n -> n.startsWith(".tmp"));
    }

    @Test
    void resumesAfterACrashBitExactlyAsAnUninterruptedRun() throws Exception {
        produce("resume-samples", SyntheticSamples.learnable(4_096, 2), 1);

        Path uninterrupted = dir.resolve("uninterrupted");
        new OnlineLearner(settings(uninterrupted, "resume-samples", 1_024)).run();

        Path crashed = dir.resolve("crashed");
        new OnlineLearner(settings(crashed, "resume-samples", 1_024)).run();
        // The process died right after snapshot 2: what it trained afterwards is lost.
        SnapshotStore store = new SnapshotStore(crashed, "ranker", 100);
        Files.delete(store.manifestFile(4));
        Files.delete(store.modelFile(4));
        Files.delete(store.manifestFile(3));
        Files.delete(store.modelFile(3));
        assertThat(store.latestValid().orElseThrow().getVersion()).isEqualTo(2);

        OnlineLearner.Status resumed =
                new OnlineLearner(settings(crashed, "resume-samples", 1_024)).run();

        assertThat(resumed.samplesTrained()).isEqualTo(4_096);
        assertThat(resumed.version()).isEqualTo(4);
        Dl4jRankingModel a =
                (Dl4jRankingModel)
                        RankingModel.load(
                                new SnapshotStore(uninterrupted, "ranker", 100).modelFile(4));
        Dl4jRankingModel b = (Dl4jRankingModel) RankingModel.load(store.modelFile(4));
        assertThat(b.parameterVector()).isEqualTo(a.parameterVector());
        assertThat(b.updaterStateVector()).isEqualTo(a.updaterStateVector());
        assertThat(store.latestValid().orElseThrow().getConsumerOffsets())
                .isEqualTo(
                        new SnapshotStore(uninterrupted, "ranker", 100)
                                .latestValid()
                                .orElseThrow()
                                .getConsumerOffsets());
    }

    @Test
    void unreachableBrokerFailsAtStartNamingTheOption() {
        Configuration c = config(dir.resolve("nowhere"), Topics.WEIGHTED_SAMPLES.name(), 1_024);
        c.setString("learner.bootstrap-servers", "127.0.0.1:1");
        assertThatThrownBy(() -> new OnlineLearner(LearnerSettings.from(c)).run())
                .hasMessageContaining("learner.bootstrap-servers")
                .hasMessageContaining("127.0.0.1:1");
    }

    @Test
    void missingTopicFailsAtStartNamingTheOption() {
        Configuration c = config(dir.resolve("missing"), "no-such-topic", 1_024);
        assertThatThrownBy(() -> new OnlineLearner(LearnerSettings.from(c)).run())
                .hasMessageContaining("no-such-topic")
                .hasMessageContaining("learner.samples-topic");
    }

    private static LearnerSettings settings(Path snapshots, String topic, long every) {
        return LearnerSettings.from(config(snapshots, topic, every));
    }

    private static Configuration config(Path snapshots, String topic, long every) {
        Map<String, String> m = new HashMap<>();
        m.put("learner.bootstrap-servers", broker.bootstrapServers());
        m.put("learner.samples-topic", topic);
        m.put("learner.snapshot-dir", snapshots.toString());
        m.put("learner.snapshot-every-samples", String.valueOf(every));
        m.put("learner.snapshot-interval", "0 s");
        m.put("learner.snapshot-retention", "100");
        m.put("learner.batch-size", "256");
        m.put("learner.batch-timeout", "0 s");
        m.put("learner.max-idle", "3 s");
        m.put("learner.gate.min-samples", "1000");
        m.put("learner.class-loss-every-batches", "4");
        m.put("learner.eval-window", "4000");
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
        return Configuration.fromMap(m);
    }

    private static void produce(String topic, List<Sample> samples, int partitions)
            throws Exception {
        AvroCodec<Sample> codec = AvroCodec.of(Sample.class);
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(
                        Map.of(
                                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                broker.bootstrapServers(),
                                ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                                "samples-" + topic),
                        new ByteArraySerializer(),
                        new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < samples.size(); i++) {
                Sample s = samples.get(i);
                producer.send(
                        new ProducerRecord<>(
                                topic, i % partitions, s.getUserId().getBytes(), codec.encode(s)));
            }
            producer.commitTransaction();
        }
    }

    private static <T extends org.apache.avro.specific.SpecificRecordBase> List<T> read(
            String topic, Class<T> type) throws Exception {
        AvroCodec<T> codec = AvroCodec.of(type);
        List<T> out = new ArrayList<>();
        for (var r :
                KafkaTestUtils.readAllCommitted(
                        broker.bootstrapServers(), topic, Duration.ofSeconds(60))) {
            out.add(codec.decode(r.value()));
        }
        return out;
    }
}
