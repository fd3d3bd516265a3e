package dev.counterweight.it.upgrade;

import static org.assertj.core.api.Assertions.assertThat;

import dev.counterweight.avro.EventType;
import dev.counterweight.avro.Sample;
import dev.counterweight.avro.UserEvent;
import dev.counterweight.connectors.avro.AvroCodec;
import dev.counterweight.connectors.kafka.KafkaTestUtils;
import dev.counterweight.connectors.kafka.Topics;
import dev.counterweight.it.harness.ItConfig;
import dev.counterweight.it.harness.KafkaBrokerProcess;
import dev.counterweight.it.harness.LocalFlink;
import dev.counterweight.it.reference.TopicIO;
import dev.counterweight.it.reference.UniquePairEvents;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Writes the savepoint fixture of a release (see {@link SavepointFixture} for the files and {@code
 * src/test/resources/savepoints/0.1.0/pending-attributions/README.md} for how the 0.1.0 one was
 * made). Not a test: it only runs with {@code -Dcw.fixtures.generate=true}, and overwrites {@code
 * cw.fixtures.out} (default {@value #DEFAULT_OUT}, relative to this module).
 *
 * <p>A broker JVM with the project's topics (2 partitions); the first {@value #BEFORE_PERCENT}% of
 * {@value #EVENTS} deterministic events (one exposure per user and item, clicks, purchases, late
 * purchases that make corrections) keyed by user into {@code events}; {@link SampleWeightingJob}
 * with RocksDB on a MiniCluster (parallelism 2, {@code pipeline.max-parallelism} {@value
 * #MAX_PARALLELISM}); once the job has read and checkpointed all of them, a stop-with-savepoint
 * without drain in the canonical format, so every exposure of the last attribution window and
 * correction horizon is still pending in the savepoint. Then the rest of the events are written,
 * and the topic, the committed output, the consumer offsets and the options are stored.
 */
@EnabledIfSystemProperty(named = "cw.fixtures.generate", matches = "true")
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class SavepointFixtureGeneratorITCase {

    static final String DEFAULT_OUT = "src/test/resources/savepoints/0.1.0/pending-attributions";
    static final long SEED = 17;
    static final int EVENTS = 3_000;
    static final int BEFORE_PERCENT = 60;
    static final int MAX_PARALLELISM = 720;
    static final String TRANSACTIONAL_ID_PREFIX = "fixture-0.1.0";

    private static final AvroCodec<UserEvent> CODEC = AvroCodec.of(UserEvent.class);

    @Test
    void generate() throws Exception {
        Path out = Path.of(System.getProperty("cw.fixtures.out", DEFAULT_OUT)).toAbsolutePath();
        Path work = ItConfig.workDir(SavepointFixtureGeneratorITCase.class);
        List<UserEvent> events = UniquePairEvents.generate(SEED, EVENTS);
        int split = events.size() * BEFORE_PERCENT / 100;

        try (KafkaBrokerProcess broker =
                KafkaBrokerProcess.start(work.resolve("kafka"), Map.of())) {
            broker.createCounterweightTopics(2);
            Map<String, String> options =
                    WeightingJobOptions.replay(
                            broker.bootstrapServers(), work.resolve("checkpoints"), "1 s");
            options.put("kafka.transactional-id-prefix", TRANSACTIONAL_ID_PREFIX);
            SampleWeightingSettings settings = WeightingJobOptions.settings(options);
            SampleWeightingJob.preflight(settings);

            List<InputRecord> input = new ArrayList<>();
            try (KafkaProducer<byte[], byte[]> producer = producer(broker.bootstrapServers())) {
                produce(producer, events.subList(0, split), true, input);
            }

            int restPort = EmbeddedKafkaBroker.freePort();
            Configuration flink =
                    SampleWeightingJob.flinkConfiguration(settings, LocalFlink.loopback(restPort));
            flink.set(PipelineOptions.MAX_PARALLELISM, MAX_PARALLELISM);
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.createLocalEnvironment(2, flink);
            new SampleWeightingJob(settings).buildWithKafka(env);
            JobClient job = env.executeAsync("savepoint-fixture-0.1.0");
            try (Admin admin = broker.admin()) {
                Await.until(
                        "the job has read and checkpointed every record written before the"
                                + " savepoint",
                        () ->
                                running(job)
                                        && TopicIO.groupCaughtUp(
                                                admin, settings.groupId(), Topics.EVENTS.name()),
                        Duration.ofMinutes(3));
            }
            String savepoint =
                    job.stopWithSavepoint(
                                    false,
                                    work.resolve("savepoints").toUri().toString(),
                                    SavepointFormatType.CANONICAL)
                            .get(3, TimeUnit.MINUTES);
            job.getJobExecutionResult().get(3, TimeUnit.MINUTES);

            Map<Integer, Long> offsets = new LinkedHashMap<>();
            try (Admin admin = broker.admin()) {
                Map<TopicPartition, OffsetAndMetadata> committed =
                        admin.listConsumerGroupOffsets(settings.groupId())
                                .partitionsToOffsetAndMetadata()
                                .get(10, TimeUnit.SECONDS);
                committed.entrySet().stream()
                        .filter(e -> e.getKey().topic().equals(Topics.EVENTS.name()))
                        .sorted(Comparator.comparingInt(e -> e.getKey().partition()))
                        .forEach(e -> offsets.put(e.getKey().partition(), e.getValue().offset()));
            }
            List<OutputRecord> before = new ArrayList<>();
            for (String topic :
                    List.of(
                            Topics.WEIGHTED_SAMPLES.name(),
                            Topics.CLASS_WEIGHTS.name(),
                            Topics.EVENTS_DLQ.name())) {
                for (ConsumerRecord<byte[], byte[]> r :
                        KafkaTestUtils.readAllCommitted(
                                broker.bootstrapServers(), topic, Duration.ofMinutes(1))) {
                    before.add(new OutputRecord(topic, r.partition(), r.offset(), r.value()));
                }
            }
            try (KafkaProducer<byte[], byte[]> producer = producer(broker.bootstrapServers())) {
                produce(producer, events.subList(split, events.size()), false, input);
            }

            // What makes the fixture worth having: the savepoint holds pending attributions.
            Set<String> exposuresBefore =
                    events.subList(0, split).stream()
                            .filter(e -> e.getType() == EventType.IMPRESSION)
                            .map(UserEvent::getEventId)
                            .collect(Collectors.toSet());
            AvroCodec<Sample> samples = AvroCodec.of(Sample.class);
            Set<String> samplesBefore = new HashSet<>();
            for (OutputRecord r : before) {
                if (r.topic().equals(Topics.WEIGHTED_SAMPLES.name())) {
                    samplesBefore.add(samples.decode(r.value()).getSampleId());
                }
            }
            Set<String> pending =
                    SavepointFixture.pendingAttributions(
                            WeightingReference.expectedSamples(
                                            events,
                                            settings.attribution().windowMillis(),
                                            settings.attribution().correctionHorizonMillis())
                                    .keySet(),
                            exposuresBefore,
                            samplesBefore);
            assertThat(pending).as("attributions pending at the savepoint").isNotEmpty();
            assertThat(samplesBefore).as("samples committed before the savepoint").isNotEmpty();
            assertThat(offsets.values().stream().mapToLong(Long::longValue).sum())
                    .as("consumer offsets at the savepoint")
                    .isEqualTo(split);

            deleteRecursively(out);
            Files.createDirectories(out);
            copyRecursively(Path.of(java.net.URI.create(savepoint)), out.resolve("savepoint"));
            SavepointFixture.writeInput(out.resolve(SavepointFixture.INPUT), input);
            SavepointFixture.writeOutput(out.resolve(SavepointFixture.OUTPUT_BEFORE), before);
            Map<String, String> properties = new LinkedHashMap<>();
            options.forEach(
                    (k, v) -> {
                        if (!k.equals("kafka.bootstrap-servers")
                                && !k.equals("job.checkpoint-dir")) {
                            properties.put(SavepointFixture.OPTION_PREFIX + k, v);
                        }
                    });
            offsets.forEach(
                    (p, o) -> properties.put(SavepointFixture.OFFSET_PREFIX + p, o.toString()));
            properties.put("release", "0.1.0");
            properties.put("flink.pipeline.max-parallelism", String.valueOf(MAX_PARALLELISM));
            properties.put("flink.parallelism", "2");
            properties.put("flink.state-backend", "rocksdb");
            properties.put("savepoint.format", "CANONICAL");
            properties.put("savepoint.drain", "false");
            properties.put("transactional-id-prefix", TRANSACTIONAL_ID_PREFIX);
            properties.put("events.seed", String.valueOf(SEED));
            properties.put("events.before-savepoint", String.valueOf(split));
            properties.put("events.after-savepoint", String.valueOf(events.size() - split));
            properties.put("output-before.samples", String.valueOf(samplesBefore.size()));
            properties.put(
                    "output-before.tables",
                    String.valueOf(
                            before.stream()
                                    .filter(r -> r.topic().equals(Topics.CLASS_WEIGHTS.name()))
                                    .count()));
            properties.put("pending-attributions", String.valueOf(pending.size()));
            SavepointFixture.writeProperties(
                    out.resolve(SavepointFixture.PROPERTIES),
                    properties,
                    "written by SavepointFixtureGeneratorITCase");
            System.out.printf(
                    "[SavepointFixtureGenerator] %d + %d events, %d samples and %d pending"
                            + " attributions at the savepoint, offsets %s -> %s%n",
                    split,
                    events.size() - split,
                    samplesBefore.size(),
                    pending.size(),
                    offsets,
                    out);
        }
    }

    private static void produce(
            KafkaProducer<byte[], byte[]> producer,
            List<UserEvent> events,
            boolean beforeSavepoint,
            List<InputRecord> input)
            throws Exception {
        for (UserEvent e : events) {
            byte[] key = e.getUserId().getBytes(StandardCharsets.UTF_8);
            byte[] value = CODEC.encode(e);
            long timestamp = e.getEventTime().toEpochMilli();
            RecordMetadata m =
                    producer.send(
                                    new ProducerRecord<>(
                                            Topics.EVENTS.name(), null, timestamp, key, value))
                            .get(30, TimeUnit.SECONDS);
            input.add(
                    new InputRecord(
                            beforeSavepoint, m.partition(), m.offset(), timestamp, key, value));
        }
    }

    static KafkaProducer<byte[], byte[]> producer(String bootstrapServers) {
        return new KafkaProducer<>(
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrapServers,
                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                        true,
                        ProducerConfig.LINGER_MS_CONFIG,
                        0),
                new ByteArraySerializer(),
                new ByteArraySerializer());
    }

    /** True while the job runs; fails at once when it has ended or is restarting. */
    static boolean running(JobClient job) throws Exception {
        JobStatus status = job.getJobStatus().get(10, TimeUnit.SECONDS);
        if (status != JobStatus.RUNNING
                && status != JobStatus.CREATED
                && status != JobStatus.INITIALIZING) {
            throw new AssertionError("the job is " + status);
        }
        return true;
    }

    static void copyRecursively(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path p : paths.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
