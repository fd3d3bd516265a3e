package dev.counterweight.it.upgrade;

import static org.assertj.core.api.Assertions.assertThat;

import dev.counterweight.avro.ClassWeights;
import dev.counterweight.avro.DeadLetter;
import dev.counterweight.avro.Sample;
import dev.counterweight.avro.UserEvent;
import dev.counterweight.connectors.avro.AvroCodec;
import dev.counterweight.connectors.avro.WriterSchemas;
import dev.counterweight.connectors.kafka.KafkaTestUtils;
import dev.counterweight.connectors.kafka.Topics;
import dev.counterweight.it.harness.ItConfig;
import dev.counterweight.it.harness.KafkaBrokerProcess;
import dev.counterweight.it.harness.LocalFlink;
import dev.counterweight.it.reference.JobOutput;
import dev.counterweight.it.reference.TopicIO;
import dev.counterweight.it.reference.WeightingJobOptions;
import dev.counterweight.it.upgrade.SavepointFixture.InputRecord;
import dev.counterweight.it.upgrade.SavepointFixture.OutputRecord;
import dev.counterweight.jobs.weighting.EventValidator;
import dev.counterweight.jobs.weighting.SampleWeightingJob;
import dev.counterweight.jobs.weighting.SampleWeightingSettings;
import dev.counterweight.learner.service.LearnerSettings;
import dev.counterweight.learner.service.SampleValidator;
import dev.counterweight.testing.Await;
import dev.counterweight.testing.EmbeddedKafkaBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A schema change across an upgrade: the job under test restores the release 0.1.0 savepoint (state
 * written by 0.1.0 code, attributions pending) while the rest of the {@code events} topic mixes
 * records of the 0.1.0 writer schema and of a v2 writer schema (the test-only {@code
 * UserEvent/0.2.0-test}: one more optional field, set on every v2 record), plus records of a writer
 * schema registered nowhere. The v1 and v2 records are read with the current reader schema and the
 * output is exact for the whole input; each unregistered record is dead-lettered once with its
 * fingerprint and source offset. Samples written by the restored job, re-written half with the
 * 0.1.0 and half with the v2 {@code Sample} writer schema into a topic, are read back by the
 * learner's {@link SampleValidator} as exactly the job's samples.
 *
 * <p>What this does not cover: a job whose own reader schema is v2 (the job's generated classes are
 * the current schema; a true v2 job needs a later release).
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class SchemaChangeUpgradeITCase {

    private static final String FIXTURE = "/savepoints/0.1.0/pending-attributions";
    private static final String MIXED_SAMPLES = "weighted-samples-mixed";
    private static final int UNKNOWN_PER_PARTITION = 3;

    private static SavepointFixture fixture;
    private static KafkaBrokerProcess broker;
    private static List<UserEvent> events;
    private static SampleWeightingSettings settings;
    private static JobOutput before;
    private static JobOutput after;
    private static Set<String> v2Offsets;
    private static List<byte[]> unknownValues;
    private static Set<String> unknownOffsets;
    private static Schema unreleased;
    private static Path work;

    @BeforeAll
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    static void restoreAndReadMixedWriters() throws Exception {
        long started = System.nanoTime();
        fixture = new SavepointFixture(resource(FIXTURE));
        work = ItConfig.workDir(SchemaChangeUpgradeITCase.class);
        broker = KafkaBrokerProcess.start(work.resolve("kafka"), Map.of());
        broker.createCounterweightTopics(2);

        AvroCodec<UserEvent> codec = AvroCodec.of(UserEvent.class);
        Schema v2 = WriterSchemas.testV2("UserEvent");
        unreleased = WriterSchemas.unreleased(UserEvent.getClassSchema());
        List<InputRecord> input = new ArrayList<>();
        events = new ArrayList<>();
        v2Offsets = new HashSet<>();
        int after = 0;
        for (InputRecord r : fixture.input()) {
            UserEvent e = codec.decode(r.value());
            events.add(e);
            byte[] value = r.value();
            if (!r.beforeSavepoint() && after++ % 2 == 0) {
                value = WriterSchemas.encode(v2, e, Map.of("channel", "app"));
                v2Offsets.add(r.partition() + "/" + r.offset());
            }
            input.add(
                    new InputRecord(
                            r.beforeSavepoint(),
                            r.partition(),
                            r.offset(),
                            r.timestamp(),
                            r.key(),
                            value));
        }
        writeAtSameOffsets(input);
        appendUnknownWriterRecords(input);

        Map<String, String> options = new LinkedHashMap<>(fixture.options());
        options.put("kafka.bootstrap-servers", broker.bootstrapServers());
        options.put("job.checkpoint-dir", work.resolve("checkpoints").toUri().toString());
        options.put("job.restart-attempts", "0");
        settings = WeightingJobOptions.settings(options);
        SampleWeightingJob.preflight(settings);

        JobClient job = startFromSavepoint(settings, EmbeddedKafkaBroker.freePort());
        try (Admin admin = broker.admin()) {
            Await.until(
                    "the restored job has read and checkpointed the mixed rest of the input",
                    () ->
                            SavepointFixtureGeneratorITCase.running(job)
                                    && TopicIO.groupCaughtUp(
                                            admin, settings.groupId(), Topics.EVENTS.name()),
                    Duration.ofMinutes(2));
        }
        job.stopWithSavepoint(
                        true,
                        work.resolve("savepoints").toUri().toString(),
                        SavepointFormatType.CANONICAL)
                .get(2, TimeUnit.MINUTES);
        job.getJobExecutionResult().get(2, TimeUnit.MINUTES);
        SchemaChangeUpgradeITCase.after = JobOutput.read(broker.bootstrapServers());
        before = decodeOutput(fixture.outputBefore());
        System.out.printf(
                "[SchemaChangeUpgradeITCase] %d events (%d after the savepoint, %d of them by the"
                        + " v2 writer), %d unknown-writer records, %d + %d samples, %d + %d"
                        + " tables, %d dead letters in %d s%n",
                events.size(),
                after,
                v2Offsets.size(),
                unknownValues.size(),
                before.samples().size(),
                SchemaChangeUpgradeITCase.after.samples().size(),
                before.tables().size(),
                SchemaChangeUpgradeITCase.after.tables().size(),
                SchemaChangeUpgradeITCase.after.deadLetters().size(),
                (System.nanoTime() - started) / 1_000_000_000L);
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void theOutputIsExactForV1AndV2RecordsRestoredFromV1State() {
        List<Sample> samples = new ArrayList<>(before.samples());
        samples.addAll(after.samples());
        List<ClassWeights> tables = new ArrayList<>(before.tables());
        tables.addAll(after.tables());
        assertThat(before.deadLetters()).isEmpty();
        new JobOutput(samples, tables, List.of()).assertExactFor(events, settings);
    }

    @Test
    void samplesMadeOfV2RecordsAreInTheOutput() {
        long fromV2 =
                after.samples().stream()
                        .filter(
                                s ->
                                        s.getSourceOffsets().stream()
                                                .anyMatch(
                                                        o ->
                                                                o.getTopic()
                                                                                .equals(
                                                                                        Topics
                                                                                                .EVENTS
                                                                                                .name())
                                                                        && v2Offsets.contains(
                                                                                o.getPartition()
                                                                                        + "/"
                                                                                        + o
                                                                                                .getOffset())))
                        .count();
        assertThat(v2Offsets).hasSize(600);
        assertThat(fromV2).as("samples built from v2-written events").isPositive();
    }

    @Test
    void everyRecordOfAnUnknownWriterIsDeadLetteredWithItsFingerprint() {
        String hex = AvroCodec.fingerprintHex(unreleased);
        assertThat(after.deadLetters()).hasSize(unknownValues.size());
        Set<String> seen = new HashSet<>();
        for (DeadLetter d : after.deadLetters()) {
            assertThat(d.getReasonCode()).isEqualTo(EventValidator.WRONG_SCHEMA);
            assertThat(d.getReason())
                    .contains(AvroCodec.UNKNOWN_FINGERPRINT + " " + hex)
                    .contains("neither the current UserEvent schema nor a released one");
            assertThat(d.getTopic()).isEqualTo(Topics.EVENTS.name());
            assertThat(seen.add(d.getPartition() + "/" + d.getOffset())).isTrue();
            byte[] raw = new byte[d.getRawValue().remaining()];
            d.getRawValue().duplicate().get(raw);
            assertThat(unknownValues).anySatisfy(v -> assertThat(v).isEqualTo(raw));
        }
        assertThat(seen).isEqualTo(unknownOffsets);
    }

    @Test
    void theLearnerReadsSamplesOfTheReleasedAndTheV2WriterAsTheJobWroteThem() throws Exception {
        List<Sample> written = after.samples();
        Schema v010 = WriterSchemas.released("Sample", "0.1.0");
        Schema v2 = WriterSchemas.testV2("Sample");
        broker.createTopics(List.of(new NewTopic(MIXED_SAMPLES, 1, (short) 1)));
        try (KafkaProducer<byte[], byte[]> producer =
                SavepointFixtureGeneratorITCase.producer(broker.bootstrapServers())) {
            for (int i = 0; i < written.size(); i++) {
                Sample s = written.get(i);
                byte[] value =
                        i % 2 == 0
                                ? WriterSchemas.encode(v2, s, Map.of("experiment", "exp-" + i))
                                : WriterSchemas.encode(v010, s, Map.of());
                producer.send(new ProducerRecord<>(MIXED_SAMPLES, 0, null, value))
                        .get(30, TimeUnit.SECONDS);
            }
        }
        SampleValidator validator =
                new SampleValidator(
                        LearnerSettings.from(
                                        Configuration.fromMap(
                                                Map.of(
                                                        "learner.bootstrap-servers",
                                                        broker.bootstrapServers(),
                                                        "learner.snapshot-dir",
                                                        work.resolve("unused").toString())))
                                .validation());
        List<Sample> read = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r :
                KafkaTestUtils.readAllCommitted(
                        broker.bootstrapServers(), MIXED_SAMPLES, Duration.ofMinutes(1))) {
            SampleValidator.Result result = validator.validate(r.value());
            assertThat(result.rejection()).as("sample at offset %d", r.offset()).isNull();
            read.add(result.sample());
        }
        assertThat(written).isNotEmpty();
        assertThat(read).isEqualTo(written);
    }

    /** Starts the job from a copy of the fixture's savepoint, unclaimed state not allowed. */
    private static JobClient startFromSavepoint(SampleWeightingSettings settings, int restPort)
            throws Exception {
        Path savepoint = work.resolve("savepoint-0.1.0");
        SavepointFixtureGeneratorITCase.copyRecursively(fixture.savepoint(), savepoint);
        Configuration flink =
                SampleWeightingJob.flinkConfiguration(settings, LocalFlink.loopback(restPort));
        flink.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint.toUri().toString());
        flink.set(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE, false);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(2, flink);
        new SampleWeightingJob(settings).buildWithKafka(env);
        return env.executeAsync("schema-change-upgrade-0.1.0");
    }

    /** Writes the records in order and checks each lands at its fixture offset. */
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

    /**
     * Appends records of a writer schema registered nowhere after the fixture's input: events that
     * would be valid, with their own ids and the last event time of the input.
     */
    private static void appendUnknownWriterRecords(List<InputRecord> input) throws Exception {
        unknownValues = new ArrayList<>();
        unknownOffsets = new HashSet<>();
        InputRecord last = input.get(input.size() - 1);
        UserEvent template = AvroCodec.of(UserEvent.class).decode(last.value());
        try (KafkaProducer<byte[], byte[]> producer =
                SavepointFixtureGeneratorITCase.producer(broker.bootstrapServers())) {
            for (int p = 0; p < 2; p++) {
                for (int i = 0; i < UNKNOWN_PER_PARTITION; i++) {
                    UserEvent e =
                            UserEvent.newBuilder(template)
                                    .setEventId("unknown-writer-" + p + "-" + i)
                                    .build();
                    byte[] value = WriterSchemas.encode(unreleased, e, Map.of("unreleased", "v3"));
                    RecordMetadata m =
                            producer.send(
                                            new ProducerRecord<>(
                                                    Topics.EVENTS.name(),
                                                    p,
                                                    last.timestamp(),
                                                    e.getUserId().getBytes(StandardCharsets.UTF_8),
                                                    value))
                                    .get(30, TimeUnit.SECONDS);
                    unknownValues.add(value);
                    unknownOffsets.add(m.partition() + "/" + m.offset());
                }
            }
        }
    }

    private static JobOutput decodeOutput(List<OutputRecord> records) {
        AvroCodec<Sample> samples = AvroCodec.of(Sample.class);
        AvroCodec<ClassWeights> tables = AvroCodec.of(ClassWeights.class);
        AvroCodec<DeadLetter> deadLetters = AvroCodec.of(DeadLetter.class);
        List<Sample> s = new ArrayList<>();
        List<ClassWeights> t = new ArrayList<>();
        List<DeadLetter> d = new ArrayList<>();
        for (OutputRecord r : records) {
            if (r.topic().equals(Topics.WEIGHTED_SAMPLES.name())) {
                s.add(decode(samples, r.value()));
            } else if (r.topic().equals(Topics.CLASS_WEIGHTS.name())) {
                t.add(decode(tables, r.value()));
            } else if (r.topic().equals(Topics.EVENTS_DLQ.name())) {
                d.add(decode(deadLetters, r.value()));
            } else {
                throw new IllegalStateException("unexpected topic " + r.topic());
            }
        }
        return new JobOutput(s, t, d);
    }

    private static <T extends SpecificRecordBase> T decode(AvroCodec<T> codec, byte[] value) {
        try {
            return codec.decode(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path resource(String name) {
        try {
            return Path.of(SchemaChangeUpgradeITCase.class.getResource(name).toURI());
        } catch (Exception e) {
            throw new IllegalStateException("missing test resource " + name, e);
        }
    }
}
