package dev.counterweight.it.upgrade;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.counterweight.avro.ClassWeights;
import dev.counterweight.avro.DeadLetter;
import dev.counterweight.avro.EventType;
import dev.counterweight.avro.Sample;
import dev.counterweight.avro.UserEvent;
import dev.counterweight.connectors.avro.AvroCodec;
import dev.counterweight.connectors.kafka.Topic;
import dev.counterweight.connectors.kafka.Topics;
import dev.counterweight.it.harness.FlinkRestClient;
import dev.counterweight.it.harness.ItConfig;
import dev.counterweight.it.harness.KafkaBrokerProcess;
import dev.counterweight.it.harness.LocalFlink;
import dev.counterweight.it.reference.JobOutput;
import dev.counterweight.it.reference.TopicIO;
import dev.counterweight.it.reference.WeightingJobOptions;
import dev.counterweight.it.reference.WeightingReference;
import dev.counterweight.it.upgrade.SavepointFixture.InputRecord;
import dev.counterweight.it.upgrade.SavepointFixture.OutputRecord;
import dev.counterweight.jobs.weighting.SampleWeightingJob;
import dev.counterweight.jobs.weighting.SampleWeightingSettings;
import dev.counterweight.testing.Await;
import dev.counterweight.testing.EmbeddedKafkaBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The job under test restores the savepoint of release 0.1.0 (taken without drain, attributions
 * pending; {@code src/test/resources/savepoints/0.1.0/pending-attributions}) and its output is
 * exact: the topic is rebuilt with the same records at the same offsets, the job starts from the
 * savepoint (same uids, no unclaimed state allowed), reads the rest of the input and is drained;
 * the output committed before the savepoint (kept with the fixture) plus the output after the
 * restore must equal the brute-force reference of the whole input.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class SavepointRestoreITCase {

    private static final String FIXTURE = "/savepoints/0.1.0/pending-attributions";

    private static SavepointFixture fixture;
    private static KafkaBrokerProcess broker;
    private static List<UserEvent> events;
    private static List<UserEvent> eventsBefore;
    private static SampleWeightingSettings settings;
    private static JobOutput before;
    private static JobOutput after;
    private static long restarts;
    private static Path work;

    @BeforeAll
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    static void restoreAndFinish() throws Exception {
        long started = System.nanoTime();
        fixture = new SavepointFixture(resource(FIXTURE));
        work = ItConfig.workDir(SavepointRestoreITCase.class);
        broker = KafkaBrokerProcess.start(work.resolve("kafka"), Map.of());
        broker.createCounterweightTopics(2);

        List<InputRecord> input = fixture.input();
        events = decodeEvents(input, false);
        eventsBefore = decodeEvents(input, true);
        writeAtSameOffsets(input);

        Map<String, String> options = new LinkedHashMap<>(fixture.options());
        options.put("kafka.bootstrap-servers", broker.bootstrapServers());
        options.put("job.checkpoint-dir", work.resolve("checkpoints").toUri().toString());
        // A restore that fails must fail the test at once, not retry for half a minute.
        options.put("job.restart-attempts", "0");
        settings = WeightingJobOptions.settings(options);
        SampleWeightingJob.preflight(settings);

        int restPort = EmbeddedKafkaBroker.freePort();
        JobClient job = startFromSavepoint(settings, restPort, "savepoint-0.1.0");
        String jobId = job.getJobID().toHexString();
        FlinkRestClient rest = new FlinkRestClient("http://127.0.0.1:" + restPort);
        try (Admin admin = broker.admin()) {
            Await.until(
                    "the restored job has read and checkpointed the rest of the input",
                    () ->
                            SavepointFixtureGeneratorITCase.running(job)
                                    && TopicIO.groupCaughtUp(
                                            admin, settings.groupId(), Topics.EVENTS.name()),
                    Duration.ofMinutes(2));
        }
        restarts = rest.numRestarts(jobId);
        job.stopWithSavepoint(
                        true,
                        work.resolve("savepoints").toUri().toString(),
                        SavepointFormatType.CANONICAL)
                .get(2, TimeUnit.MINUTES);
        job.getJobExecutionResult().get(2, TimeUnit.MINUTES);
        after = JobOutput.read(broker.bootstrapServers());
        before = decodeOutput(fixture.outputBefore());
        System.out.printf(
                "[SavepointRestoreITCase] %d events (%d before the savepoint), %d + %d samples,"
                        + " %d + %d tables, exact in %d s%n",
                events.size(),
                eventsBefore.size(),
                before.samples().size(),
                after.samples().size(),
                before.tables().size(),
                after.tables().size(),
                (System.nanoTime() - started) / 1_000_000_000L);
    }

    /**
     * Starts the job from a copy of the fixture's savepoint (the fixture in the source tree is
     * never written), unclaimed state not allowed. No pipeline.max-parallelism: the job sets its
     * own.
     */
    private static JobClient startFromSavepoint(
            SampleWeightingSettings settings, int restPort, String copy) throws Exception {
        Path savepoint = work.resolve(copy);
        SavepointFixtureGeneratorITCase.copyRecursively(fixture.savepoint(), savepoint);
        Configuration flink =
                SampleWeightingJob.flinkConfiguration(settings, LocalFlink.loopback(restPort));
        flink.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint.toUri().toString());
        flink.set(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE, false);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(2, flink);
        new SampleWeightingJob(settings).buildWithKafka(env);
        return env.executeAsync("savepoint-restore-0.1.0");
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void theSavepointHeldTheRecordedOffsetsAndPendingAttributions() {
        Map<Integer, Long> readBefore = new TreeMap<>();
        for (InputRecord r : fixture.input()) {
            if (r.beforeSavepoint()) {
                readBefore.merge(r.partition(), 1L, Long::sum);
            }
        }
        assertThat(fixture.savepointOffsets())
                .as("consumer offsets at the savepoint: every record written before it")
                .isEqualTo(readBefore);
        assertThat(pending()).as("attributions pending at the savepoint").hasSizeGreaterThan(100);
    }

    @Test
    void beforePlusAfterIsExactForTheWholeInput() {
        JobOutput whole = combined();
        whole.assertExactFor(events, settings);
    }

    @Test
    void everyPendingAttributionIsInTheOutputAfterTheRestore() {
        Set<String> afterIds = new HashSet<>();
        after.samples().forEach(s -> afterIds.add(s.getSampleId()));
        assertThat(afterIds).containsAll(pending());
    }

    @Test
    void nothingIsRepeatedAcrossTheSavepoint() {
        Set<String> beforeIds = new HashSet<>();
        before.samples().forEach(s -> beforeIds.add(s.getSampleId()));
        assertThat(after.samples())
                .as("samples committed before the savepoint are not written again")
                .noneMatch(s -> beforeIds.contains(s.getSampleId()));
        assertThat(after.tables())
                .as("table versions continue after the restore")
                .isNotEmpty()
                .allMatch(t -> t.getVersion() > before.tables().size());
    }

    @Test
    void anotherMaxParallelismCannotRestoreTheSavepoint() throws Exception {
        Map<String, String> options = new LinkedHashMap<>(fixture.options());
        options.put("kafka.bootstrap-servers", broker.bootstrapServers());
        options.put("job.checkpoint-dir", work.resolve("checkpoints-128").toUri().toString());
        options.put("job.restart-attempts", "0");
        options.put("job.max-parallelism", "128");
        SampleWeightingSettings at128 = WeightingJobOptions.settings(options);
        assertThatThrownBy(
                        () ->
                                startFromSavepoint(
                                                at128,
                                                EmbeddedKafkaBroker.freePort(),
                                                "savepoint-0.1.0-at-128")
                                        .getJobExecutionResult()
                                        .get(2, TimeUnit.MINUTES))
                .hasStackTraceContaining("Max parallelism mismatch")
                .hasStackTraceContaining("max parallelism 720")
                .hasStackTraceContaining("max parallelism 128");
    }

    @Test
    void theRestoredJobNeverRestarted() {
        assertThat(restarts).as("numRestarts").isZero();
    }

    private static Set<String> pending() {
        Set<String> exposures = new HashSet<>();
        eventsBefore.stream()
                .filter(e -> e.getType() == EventType.IMPRESSION)
                .forEach(e -> exposures.add(e.getEventId()));
        Set<String> samplesBefore = new HashSet<>();
        before.samples().forEach(s -> samplesBefore.add(s.getSampleId()));
        return SavepointFixture.pendingAttributions(
                WeightingReference.expectedSamples(
                                events,
                                settings.attribution().windowMillis(),
                                settings.attribution().correctionHorizonMillis())
                        .keySet(),
                exposures,
                samplesBefore);
    }

    private static JobOutput combined() {
        List<Sample> samples = new ArrayList<>(before.samples());
        samples.addAll(after.samples());
        List<ClassWeights> tables = new ArrayList<>(before.tables());
        tables.addAll(after.tables());
        List<DeadLetter> deadLetters = new ArrayList<>(before.deadLetters());
        deadLetters.addAll(after.deadLetters());
        return new JobOutput(samples, tables, deadLetters);
    }

    /** Writes the fixture's records in order and checks each lands at its recorded offset. */
    private static void writeAtSameOffsets(List<InputRecord> input) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer =
                SavepointFixtureGeneratorITCase.producer(broker.bootstrapServers())) {
            for (InputRecord r : input) {
                RecordMetadata m =
                        producer.send(
                                        new ProducerRecord<>(
                                                Topics.EVENTS.name(),
                                                r.partition(),
                                                r.timestamp(),
                                                r.key(),
                                                r.value()))
                                .get(30, TimeUnit.SECONDS);
                if (m.offset() != r.offset()) {
                    throw new AssertionError(
                            "record written at "
                                    + m.partition()
                                    + "/"
                                    + m.offset()
                                    + ", the fixture has it at "
                                    + r.partition()
                                    + "/"
                                    + r.offset());
                }
            }
        }
    }

    private static List<UserEvent> decodeEvents(List<InputRecord> input, boolean onlyBefore) {
        AvroCodec<UserEvent> codec = AvroCodec.of(UserEvent.class);
        List<UserEvent> out = new ArrayList<>();
        for (InputRecord r : input) {
            if (!onlyBefore || r.beforeSavepoint()) {
                out.add(decode(codec, r.value()));
            }
        }
        return out;
    }

    private static JobOutput decodeOutput(List<OutputRecord> records) {
        AvroCodec<Sample> samples = Topics.WEIGHTED_SAMPLES.codec();
        AvroCodec<ClassWeights> tables = Topics.CLASS_WEIGHTS.codec();
        AvroCodec<DeadLetter> deadLetters = Topics.EVENTS_DLQ.codec();
        List<Sample> s = new ArrayList<>();
        List<ClassWeights> t = new ArrayList<>();
        List<DeadLetter> d = new ArrayList<>();
        for (OutputRecord r : records) {
            Topic<?> topic = Topics.find(r.topic()).orElse(null);
            if (topic == Topics.WEIGHTED_SAMPLES) {
                s.add(decode(samples, r.value()));
            } else if (topic == Topics.CLASS_WEIGHTS) {
                t.add(decode(tables, r.value()));
            } else if (topic == Topics.EVENTS_DLQ) {
                d.add(decode(deadLetters, r.value()));
            } else {
                throw new IllegalStateException("unexpected topic " + r.topic());
            }
        }
        return new JobOutput(s, t, d);
    }

    private static <T extends org.apache.avro.specific.SpecificRecordBase> T decode(
            AvroCodec<T> codec, byte[] value) {
        try {
            return codec.decode(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path resource(String name) {
        try {
            return Path.of(SavepointRestoreITCase.class.getResource(name).toURI());
        } catch (Exception e) {
            throw new IllegalStateException("missing test resource " + name, e);
        }
    }
}
