package dev.counterweight.learner.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.counterweight.avro.DeadLetter;
import dev.counterweight.avro.ModelSnapshot;
import dev.counterweight.avro.PartitionOffset;
import dev.counterweight.avro.Sample;
import dev.counterweight.connectors.avro.AvroCodec;
import dev.counterweight.connectors.kafka.KafkaTestUtils;
import dev.counterweight.connectors.kafka.Topics;
import dev.counterweight.learner.model.Batch;
import dev.counterweight.learner.model.Dl4jRankingModel;
import dev.counterweight.learner.model.RankingModel;
import dev.counterweight.learner.snapshot.SnapshotStore;
import dev.counterweight.testing.EmbeddedKafkaBroker;
import dev.counterweight.testing.SyntheticSamples;
import java.nio.ByteBuffer;
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
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The learner survives every kind of bad sample on a real broker: the {@link BadSamples} corpus
 * mixed into a good stream is dead-lettered once each with its reason and source offset, the model
 * is bit for bit the one trained on the good samples alone, the snapshot's offsets pass the bad
 * records (the last records of the topic are bad), and a restart reads none of them again.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class LearnerDeadLetterITCase {

    private static final String POISONED = "poisoned-samples";
    private static final String CLEAN = "clean-samples";
    private static final String DIVERGING = "diverging-samples";
    private static final int GOOD = 1_500;

    @TempDir static Path dir;
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void start() {
        broker = EmbeddedKafkaBroker.start(dir.resolve("kafka"));
        broker.createTopics(Topics.specs(1).stream().map(t -> t.toNewTopic((short) 1)).toList());
        broker.createTopics(
                List.of(
                        new NewTopic(POISONED, 1, (short) 1),
                        new NewTopic(CLEAN, 1, (short) 1),
                        new NewTopic(DIVERGING, 1, (short) 1)));
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void deadLettersEveryBadSampleOnceAndTrainsExactlyTheGoodOnes() throws Exception {
        List<Sample> good = SyntheticSamples.learnable(GOOD, 5);
        List<BadSamples.Kind> bad = BadSamples.corpus();
        AvroCodec<Sample> codec = AvroCodec.of(Sample.class);
        // Bad records spread over the stream, two of them after the last good one.
        List<byte[]> poisoned = new ArrayList<>();
        List<Integer> badAt = new ArrayList<>();
        int every = GOOD / (bad.size() - 1);
        int next = 0;
        for (int i = 0; i < GOOD; i++) {
            if (i % every == 3 && next < bad.size() - 2) {
                badAt.add(poisoned.size());
                poisoned.add(bad.get(next++).value());
            }
            poisoned.add(codec.encode(good.get(i)));
        }
        while (next < bad.size()) {
            badAt.add(poisoned.size());
            poisoned.add(bad.get(next++).value());
        }
        List<RecordMetadata> written = produce(POISONED, poisoned);
        produce(CLEAN, good.stream().map(codec::encode).toList());

        Path poisonedDir = dir.resolve("poisoned");
        Path cleanDir = dir.resolve("clean");
        OnlineLearner.Status status = new OnlineLearner(settings(poisonedDir, POISONED)).run();
        OnlineLearner.Status reference = new OnlineLearner(settings(cleanDir, CLEAN)).run();

        assertThat(status.state()).isEqualTo("stopped");
        assertThat(status.samplesTrained()).isEqualTo(GOOD);
        assertThat(status.skipped()).isEqualTo(bad.size());
        assertThat(status.batchesRejected()).isZero();
        assertThat(reference.samplesTrained()).isEqualTo(GOOD);
        assertThat(reference.skipped()).isZero();

        // Each bad record once, with its reason, source partition and offset, and raw bytes.
        List<DeadLetter> letters = deadLetters(POISONED);
        assertThat(letters).hasSize(bad.size());
        Map<Long, DeadLetter> byOffset = new HashMap<>();
        for (DeadLetter d : letters) {
            assertThat(byOffset.put(d.getOffset(), d))
                    .as("offset %s twice", d.getOffset())
                    .isNull();
        }
        for (int k = 0; k < bad.size(); k++) {
            RecordMetadata source = written.get(badAt.get(k));
            DeadLetter d = byOffset.get(source.offset());
            BadSamples.Kind kind = bad.get(k);
            assertThat(d).as(kind.name()).isNotNull();
            assertThat(d.getReasonCode()).as(kind.name()).isEqualTo(kind.code());
            assertThat(d.getReason()).as(kind.name()).isNotBlank();
            assertThat(d.getPartition()).isEqualTo(source.partition());
            assertThat(d.getRecordTimestamp()).isNotNull();
            assertThat(d.getRawValue())
                    .as(kind.name())
                    .isEqualTo(kind.value() == null ? null : ByteBuffer.wrap(kind.value()));
        }

        // The model is the one trained on the good samples alone, bit for bit.
        SnapshotStore store = new SnapshotStore(poisonedDir, "ranker", 100);
        SnapshotStore cleanStore = new SnapshotStore(cleanDir, "ranker", 100);
        ModelSnapshot last = store.latestValid().orElseThrow();
        ModelSnapshot cleanLast = cleanStore.latestValid().orElseThrow();
        assertThat(last.getSamplesTrained()).isEqualTo(GOOD);
        Dl4jRankingModel trained =
                (Dl4jRankingModel) RankingModel.load(store.modelFile(last.getVersion()));
        Dl4jRankingModel onGoodOnly =
                (Dl4jRankingModel) RankingModel.load(cleanStore.modelFile(cleanLast.getVersion()));
        assertThat(trained.iterations()).isEqualTo(onGoodOnly.iterations()).isPositive();
        assertThat(trained.parameterVector()).isEqualTo(onGoodOnly.parameterVector());
        assertThat(trained.updaterStateVector()).isEqualTo(onGoodOnly.updaterStateVector());

        // The snapshot's offsets pass every record, the trailing bad ones included.
        assertThat(last.getConsumerOffsets())
                .containsExactly(new PartitionOffset(POISONED, 0, (long) poisoned.size()));

        // A restart resumes after them: nothing is read, trained or dead-lettered again.
        OnlineLearner.Status restarted = new OnlineLearner(settings(poisonedDir, POISONED)).run();
        assertThat(restarted.state()).isEqualTo("stopped");
        assertThat(restarted.samplesTrained()).isEqualTo(GOOD);
        assertThat(restarted.skipped()).isZero();
        assertThat(restarted.version()).isEqualTo(last.getVersion());
        assertThat(deadLetters(POISONED)).hasSize(bad.size());

        // A bad record arriving after the restart point: dead-lettered, and training goes on.
        List<Sample> more = SyntheticSamples.learnable(300, 6);
        List<byte[]> tail = new ArrayList<>();
        tail.add(bad.get(12).value());
        more.forEach(s -> tail.add(codec.encode(s)));
        List<RecordMetadata> tailWritten = produce(POISONED, tail);
        OnlineLearner.Status continued = new OnlineLearner(settings(poisonedDir, POISONED)).run();
        assertThat(continued.samplesTrained()).isEqualTo(GOOD + 300);
        assertThat(continued.skipped()).isEqualTo(1);
        List<DeadLetter> after = deadLetters(POISONED);
        assertThat(after).hasSize(bad.size() + 1);
        assertThat(after.get(after.size() - 1).getOffset()).isEqualTo(tailWritten.get(0).offset());
        assertThat(after.get(after.size() - 1).getReasonCode()).isEqualTo(bad.get(12).code());
        assertThat(store.latestValid().orElseThrow().getConsumerOffsets())
                .containsExactly(
                        new PartitionOffset(POISONED, 0, (long) poisoned.size() + tail.size()));
    }

    /**
     * Valid samples whose steps turn non-finite: a learning rate of 1e35 makes the first Adam step
     * move every parameter by about 1e35, and every later forward pass overflows float. The learner
     * refuses those batches, keeps the parameters of the first step, moves its offsets past them
     * and keeps running.
     */
    @Test
    void batchesWithANonFiniteStepAreNotAppliedAndTheLearnerGoesOn() throws Exception {
        List<Sample> samples = SyntheticSamples.learnable(1_024, 8);
        AvroCodec<Sample> codec = AvroCodec.of(Sample.class);
        produce(DIVERGING, samples.stream().map(codec::encode).toList());
        Path snapshots = dir.resolve("diverging");
        Map<String, String> m = options(snapshots, DIVERGING);
        m.put("model.learning-rate", "1e35");
        LearnerSettings settings = LearnerSettings.from(Configuration.fromMap(m));

        OnlineLearner.Status status = new OnlineLearner(settings).run();

        assertThat(status.state()).isEqualTo("stopped");
        assertThat(status.batchesRejected()).isEqualTo(7);
        assertThat(status.samplesTrained()).isEqualTo(128);
        assertThat(status.skipped()).isZero();
        SnapshotStore store = new SnapshotStore(snapshots, "ranker", 100);
        ModelSnapshot last = store.latestValid().orElseThrow();
        assertThat(last.getConsumerOffsets())
                .containsExactly(new PartitionOffset(DIVERGING, 0, 1_024L));
        Dl4jRankingModel model =
                (Dl4jRankingModel) RankingModel.load(store.modelFile(last.getVersion()));
        Dl4jRankingModel firstStepOnly = Dl4jRankingModel.create(settings.model());
        Batch first = new SampleEncoder(settings.model()).encode(samples.subList(0, 128));
        firstStepOnly.startAtBaseRates(first);
        firstStepOnly.train(first);
        assertThat(model.iterations()).isEqualTo(1);
        assertThat(model.parameterVector()).isEqualTo(firstStepOnly.parameterVector());
        assertThat(model.updaterStateVector()).isEqualTo(firstStepOnly.updaterStateVector());
        assertThat(java.util.Arrays.stream(model.parameterVector())).allMatch(Double::isFinite);
    }

    private static LearnerSettings settings(Path snapshots, String topic) {
        return LearnerSettings.from(Configuration.fromMap(options(snapshots, topic)));
    }

    private static Map<String, String> options(Path snapshots, String topic) {
        Map<String, String> m = new HashMap<>();
        m.put("learner.bootstrap-servers", broker.bootstrapServers());
        m.put("learner.samples-topic", topic);
        m.put("learner.snapshot-dir", snapshots.toString());
        m.put("learner.snapshot-every-samples", "512");
        m.put("learner.snapshot-interval", "0 s");
        m.put("learner.snapshot-retention", "100");
        m.put("learner.batch-size", "128");
        m.put("learner.batch-timeout", "0 s");
        m.put("learner.max-idle", "2 s");
        m.put("learner.gate.min-samples", "500");
        m.put("learner.class-loss-every-batches", "0");
        m.put("learner.eval-window", "2000");
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

    private static List<RecordMetadata> produce(String topic, List<byte[]> values)
            throws Exception {
        List<RecordMetadata> out = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(
                        Map.of(
                                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                broker.bootstrapServers(),
                                ProducerConfig.ACKS_CONFIG,
                                "all"),
                        new ByteArraySerializer(),
                        new ByteArraySerializer())) {
            List<java.util.concurrent.Future<RecordMetadata>> sent = new ArrayList<>();
            for (byte[] v : values) {
                sent.add(producer.send(new ProducerRecord<>(topic, 0, null, v)));
            }
            for (var f : sent) {
                out.add(f.get(60, TimeUnit.SECONDS));
            }
        }
        return out;
    }

    private static List<DeadLetter> deadLetters(String sourceTopic) throws Exception {
        AvroCodec<DeadLetter> codec = AvroCodec.of(DeadLetter.class);
        List<DeadLetter> out = new ArrayList<>();
        for (var r :
                KafkaTestUtils.readAllCommitted(
                        broker.bootstrapServers(),
                        Topics.LEARNER_DLQ.name(),
                        Duration.ofSeconds(30))) {
            DeadLetter d = codec.decode(r.value());
            if (d.getTopic().equals(sourceTopic)) {
                out.add(d);
            }
        }
        return out;
    }
}
