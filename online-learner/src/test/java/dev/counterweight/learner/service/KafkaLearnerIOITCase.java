package dev.counterweight.learner.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.counterweight.avro.ClassLoss;
import dev.counterweight.avro.DeadLetter;
import dev.counterweight.avro.ModelSnapshot;
import dev.counterweight.avro.PartitionOffset;
import dev.counterweight.connectors.avro.AvroCodec;
import dev.counterweight.connectors.kafka.KafkaTestUtils;
import dev.counterweight.connectors.kafka.Topics;
import dev.counterweight.testing.EmbeddedKafkaBroker;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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

/**
 * The learner's Kafka adapter on a real KRaft broker: it reads committed records only, from the
 * offsets it is given (a partition without one from its beginning), and its publishers write the
 * snapshot, class-loss and dead-letter topics; a missing topic fails {@code open()} naming the
 * option. The loop itself is tested on fakes ({@code OnlineLearnerTest}).
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class KafkaLearnerIOITCase {

    private static final String SAMPLES = "io-samples";

    @TempDir static Path dir;
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void start() {
        broker = EmbeddedKafkaBroker.start(dir.resolve("kafka"));
        broker.createTopics(Topics.specs(1).stream().map(t -> t.toNewTopic((short) 1)).toList());
        broker.createTopics(List.of(new NewTopic(SAMPLES, 2, (short) 1)));
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void readsCommittedRecordsFromTheGivenOffsetsAndPublishesToTheLearnersTopics()
            throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = transactional()) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(SAMPLES, i % 2, bytes("k" + i), bytes("v" + i)));
            }
            producer.commitTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(SAMPLES, 0, bytes("k"), bytes("aborted")));
            producer.flush();
            producer.abortTransaction();
        }
        LearnerSettings settings = settings(SAMPLES);
        List<SampleSource.Record> read = new ArrayList<>();
        try (KafkaLearnerIO io = new KafkaLearnerIO(settings)) {
            io.open();
            io.seek(Map.of(0, 2L));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (read.size() < 8 && System.nanoTime() < deadline) {
                read.addAll(io.poll(Duration.ofMillis(200)));
            }
            // Nothing else arrives: the aborted record is never delivered.
            read.addAll(io.poll(Duration.ofSeconds(1)));

            ModelSnapshot snapshot = snapshot();
            io.announce(snapshot);
            ClassLoss loss =
                    ClassLoss.newBuilder()
                            .setModelVersion(1)
                            .setWindowEnd(Instant.ofEpochMilli(5))
                            .setSamples(8)
                            .setOverallMeanLoss(0.25)
                            .setClasses(List.of())
                            .build();
            io.publish(loss);
            DeadLetter letter =
                    DeadLetter.newBuilder()
                            .setReasonCode("UNDECODABLE")
                            .setReason("test")
                            .setTopic(SAMPLES)
                            .setPartition(1)
                            .setOffset(3)
                            .setRecordTimestamp(null)
                            .setRawKey(null)
                            .setRawValue(ByteBuffer.wrap(bytes("v7")))
                            .build();
            io.send(letter);
            io.flush();
            assertThat(read)
                    .extracting(SampleSource.Record::partition, SampleSource.Record::offset)
                    .containsExactlyInAnyOrder(
                            org.assertj.core.groups.Tuple.tuple(0, 2L),
                            org.assertj.core.groups.Tuple.tuple(0, 3L),
                            org.assertj.core.groups.Tuple.tuple(0, 4L),
                            org.assertj.core.groups.Tuple.tuple(1, 0L),
                            org.assertj.core.groups.Tuple.tuple(1, 1L),
                            org.assertj.core.groups.Tuple.tuple(1, 2L),
                            org.assertj.core.groups.Tuple.tuple(1, 3L),
                            org.assertj.core.groups.Tuple.tuple(1, 4L));
            for (SampleSource.Record r : read) {
                int i = (int) r.offset() * 2 + r.partition();
                assertThat(r.topic()).isEqualTo(SAMPLES);
                assertThat(new String(r.value(), StandardCharsets.UTF_8)).isEqualTo("v" + i);
                assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("k" + i);
                assertThat(r.timestamp()).isPositive();
            }

            assertThat(readAll(Topics.MODEL_SNAPSHOTS.name(), ModelSnapshot.class))
                    .containsExactly(snapshot);
            assertThat(readAll(Topics.CLASS_LOSS.name(), ClassLoss.class)).containsExactly(loss);
            assertThat(readAll(Topics.LEARNER_DLQ.name(), DeadLetter.class))
                    .containsExactly(letter);
            // Not asserted: the monitoring commit (committed(...), commitAsync without a callback)
            // did not become visible to Admin.listConsumerGroupOffsets within 30 s here; see the
            // ports branch report.
            io.committed(Map.of(0, 5L, 1, 5L));
        }
    }

    @Test
    void aMissingTopicFailsOpenNamingTheOption() {
        try (KafkaLearnerIO io = new KafkaLearnerIO(settings("no-such-samples"))) {
            assertThatThrownBy(io::open)
                    .hasMessageContaining("no-such-samples")
                    .hasMessageContaining("learner.samples-topic");
        }
    }

    private static ModelSnapshot snapshot() {
        return ModelSnapshot.newBuilder()
                .setModelName("ranker")
                .setVersion(1)
                .setParentVersion(null)
                .setUri("file:///tmp/ranker-v1.model")
                .setSha256("00")
                .setCreatedAt(Instant.ofEpochMilli(1_000))
                .setSamplesTrained(8)
                .setConsumerOffsets(List.of(new PartitionOffset(SAMPLES, 0, 5L)))
                .setMetrics(Map.of("ctr.auc", 0.5))
                .setFeatureSchemaFingerprint("fp")
                .build();
    }

    private static LearnerSettings settings(String samples) {
        Map<String, String> m = new java.util.HashMap<>(OnlineLearnerTest.options());
        m.put("learner.bootstrap-servers", broker.bootstrapServers());
        m.put("learner.samples-topic", samples);
        m.put("learner.snapshot-dir", dir.resolve("unused").toString());
        return LearnerSettings.from(Configuration.fromMap(m));
    }

    private static KafkaProducer<byte[], byte[]> transactional() {
        return new KafkaProducer<>(
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        broker.bootstrapServers(),
                        ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                        "io-samples-writer"),
                new ByteArraySerializer(),
                new ByteArraySerializer());
    }

    private static <T extends org.apache.avro.specific.SpecificRecordBase> List<T> readAll(
            String topic, Class<T> type) throws Exception {
        AvroCodec<T> codec = AvroCodec.of(type);
        List<T> out = new ArrayList<>();
        for (var r :
                KafkaTestUtils.readAllCommitted(
                        broker.bootstrapServers(), topic, Duration.ofSeconds(30))) {
            out.add(codec.decode(r.value()));
        }
        return out;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
