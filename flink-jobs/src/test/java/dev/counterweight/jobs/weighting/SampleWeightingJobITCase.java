package dev.counterweight.jobs.weighting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.counterweight.avro.ClassWeight;
import dev.counterweight.avro.ClassWeights;
import dev.counterweight.avro.DeadLetter;
import dev.counterweight.avro.EventType;
import dev.counterweight.avro.Sample;
import dev.counterweight.avro.UserEvent;
import dev.counterweight.avro.fixtures.TestEvents;
import dev.counterweight.connectors.avro.AvroCodec;
import dev.counterweight.connectors.dataset.SyntheticEventGenerator;
import dev.counterweight.connectors.features.FeatureLayout;
import dev.counterweight.connectors.kafka.KafkaTestUtils;
import dev.counterweight.connectors.kafka.Topics;
import dev.counterweight.core.attribution.ClassKeyMode;
import dev.counterweight.core.decay.HalfLife;
import dev.counterweight.core.weighting.WeightTable;
import dev.counterweight.testing.EmbeddedKafkaBroker;
import dev.counterweight.testing.LoopbackFlink;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
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
 * The whole job on a Flink MiniCluster (RocksDB, checkpoints every second, exactly-once sinks)
 * against a real KRaft broker: a few thousand events plus garbage in, and the read_committed output
 * is checked against a brute-force reference computed here on the same input.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class SampleWeightingJobITCase {

    static final long WINDOW = 30_000;
    static final long HORIZON = 120_000;
    static final long HALF_LIFE = 600_000;
    static final long INTERVAL = 20_000;

    @TempDir static Path dir;
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.start(dir.resolve("kafka"));
        broker.createTopics(Topics.specs(2).stream().map(t -> t.toNewTopic((short) 1)).toList());
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void everySampleExactlyOnceWithReferenceLabelsAndWeightsAndGarbageDeadLettered()
            throws Exception {
        List<UserEvent> events = uniquePairEvents();
        Map<String, Long> garbageOffsets = new HashMap<>();
        Map<String, String> garbageCodes = new HashMap<>();
        produce(events, garbageOffsets, garbageCodes);

        Configuration config = new Configuration();
        config.setString("kafka.bootstrap-servers", broker.bootstrapServers());
        config.setString("kafka.bounded", "true");
        config.setString("attribution.window", WINDOW + " ms");
        config.setString("attribution.correction-horizon", HORIZON + " ms");
        config.setString("weights.half-life", HALF_LIFE + " ms");
        config.setString("weights.update-interval", INTERVAL + " ms");
        config.setString("weights.strategy", "INVERSE");
        config.setString("classes.key", "CATEGORY_LABEL");
        config.setString("job.checkpoint-interval", "1 s");
        config.setString("job.checkpoint-dir", dir.resolve("checkpoints").toUri().toString());
        config.setString("job.restart-attempts", "0");
        config.setString("validation.max-string-length", "64");
        SampleWeightingSettings settings = SampleWeightingSettings.from(config);
        SampleWeightingJob.preflight(settings);

        Configuration flink = SampleWeightingJob.flinkConfiguration(settings, loopback());
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(2, flink);
        new SampleWeightingJob(settings).buildWithKafka(env);
        env.execute("sample-weighting-itcase");

        List<Sample> samples = read(Topics.WEIGHTED_SAMPLES.name(), Sample.class);
        List<ClassWeights> tables = read(Topics.CLASS_WEIGHTS.name(), ClassWeights.class);
        List<DeadLetter> deadLetters = read(Topics.EVENTS_DLQ.name(), DeadLetter.class);

        // 1. Every expected sample exactly once, with the reference labels.
        Map<String, boolean[]> expected = referenceSamples(events);
        Map<String, Sample> byId = new HashMap<>();
        for (Sample s : samples) {
            assertThat(byId.put(s.getSampleId(), s)).as("duplicate %s", s.getSampleId()).isNull();
        }
        Set<String> missing = new HashSet<>(expected.keySet());
        missing.removeAll(byId.keySet());
        Set<String> extra = new HashSet<>(byId.keySet());
        extra.removeAll(expected.keySet());
        assertThat(missing).as("expected samples not emitted").isEmpty();
        assertThat(extra).as("samples emitted but not expected").isEmpty();
        long corrections = assertLabelsAsReference(expected, byId);
        assertThat(corrections).as("the input has delayed purchases").isPositive();
        assertThat(samples.stream().filter(Sample::getClick).count()).isPositive();

        // 2. Weight tables: versions 1..n; counts and weights equal an offline recomputation.
        assertThat(tables).isNotEmpty();
        Map<Long, ClassWeights> tableByVersion = new HashMap<>();
        for (int i = 0; i < tables.size(); i++) {
            assertThat(tables.get(i).getVersion()).isEqualTo(i + 1L);
            tableByVersion.put(tables.get(i).getVersion(), tables.get(i));
            assertTableMatchesReference(tables.get(i), samples, settings);
        }

        // 3. Each sample carries the weight of its class in the table that stamped it.
        for (Sample s : samples) {
            double expectedWeight = 1.0;
            if (s.getWeightTableVersion() > 0) {
                ClassWeights t = tableByVersion.get(s.getWeightTableVersion());
                assertThat(t).as("table %d", s.getWeightTableVersion()).isNotNull();
                expectedWeight =
                        t.getClasses().stream()
                                .filter(c -> c.getClassKey().equals(s.getClassKey()))
                                .mapToDouble(ClassWeight::getWeight)
                                .findFirst()
                                .orElse(t.getFallbackWeight());
            }
            assertThat(s.getClassWeight()).isEqualTo(expectedWeight);
            assertThat(s.getWeight()).isEqualTo(expectedWeight);
            assertThat(s.getSamplingRate()).isEqualTo(1.0);
        }
        // How many samples a table reaches first depends on scheduling: this stream is read in
        // well under a second, and in 1 of 3 runs of the full build on the 2-core machine
        // (2026-12-04) every sample left before the first table was broadcast. Whether tables are
        // applied at all is asserted where it is deterministic: StampWeightsFunctionTest (harness)
        // and WeightingReference.assertStampedWeights (more than half stamped) in the
        // integration-tests ITCases, whose streams restore or run long enough. Here: reported only.
        long stamped = samples.stream().filter(s -> s.getWeightTableVersion() > 0).count();
        System.out.printf(
                "samples stamped by a real weight table: %d of %d%n", stamped, samples.size());

        // 4. Garbage: each bad record in the DLQ once, with its reason and source offset.
        Map<Long, DeadLetter> dlqByOffset = new HashMap<>();
        for (DeadLetter d : deadLetters) {
            assertThat(d.getTopic()).isEqualTo(Topics.EVENTS.name());
            assertThat(d.getReason()).isNotBlank();
            dlqByOffset.put(d.getPartition() * 1_000_000L + d.getOffset(), d);
        }
        assertThat(deadLetters).hasSize(garbageOffsets.size());
        garbageOffsets.forEach(
                (name, position) -> {
                    DeadLetter d = dlqByOffset.get(position);
                    assertThat(d).as("dead letter for %s", name).isNotNull();
                    assertThat(d.getReasonCode()).as(name).isEqualTo(garbageCodes.get(name));
                });
    }

    static void assertTableMatchesReference(
            ClassWeights table, List<Sample> samples, SampleWeightingSettings settings) {
        long boundary = table.getComputedAt().toEpochMilli();
        HalfLife h = settings.weightHalfLife();
        Map<String, Double> counts = new HashMap<>();
        for (Sample s : samples) {
            long closed = s.getClosedAt().toEpochMilli();
            if (closed <= boundary) {
                counts.merge(
                        s.getClassKey(),
                        Math.pow(2, -(boundary - closed) / (double) h.millis()),
                        Double::sum);
            }
        }
        WeightTable reference =
                WeightTable.compute(table.getVersion(), counts, settings.weighting());
        assertThat(table.getClasses()).hasSize(counts.size());
        for (ClassWeight c : table.getClasses()) {
            double n = counts.get(c.getClassKey());
            assertThat(c.getCount())
                    .as("count of %s at %s", c.getClassKey(), boundary)
                    .isCloseTo(n, within(n * 1e-9));
            double w = reference.weightOf(c.getClassKey());
            assertThat(c.getWeight())
                    .as("weight of %s", c.getClassKey())
                    .isCloseTo(w, within(w * 1e-9));
        }
        assertThat(table.getEffectiveSampleSize())
                .isCloseTo(
                        reference.effectiveSampleSize(),
                        within(1e-9 * reference.effectiveSampleSize()));
    }

    /**
     * Reference labels by brute force over the input: sample id -> {click, conversion, correction}.
     * Each (user, item) pair has exactly one exposure here.
     */
    static Map<String, boolean[]> referenceSamples(List<UserEvent> events) {
        Map<String, UserEvent> exposureOfPair = new HashMap<>();
        for (UserEvent e : events) {
            if (e.getType() == EventType.IMPRESSION) {
                exposureOfPair.put(e.getUserId() + "/" + e.getItemId(), e);
            }
        }
        Map<String, boolean[]> out = new HashMap<>();
        for (UserEvent exposure : exposureOfPair.values()) {
            long t0 = exposure.getEventTime().toEpochMilli();
            boolean click = false;
            boolean conversion = false;
            boolean late = false;
            for (UserEvent e : events) {
                if (!e.getUserId().equals(exposure.getUserId())
                        || !e.getItemId().equals(exposure.getItemId())) {
                    continue;
                }
                long t = e.getEventTime().toEpochMilli();
                boolean in = t >= t0 && t <= t0 + WINDOW;
                boolean horizon = t > t0 + WINDOW && t <= t0 + WINDOW + HORIZON;
                if (e.getType() == EventType.CLICK && in) {
                    click = true;
                }
                if (e.getType() == EventType.PURCHASE && in) {
                    click = true;
                    conversion = true;
                }
                if (e.getType() == EventType.PURCHASE && horizon) {
                    late = true;
                }
            }
            out.put(exposure.getEventId(), new boolean[] {click, conversion, false});
            if (late && !conversion) {
                out.put(exposure.getEventId() + "#correction", new boolean[] {true, true, true});
            }
        }
        return out;
    }

    static List<UserEvent> uniquePairEvents() {
        SyntheticEventGenerator.Config base = SyntheticEventGenerator.Config.defaults(3);
        SyntheticEventGenerator.Config config =
                new SyntheticEventGenerator.Config(
                        3,
                        3_000,
                        2_000,
                        400,
                        12,
                        1.1,
                        0.25,
                        0.4,
                        2.0,
                        1_700_000_000_000L,
                        100,
                        WINDOW,
                        90_000);
        assertThat(base.seed()).isEqualTo(3);
        List<UserEvent> all = SyntheticEventGenerator.generate(config);
        Map<String, Long> exposuresPerPair =
                all.stream()
                        .filter(e -> e.getType() == EventType.IMPRESSION)
                        .collect(
                                Collectors.groupingBy(
                                        e -> e.getUserId() + "/" + e.getItemId(),
                                        Collectors.counting()));
        return all.stream()
                .filter(e -> exposuresPerPair.get(e.getUserId() + "/" + e.getItemId()) == 1)
                .toList();
    }

    /**
     * Produces the good events keyed by user (so a user's events stay ordered in one partition),
     * with a few duplicates, and garbage records whose positions are recorded.
     */
    private static void produce(
            List<UserEvent> events, Map<String, Long> garbageOffsets, Map<String, String> codes)
            throws Exception {
        AvroCodec<UserEvent> codec = AvroCodec.of(UserEvent.class);
        Random random = new Random(9);
        long firstTime = events.get(0).getEventTime().toEpochMilli();
        Map<String, byte[]> garbage = new HashMap<>();
        byte[] valid = codec.encode(events.get(0));
        byte[] noise = new byte[40];
        random.nextBytes(noise);
        garbage.put("random bytes", noise);
        garbage.put("truncated avro", Arrays.copyOf(valid, valid.length / 2));
        garbage.put(
                "wrong schema",
                AvroCodec.of(DeadLetter.class)
                        .encode(
                                DeadLetter.newBuilder()
                                        .setReasonCode("x")
                                        .setReason("x")
                                        .setTopic("t")
                                        .setPartition(0)
                                        .setOffset(0)
                                        .build()));
        garbage.put(
                "empty user",
                codec.encode(withUser(TestEvents.impression("u", "g1").at(firstTime), "")));
        garbage.put(
                "nan feature",
                codec.encode(
                        TestEvents.impression("g2", "g2").withFeatures(Float.NaN).at(firstTime)));
        garbage.put(
                "oversized item",
                codec.encode(TestEvents.impression("g3", "x".repeat(100)).at(firstTime)));
        garbage.put("ancient", codec.encode(TestEvents.impression("g5", "g5").at(1_000L)));
        garbage.put("purchase without exposure", new byte[0]);
        codes.put("random bytes", EventValidator.WRONG_SCHEMA);
        codes.put("truncated avro", EventValidator.UNDECODABLE);
        codes.put("wrong schema", EventValidator.WRONG_SCHEMA);
        codes.put("empty user", EventValidator.MISSING_ID);
        codes.put("nan feature", EventValidator.NON_FINITE_FEATURE);
        codes.put("oversized item", EventValidator.OVERSIZED_FIELD);
        codes.put("purchase without exposure", EventValidator.PURCHASE_WITHOUT_EXPOSURE);
        codes.put("ancient", EventValidator.BAD_TIMESTAMP);

        Set<Integer> duplicateAt = new HashSet<>();
        for (int i = 0; i < 30; i++) {
            duplicateAt.add(random.nextInt(events.size()));
        }
        List<String> garbageNames = new ArrayList<>(garbage.keySet());
        garbageNames.sort(null);
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(
                        Map.of(
                                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                broker.bootstrapServers(),
                                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                                true),
                        new ByteArraySerializer(),
                        new ByteArraySerializer())) {
            int g = 0;
            for (int i = 0; i < events.size(); i++) {
                UserEvent e = events.get(i);
                send(producer, e, codec);
                if (duplicateAt.contains(i)) {
                    send(producer, e, codec);
                }
                if (i % 200 == 100 && g < garbageNames.size()) {
                    String name = garbageNames.get(g++);
                    int partition = g % 2;
                    if (name.equals("purchase without exposure")) {
                        // Valid, and on time (not late): only attribution can reject it.
                        garbage.put(
                                name,
                                codec.encode(
                                        TestEvents.purchase("g4", "never-shown")
                                                .at(e.getEventTime().toEpochMilli() + 1)));
                    }
                    RecordMetadata m =
                            producer.send(
                                            new ProducerRecord<>(
                                                    Topics.EVENTS.name(),
                                                    partition,
                                                    e.getEventTime().toEpochMilli(),
                                                    ("garbage-" + name).getBytes(),
                                                    garbage.get(name)))
                                    .get();
                    garbageOffsets.put(name, m.partition() * 1_000_000L + m.offset());
                }
            }
            assertThat(g).isEqualTo(garbageNames.size());
        }
    }

    private static void send(
            KafkaProducer<byte[], byte[]> producer, UserEvent e, AvroCodec<UserEvent> codec) {
        producer.send(
                new ProducerRecord<>(
                        Topics.EVENTS.name(),
                        null,
                        e.getEventTime().toEpochMilli(),
                        e.getUserId().getBytes(),
                        codec.encode(e)));
    }

    private static UserEvent withUser(UserEvent e, String user) {
        e.setUserId(user);
        return e;
    }

    private static <T extends org.apache.avro.specific.SpecificRecordBase> List<T> read(
            String topic, Class<T> type) throws Exception {
        AvroCodec<T> codec = AvroCodec.of(type);
        List<T> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r :
                KafkaTestUtils.readAllCommitted(
                        broker.bootstrapServers(), topic, Duration.ofSeconds(60))) {
            out.add(codec.decode(r.value()));
        }
        return out;
    }

    static Configuration loopback() {
        return LoopbackFlink.configuration();
    }

    static Instant at(long millis) {
        return Instant.ofEpochMilli(millis);
    }

    /**
     * Every expected sample's labels, correction flag, class key and feature layout equal the
     * reference's; returns the number of corrections among them.
     */
    static long assertLabelsAsReference(Map<String, boolean[]> expected, Map<String, Sample> byId) {
        long corrections = 0;
        for (Map.Entry<String, boolean[]> e : expected.entrySet()) {
            Sample s = byId.get(e.getKey());
            assertThat(s.getClick()).as("click of %s", e.getKey()).isEqualTo(e.getValue()[0]);
            assertThat(s.getConversion())
                    .as("conversion of %s", e.getKey())
                    .isEqualTo(e.getValue()[1]);
            assertThat(s.getCorrection()).isEqualTo(e.getValue()[2]);
            assertThat(s.getClassKey())
                    .isEqualTo(
                            ClassKeyMode.CATEGORY_LABEL.keyOf(
                                    s.getCategoryId(), s.getClick(), s.getConversion(), 0));
            assertThat(s.getFeatureFingerprint()).isEqualTo(FeatureLayout.FINGERPRINT);
            assertThat(s.getFeatures()).hasSize(FeatureLayout.DENSE).allMatch(Float::isFinite);
            corrections += s.getCorrection() ? 1 : 0;
        }
        return corrections;
    }
}
