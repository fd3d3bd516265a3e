package dev.counterweight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.counterweight.avro.ClassLoss;
import dev.counterweight.avro.ClassLossEntry;
import dev.counterweight.avro.ClassWeight;
import dev.counterweight.avro.ClassWeights;
import dev.counterweight.avro.ModelSnapshot;
import dev.counterweight.avro.Sample;
import dev.counterweight.avro.UserEvent;
import dev.counterweight.connectors.avro.AvroCodec;
import dev.counterweight.connectors.dataset.SyntheticEventGenerator;
import dev.counterweight.connectors.kafka.KafkaTestUtils;
import dev.counterweight.connectors.kafka.Topics;
import dev.counterweight.testing.EmbeddedKafkaBroker;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI against a real in-process KRaft broker: create the topics, replay a synthetic stream,
 * inspect it, and write a report of output topics filled by a plain producer.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CounterweightCliITCase {

    private static final int REPLAYED = 500;
    private static final long SEED = 7;
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

    @TempDir static Path dir;
    private static EmbeddedKafkaBroker broker;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeAll
    static void start() {
        broker = EmbeddedKafkaBroker.start(dir.resolve("kafka"));
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private int run(String... args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        return CounterweightCli.run(new PrintWriter(out), new PrintWriter(err), args);
    }

    @Test
    @Order(1)
    void topicsCreateMakesEveryTopicOnceAndListShowsThem() {
        String bs = broker.bootstrapServers();

        assertThat(run("topics", "create", "--bootstrap-servers", bs, "--partitions", "3"))
                .as(err.toString())
                .isZero();
        assertThat(out.toString().lines())
                .hasSize(Topics.specs(3).size() + 1)
                .anySatisfy(l -> assertThat(l).matches("events +3 +1 +delete +created"))
                .anySatisfy(l -> assertThat(l).matches("learner-dlq +1 +1 +delete +created"))
                .anySatisfy(l -> assertThat(l).matches("class-weights +1 +1 +compact +created"))
                .anySatisfy(l -> assertThat(l).matches("model-snapshots +1 +1 +compact +created"));

        assertThat(run("topics", "create", "--bootstrap-servers", bs)).isZero();
        assertThat(out.toString()).contains("exists").doesNotContain("created");

        assertThat(run("topics", "list", "--bootstrap-servers", bs)).isZero();
        assertThat(out.toString()).containsPattern("weighted-samples +3 +1 +delete +Sample");
    }

    @Test
    @Order(2)
    void replayWritesEveryEventKeyedByUserWithEventTimeTimestamps() throws Exception {
        long before = System.currentTimeMillis();
        int rc =
                run(
                        "replay",
                        "--bootstrap-servers",
                        broker.bootstrapServers(),
                        "--source",
                        "synthetic",
                        "--limit",
                        String.valueOf(REPLAYED),
                        "--speed-up",
                        "0",
                        "--seed",
                        String.valueOf(SEED));

        assertThat(rc).as(err.toString()).isZero();
        assertThat(out.toString()).contains("Replayed 500 events into 'events'");
        assertThat(err.toString()).contains("500/500 events").contains("done in");

        List<UserEvent> generated =
                SyntheticEventGenerator.generate(
                                SyntheticEventGenerator.Config.defaults(SEED).withExposures(20_000))
                        .subList(0, REPLAYED);
        Map<String, UserEvent> byId =
                generated.stream()
                        .collect(Collectors.toMap(UserEvent::getEventId, Function.identity()));
        long originalFirst = generated.get(0).getEventTime().toEpochMilli();

        AvroCodec<UserEvent> codec = AvroCodec.of(UserEvent.class);
        List<ConsumerRecord<byte[], byte[]>> records =
                KafkaTestUtils.readAllCommitted(
                        broker.bootstrapServers(), Topics.EVENTS.name(), READ_TIMEOUT);
        assertThat(records).hasSize(REPLAYED);
        long shiftedFirst = Long.MAX_VALUE;
        Map<String, Integer> partitionOfUser = new HashMap<>();
        List<UserEvent> decoded = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            UserEvent e = codec.decode(r.value());
            decoded.add(e);
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(e.getUserId());
            assertThat(r.timestamp()).isEqualTo(e.getEventTime().toEpochMilli());
            assertThat(partitionOfUser.put(e.getUserId(), r.partition())).isIn(null, r.partition());
            shiftedFirst = Math.min(shiftedFirst, r.timestamp());
        }
        // --time-shift now (the default): the first event at the start, every gap kept.
        assertThat(shiftedFirst).isBetween(before, System.currentTimeMillis());
        assertThat(decoded).extracting(UserEvent::getEventId).hasSameElementsAs(byId.keySet());
        for (UserEvent e : decoded) {
            UserEvent original = byId.get(e.getEventId());
            assertThat(e.getEventTime().toEpochMilli() - shiftedFirst)
                    .isEqualTo(original.getEventTime().toEpochMilli() - originalFirst);
            assertThat(e.getUserId()).isEqualTo(original.getUserId());
        }
        assertThat(new java.util.HashSet<>(partitionOfUser.values())).hasSize(3);
    }

    @Test
    @Order(3)
    void inspectPrintsTheLastRecordsAsJsonLines() {
        assertThat(
                        run(
                                "inspect",
                                "events",
                                "--bootstrap-servers",
                                broker.bootstrapServers(),
                                "--max",
                                "5"))
                .as(err.toString())
                .isZero();

        assertThat(out.toString().lines())
                .hasSize(5)
                .allSatisfy(
                        l ->
                                assertThat(l)
                                        .startsWith("{\"eventId\": \"syn-")
                                        .contains("\"userId\": \"su")
                                        .endsWith("}"));

        assertThat(
                        run(
                                "inspect",
                                "events",
                                "--bootstrap-servers",
                                broker.bootstrapServers(),
                                "--from-beginning"))
                .isZero();
        assertThat(out.toString().lines()).hasSize(REPLAYED);
    }

    @Test
    @Order(4)
    void reportReadsTheOutputTopicsAndDrawsCharts() throws Exception {
        fillOutputTopics();
        Path reportDir = dir.resolve("report");

        assertThat(
                        run(
                                "report",
                                "--bootstrap-servers",
                                broker.bootstrapServers(),
                                "--out",
                                reportDir.toString()))
                .as(err.toString())
                .isZero();

        String md = Files.readString(reportDir.resolve("report.md"));
        assertThat(md)
                .contains("| weighted samples | 60 (0 delayed-feedback corrections) |")
                .contains("| weight-table versions | 3 (v1 to v3), strategy SQRT_INVERSE |")
                .contains("| model snapshots published | 2: v1, v2 (model ranker) |");
        for (String png :
                List.of(
                        "class-distribution.png",
                        "class-weights.png",
                        "ess-imbalance.png",
                        "learner-auc.png",
                        "learner-loss.png",
                        "class-loss.png")) {
            assertThat(ImageIO.read(reportDir.resolve(png).toFile())).as(png).isNotNull();
        }
    }

    /** A few records on every topic the report reads, as the job and the learner would write. */
    private static void fillOutputTopics() throws Exception {
        Instant t0 = Instant.parse("2025-01-01T00:00:00Z");
        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(
                        Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                        new StringSerializer(),
                        new ByteArraySerializer())) {
            for (int i = 0; i < 60; i++) {
                String cls = "cat=" + (i % 10 < 6 ? 0 : i % 10 < 9 ? 1 : 2) + "|y=none";
                send(
                        producer,
                        Topics.WEIGHTED_SAMPLES.name(),
                        Sample.newBuilder()
                                .setSampleId("s" + i)
                                .setUserId("u" + i)
                                .setItemId("i")
                                .setCategoryId("c")
                                .setExposureTime(t0)
                                .setClosedAt(t0)
                                .setClick(false)
                                .setConversion(false)
                                .setClassKey(cls)
                                .setFeatures(List.of())
                                .setWeight(cls.startsWith("cat=0") ? 0.5 : 2.0)
                                .build());
            }
            for (long v = 1; v <= 3; v++) {
                send(
                        producer,
                        Topics.CLASS_WEIGHTS.name(),
                        ClassWeights.newBuilder()
                                .setVersion(v)
                                .setStrategy("SQRT_INVERSE")
                                .setComputedAt(t0.plusSeconds(v))
                                .setHalfLifeMillis(Long.MAX_VALUE)
                                .setTotalCount(20 * v)
                                .setEffectiveSampleSize(15 * v)
                                .setImbalanceRatio(6)
                                .setFallbackWeight(1)
                                .setClasses(
                                        List.of(
                                                weight("cat=0|y=none", 12 * v, 0.5),
                                                weight("cat=1|y=none", 6 * v, 1.2),
                                                weight("cat=2|y=none", 2 * v, 2.0)))
                                .build());
            }
            for (long v = 1; v <= 2; v++) {
                send(
                        producer,
                        Topics.MODEL_SNAPSHOTS.name(),
                        ModelSnapshot.newBuilder()
                                .setModelName("ranker")
                                .setVersion(v)
                                .setUri("file:/tmp/m" + v)
                                .setSha256("00")
                                .setCreatedAt(t0.plusSeconds(60 * v))
                                .setSamplesTrained(30 * v)
                                .setConsumerOffsets(List.of())
                                .setMetrics(Map.of("ctr.auc", 0.6 + v / 20.0, "ctr.logloss", 0.5))
                                .setFeatureSchemaFingerprint("f")
                                .build());
                send(
                        producer,
                        Topics.CLASS_LOSS.name(),
                        ClassLoss.newBuilder()
                                .setModelVersion(v)
                                .setWindowEnd(t0.plusSeconds(60 * v))
                                .setSamples(30)
                                .setOverallMeanLoss(0.4)
                                .setClasses(
                                        List.of(
                                                ClassLossEntry.newBuilder()
                                                        .setClassKey("cat=0|y=none")
                                                        .setMeanLoss(0.3)
                                                        .setCount(20)
                                                        .build()))
                                .build());
            }
            producer.flush();
        }
    }

    private static ClassWeight weight(String key, double count, double weight) {
        return ClassWeight.newBuilder().setClassKey(key).setCount(count).setWeight(weight).build();
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void send(
            KafkaProducer<String, byte[]> producer, String topic, SpecificRecordBase record)
            throws Exception {
        AvroCodec codec = AvroCodec.of(record.getClass());
        producer.send(new ProducerRecord<>(topic, "k", codec.encode(record))).get();
    }
}
