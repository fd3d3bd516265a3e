package dev.counterweight.it.weighting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.counterweight.avro.DeadLetter;
import dev.counterweight.avro.Sample;
import dev.counterweight.avro.UserEvent;
import dev.counterweight.avro.fixtures.TestEvents;
import dev.counterweight.connectors.avro.AvroCodec;
import dev.counterweight.connectors.kafka.Topics;
import dev.counterweight.it.harness.FlinkRestClient;
import dev.counterweight.it.harness.ItConfig;
import dev.counterweight.it.harness.KafkaBrokerProcess;
import dev.counterweight.it.harness.LocalFlink;
import dev.counterweight.it.reference.JobOutput;
import dev.counterweight.it.reference.TopicIO;
import dev.counterweight.it.reference.UniquePairEvents;
import dev.counterweight.it.reference.WeightingJobOptions;
import dev.counterweight.it.reference.WeightingReference;
import dev.counterweight.jobs.weighting.EventValidator;
import dev.counterweight.jobs.weighting.SampleWeightingJob;
import dev.counterweight.jobs.weighting.SampleWeightingOptions;
import dev.counterweight.jobs.weighting.SampleWeightingSettings;
import dev.counterweight.testing.Await;
import dev.counterweight.testing.EmbeddedKafkaBroker;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A good event stream with every kind of bad record mixed in ({@link BadRecords}, plus a late event
 * and a purchase after its exposure's correction horizon), and duplicates, through the whole job
 * (on a MiniCluster in this JVM, against a broker JVM; the cluster is covered by {@link
 * TaskManagerKillITCase}). Each bad record must reach {@code events-dlq} once with its reason code
 * and source position, the good output must be exact, duplicates are dropped silently, and the job
 * must never restart although it may (restart attempts are allowed, so only the restart counter
 * shows a poison pill). Misconfiguration fails before the job starts, naming the key.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class BadInputITCase {

    /** The job's default validation.max-record-bytes: dead letters keep at most this much. */
    private static final int MAX_RECORD_BYTES =
            SampleWeightingOptions.MAX_RECORD_BYTES.defaultValue();

    private static byte[] keptPrefix(byte[] value) {
        return value == null || value.length <= MAX_RECORD_BYTES
                ? value
                : java.util.Arrays.copyOf(value, MAX_RECORD_BYTES);
    }

    private static final AvroCodec<UserEvent> EVENTS = AvroCodec.of(UserEvent.class);

    private static Path work;
    private static KafkaBrokerProcess broker;

    /** What was sent, by (partition, offset). */
    private record Sent(String kind, String code, byte[] key, byte[] value, long timestamp) {}

    private static final Map<Long, Sent> bad = new LinkedHashMap<>();
    private static final Set<Long> duplicates = new HashSet<>();
    private static final List<UserEvent> good = new ArrayList<>();
    private static SampleWeightingSettings settings;
    private static JobOutput output;
    private static long restarts;
    private static List<String> exceptions;

    @BeforeAll
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    static void runJobOnMixedInput() throws Exception {
        work = ItConfig.workDir(BadInputITCase.class);
        broker = KafkaBrokerProcess.start(work.resolve("kafka"), Map.of());
        broker.createCounterweightTopics(2);

        Map<String, String> options =
                WeightingJobOptions.replay(
                        broker.bootstrapServers(), work.resolve("checkpoints"), "1 s");
        options.put("kafka.transactional-id-prefix", "it-bad-input");
        options.put("job.restart-attempts", "5");
        settings = WeightingJobOptions.settings(options);
        SampleWeightingJob.preflight(settings);
        int restPort = EmbeddedKafkaBroker.freePort();
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(
                        2,
                        SampleWeightingJob.flinkConfiguration(
                                settings, LocalFlink.loopback(restPort)));
        new SampleWeightingJob(settings).buildWithKafka(env);
        JobClient job = env.executeAsync("bad-input-itcase");
        FlinkRestClient rest = new FlinkRestClient("http://127.0.0.1:" + restPort);
        String jobId = job.getJobID().toHexString();

        List<UserEvent> events = UniquePairEvents.generate(11, 4_000);
        long lateTime = events.get(0).getEventTime().toEpochMilli() + 1_000;
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            produceMixed(producer, events);
            // A valid event far behind the watermark: wait until the watermark has provably
            // passed it (a sample closed after it is committed), then send it.
            Await.until(
                    "the job's event time has passed " + lateTime,
                    () ->
                            running(job)
                                    && TopicIO.readAll(
                                                    broker.bootstrapServers(),
                                                    Topics.WEIGHTED_SAMPLES.name(),
                                                    Sample.class)
                                            .stream()
                                            .anyMatch(
                                                    s ->
                                                            s.getClosedAt().toEpochMilli()
                                                                    > lateTime + 60_000),
                    Duration.ofMinutes(3));
            send(
                    producer,
                    "late event",
                    EventValidator.LATE_EVENT,
                    0,
                    EVENTS.encode(TestEvents.impression("late-user", "late-item").at(lateTime)),
                    lateTime);
        }
        try (Admin admin = broker.admin()) {
            Await.until(
                    "the job has read and checkpointed every record",
                    () ->
                            running(job)
                                    && TopicIO.groupCaughtUp(
                                            admin,
                                            SampleWeightingOptions.GROUP_ID.defaultValue(),
                                            Topics.EVENTS.name()),
                    Duration.ofMinutes(3));
        }
        restarts = rest.numRestarts(jobId);
        exceptions = rest.exceptions(jobId);
        job.stopWithSavepoint(
                        true,
                        work.resolve("savepoints").toUri().toString(),
                        SavepointFormatType.DEFAULT)
                .get(3, TimeUnit.MINUTES);
        job.getJobExecutionResult().get(3, TimeUnit.MINUTES);
        output = JobOutput.read(broker.bootstrapServers());
    }

    /** True while the job runs; fails at once when it has ended or is restarting. */
    private static boolean running(JobClient job) throws Exception {
        org.apache.flink.api.common.JobStatus status = job.getJobStatus().get(10, TimeUnit.SECONDS);
        if (status != org.apache.flink.api.common.JobStatus.RUNNING
                && status != org.apache.flink.api.common.JobStatus.CREATED
                && status != org.apache.flink.api.common.JobStatus.INITIALIZING) {
            throw new AssertionError("the job is " + status + " (it must never fail or restart)");
        }
        return true;
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void everyBadRecordIsDeadLetteredOnceWithItsReasonAndSourcePosition() {
        assertThat(bad.values().stream().map(Sent::kind).distinct().count())
                .as("kinds of bad records tried")
                .isGreaterThanOrEqualTo(25);
        Map<Long, List<DeadLetter>> byPosition = new HashMap<>();
        for (DeadLetter d : output.deadLetters()) {
            assertThat(d.getTopic()).isEqualTo(Topics.EVENTS.name());
            byPosition
                    .computeIfAbsent(
                            position(d.getPartition(), d.getOffset()), p -> new ArrayList<>())
                    .add(d);
        }
        List<String> wrong = new ArrayList<>();
        bad.forEach(
                (position, sent) -> {
                    List<DeadLetter> letters = byPosition.getOrDefault(position, List.of());
                    if (letters.size() != 1) {
                        wrong.add(sent.kind() + ": " + letters.size() + " dead letters");
                        return;
                    }
                    DeadLetter d = letters.get(0);
                    if (!d.getReasonCode().equals(sent.code())) {
                        wrong.add(
                                sent.kind()
                                        + ": "
                                        + d.getReasonCode()
                                        + " ("
                                        + d.getReason()
                                        + "), expected "
                                        + sent.code());
                    } else if (!sameBytes(d.getRawValue(), keptPrefix(sent.value()))) {
                        wrong.add(sent.kind() + ": raw value differs from the record sent");
                    } else if (sent.value() != null
                            && sent.value().length > MAX_RECORD_BYTES
                            && !d.getReason().contains("cut to its first " + MAX_RECORD_BYTES)) {
                        wrong.add(sent.kind() + ": reason does not say the raw value was cut");
                    } else if (d.getRecordTimestamp() == null
                            || d.getRecordTimestamp().toEpochMilli() != sent.timestamp()) {
                        wrong.add(sent.kind() + ": record timestamp " + d.getRecordTimestamp());
                    } else if (d.getReason().isBlank()) {
                        wrong.add(sent.kind() + ": no reason");
                    }
                });
        assertThat(wrong).as("bad records not dead-lettered as expected").isEmpty();
        assertThat(byPosition.keySet())
                .as("only bad records are dead-lettered")
                .containsExactlyInAnyOrderElementsOf(bad.keySet());
    }

    @Test
    void goodOutputIsExact() {
        WeightingReference.assertSamplesExactlyOnce(
                output.samples(),
                WeightingReference.expectedSamples(
                        good,
                        settings.attribution().windowMillis(),
                        settings.attribution().correctionHorizonMillis()),
                settings.classKey());
        WeightingReference.assertTablesMatchSamples(
                output.tables(), output.samples(), settings.weighting(), settings.weightHalfLife());
        WeightingReference.assertStampedWeights(output.samples(), output.tables());
    }

    @Test
    void duplicateEventIdsAreDroppedNotDeadLettered() {
        assertThat(duplicates).hasSizeGreaterThanOrEqualTo(20);
        Set<Long> deadLettered = new HashSet<>();
        output.deadLetters()
                .forEach(d -> deadLettered.add(position(d.getPartition(), d.getOffset())));
        assertThat(deadLettered).doesNotContainAnyElementsOf(duplicates);
        assertThat(output.samples())
                .as("the changed copy of an exposure (same event id) left no trace")
                .noneMatch(s -> s.getItemId().equals("duplicate-item"));
        // Exactly-once output of the originals is asserted by goodOutputIsExact.
    }

    @Test
    void theJobNeverRestarted() {
        assertThat(restarts).as("numRestarts").isZero();
        assertThat(exceptions).as("exception history").isEmpty();
    }

    @Test
    void missingTopicFailsThePreflightNamingTheOption() {
        Map<String, String> o = baseOptions();
        o.put("kafka.events-topic", "no-such-topic");
        SampleWeightingSettings s = WeightingJobOptions.settings(o);
        assertThatThrownBy(() -> SampleWeightingJob.preflight(s))
                .hasMessageContaining("no-such-topic")
                .hasMessageContaining("kafka.events-topic");
    }

    @Test
    void unreachableBrokerFailsThePreflightNamingTheOption() {
        Map<String, String> o = baseOptions();
        o.put("kafka.bootstrap-servers", "127.0.0.1:1");
        SampleWeightingSettings s = WeightingJobOptions.settings(o);
        assertThatThrownBy(() -> SampleWeightingJob.preflight(s))
                .hasMessageContaining("kafka.bootstrap-servers")
                .hasMessageContaining("127.0.0.1:1");
    }

    @Test
    void invalidOptionsFailNamingTheKey() {
        Map<String, String> o = baseOptions();
        o.put("weights.min", "5");
        o.put("weights.max", "2");
        assertThatThrownBy(() -> WeightingJobOptions.settings(o))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("weights.min")
                .hasMessageContaining("weights.max");
        Map<String, String> missing = baseOptions();
        missing.remove("kafka.bootstrap-servers");
        assertThatThrownBy(() -> WeightingJobOptions.settings(missing))
                .hasMessageContaining("kafka.bootstrap-servers");
    }

    private static Map<String, String> baseOptions() {
        return WeightingJobOptions.replay(
                broker.bootstrapServers(), work.resolve("unused-checkpoints"), "1 s");
    }

    /**
     * Good events keyed by user, a bad record of each kind every 100 events, duplicates, and the
     * exposure whose purchase comes after its correction horizon.
     */
    private static void produceMixed(KafkaProducer<byte[], byte[]> producer, List<UserEvent> events)
            throws Exception {
        List<BadRecords.Kind> kinds = BadRecords.all();
        Random random = new Random(3);
        Set<Integer> duplicateAt = new HashSet<>();
        while (duplicateAt.size() < 20) {
            duplicateAt.add(1 + random.nextInt(events.size() - 2));
        }
        long first = events.get(0).getEventTime().toEpochMilli();
        UserEvent horizonExposure =
                TestEvents.impression("horizon-user", "horizon-item").at(first + 10);
        long purchaseAt =
                first
                        + 10
                        + settings.attribution().windowMillis()
                        + settings.attribution().correctionHorizonMillis()
                        + 60_000;
        boolean purchased = false;
        UserEvent changedCopy = null;
        int next = 0;
        for (int i = 0; i < events.size(); i++) {
            UserEvent e = events.get(i);
            long now = e.getEventTime().toEpochMilli();
            sendGood(producer, e);
            if (i == 1) {
                sendGood(producer, horizonExposure);
            }
            if (duplicateAt.contains(i)) {
                duplicates.add(sendRaw(producer, null, e.getUserId(), EVENTS.encode(e), now));
            }
            if (changedCopy == null
                    && e.getType() == dev.counterweight.avro.EventType.IMPRESSION
                    && i > 10) {
                changedCopy = UserEvent.newBuilder(e).setItemId("duplicate-item").build();
                duplicates.add(
                        sendRaw(producer, null, e.getUserId(), EVENTS.encode(changedCopy), now));
            }
            if (!purchased && now >= purchaseAt) {
                send(
                        producer,
                        "purchase after the correction horizon",
                        EventValidator.PURCHASE_WITHOUT_EXPOSURE,
                        1,
                        EVENTS.encode(TestEvents.purchase("horizon-user", "horizon-item").at(now)),
                        now);
                purchased = true;
            }
            if (i % 100 == 50 && next < kinds.size()) {
                BadRecords.Kind kind = kinds.get(next);
                send(producer, kind.name(), kind.code(), next % 2, kind.value().apply(now), now);
                next++;
            }
        }
        producer.flush();
        assertThat(next).as("every kind was sent").isEqualTo(kinds.size());
        assertThat(purchased).isTrue();
    }

    private static void sendGood(KafkaProducer<byte[], byte[]> producer, UserEvent e)
            throws Exception {
        sendRaw(producer, null, e.getUserId(), EVENTS.encode(e), e.getEventTime().toEpochMilli());
        good.add(e);
    }

    private static void send(
            KafkaProducer<byte[], byte[]> producer,
            String kind,
            String code,
            int partition,
            byte[] value,
            long timestamp)
            throws Exception {
        byte[] key = ("bad-" + kind).getBytes(StandardCharsets.UTF_8);
        long position = sendRaw(producer, partition, "bad-" + kind, value, timestamp);
        bad.put(position, new Sent(kind, code, key, value, timestamp));
    }

    private static long sendRaw(
            KafkaProducer<byte[], byte[]> producer,
            Integer partition,
            String key,
            byte[] value,
            long timestamp)
            throws Exception {
        RecordMetadata m =
                producer.send(
                                new ProducerRecord<>(
                                        Topics.EVENTS.name(),
                                        partition,
                                        timestamp,
                                        key.getBytes(StandardCharsets.UTF_8),
                                        value))
                        .get(30, TimeUnit.SECONDS);
        return position(m.partition(), m.offset());
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        return new KafkaProducer<>(
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        broker.bootstrapServers(),
                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                        true,
                        ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                        4 * 1024 * 1024),
                new ByteArraySerializer(),
                new ByteArraySerializer());
    }

    private static long position(int partition, long offset) {
        return partition * 1_000_000_000L + offset;
    }

    private static boolean sameBytes(ByteBuffer actual, byte[] expected) {
        if (actual == null || expected == null) {
            return actual == null && expected == null;
        }
        ByteBuffer copy = actual.duplicate();
        byte[] a = new byte[copy.remaining()];
        copy.get(a);
        return java.util.Arrays.equals(a, expected);
    }
}
