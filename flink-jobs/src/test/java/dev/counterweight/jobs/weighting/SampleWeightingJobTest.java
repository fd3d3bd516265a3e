package dev.counterweight.jobs.weighting;

import static dev.counterweight.jobs.weighting.SampleWeightingJobITCase.HALF_LIFE;
import static dev.counterweight.jobs.weighting.SampleWeightingJobITCase.HORIZON;
import static dev.counterweight.jobs.weighting.SampleWeightingJobITCase.INTERVAL;
import static dev.counterweight.jobs.weighting.SampleWeightingJobITCase.WINDOW;
import static org.assertj.core.api.Assertions.assertThat;

import dev.counterweight.avro.ClassWeight;
import dev.counterweight.avro.ClassWeights;
import dev.counterweight.avro.DeadLetter;
import dev.counterweight.avro.Sample;
import dev.counterweight.avro.UserEvent;
import dev.counterweight.connectors.kafka.Topics;
import dev.counterweight.core.attribution.ClassKeyMode;
import dev.counterweight.jobs.weighting.internal.IngestedEvent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fast tier of the job: {@link SampleWeightingJob#build} between a bounded in-memory source and
 * collecting sinks, on a local MiniCluster with RocksDB, checkpoints and generic types off, no
 * Kafka. The samples, weight tables and dead letters are checked against the brute-force reference
 * of {@link SampleWeightingJobITCase} (which runs the same job through Kafka).
 */
class SampleWeightingJobTest {

    /** What the collecting sinks received, by sink name; the MiniCluster runs in this JVM. */
    private static final Map<String, Queue<Object>> COLLECTED = new ConcurrentHashMap<>();

    @TempDir Path dir;

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void samplesTablesAndDeadLettersMatchTheReferenceWithoutABroker() throws Exception {
        List<UserEvent> events = SampleWeightingJobITCase.uniquePairEvents();
        // The stream the source emits, by offset: an event, or null for a record the
        // deserializer rejected (a Kafka record that is not Avro). Serializable, as the source is.
        ArrayList<UserEvent> stream = new ArrayList<>();
        Map<Long, String> rejectedAt = new HashMap<>();
        for (int i = 0; i < events.size(); i++) {
            stream.add(events.get(i));
            if (i % 97 == 13) {
                // A duplicate delivery: dropped by the event-id dedup.
                stream.add(events.get(i));
            }
            if (i % 500 == 250) {
                rejectedAt.put((long) stream.size(), EventValidator.UNDECODABLE);
                stream.add(null);
            }
        }
        long[] times = new long[stream.size()];
        for (int i = 0; i < times.length; i++) {
            UserEvent e = stream.get(i) != null ? stream.get(i) : stream.get(i - 1);
            times[i] = e.getEventTime().toEpochMilli();
        }

        Configuration config = new Configuration();
        config.set(SampleWeightingOptions.BOOTSTRAP_SERVERS, "unused:9092");
        config.setString(SampleWeightingOptions.ATTRIBUTION_WINDOW.key(), WINDOW + " ms");
        config.setString(SampleWeightingOptions.CORRECTION_HORIZON.key(), HORIZON + " ms");
        config.setString(SampleWeightingOptions.WEIGHT_HALF_LIFE.key(), HALF_LIFE + " ms");
        config.setString(SampleWeightingOptions.UPDATE_INTERVAL.key(), INTERVAL + " ms");
        config.set(
                SampleWeightingOptions.STRATEGY,
                dev.counterweight.core.weighting.WeightingStrategy.INVERSE);
        config.set(SampleWeightingOptions.CLASS_KEY, ClassKeyMode.CATEGORY_LABEL);
        config.setString(SampleWeightingOptions.CHECKPOINT_INTERVAL.key(), "500 ms");
        config.set(
                SampleWeightingOptions.CHECKPOINT_DIR,
                dir.resolve("checkpoints").toUri().toString());
        config.set(SampleWeightingOptions.RESTART_ATTEMPTS, 0);
        SampleWeightingSettings settings = SampleWeightingSettings.from(config);

        Configuration flink =
                SampleWeightingJob.flinkConfiguration(
                        settings, SampleWeightingJobITCase.loopback());
        assertThat(flink.get(StateBackendOptions.STATE_BACKEND)).isEqualTo("rocksdb");
        assertThat(flink.get(PipelineOptions.GENERIC_TYPES)).isFalse();
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(2, flink);
        String run = "run-" + System.nanoTime();
        new SampleWeightingJob(settings)
                .build(
                        env,
                        new DataGeneratorSource<>(
                                index -> ingested(stream, times, index.intValue()),
                                stream.size(),
                                TypeInformation.of(IngestedEvent.class)),
                        new CollectingSink<>(run + "/samples"),
                        new CollectingSink<>(run + "/weights"),
                        new CollectingSink<>(run + "/dlq"));
        env.execute("sample-weighting-broker-free");

        List<Sample> samples = collected(run + "/samples");
        List<ClassWeights> tables = collected(run + "/weights");
        List<DeadLetter> deadLetters = collected(run + "/dlq");

        // 1. Every reference sample exactly once, with the reference labels.
        Map<String, boolean[]> expected = SampleWeightingJobITCase.referenceSamples(events);
        Map<String, Sample> byId = new HashMap<>();
        for (Sample s : samples) {
            assertThat(byId.put(s.getSampleId(), s)).as("duplicate %s", s.getSampleId()).isNull();
        }
        assertThat(byId.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        long corrections = SampleWeightingJobITCase.assertLabelsAsReference(expected, byId);
        assertThat(corrections).as("the input has delayed purchases").isPositive();

        // 2. Weight tables 1..n (one writer, in order), each equal to an offline recomputation.
        assertThat(tables).isNotEmpty();
        Map<Long, ClassWeights> tableByVersion = new HashMap<>();
        for (int i = 0; i < tables.size(); i++) {
            assertThat(tables.get(i).getVersion()).isEqualTo(i + 1L);
            tableByVersion.put(tables.get(i).getVersion(), tables.get(i));
            SampleWeightingJobITCase.assertTableMatchesReference(tables.get(i), samples, settings);
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
            assertThat(s.getWeight()).isEqualTo(expectedWeight);
        }

        // 4. Each rejected record in the dead letters once, with its reason and offset.
        assertThat(deadLetters).hasSize(rejectedAt.size());
        for (DeadLetter d : deadLetters) {
            assertThat(d.getTopic()).isEqualTo(Topics.EVENTS.name());
            assertThat(d.getReasonCode()).isEqualTo(rejectedAt.get(d.getOffset()));
        }
    }

    /** What the Kafka deserializer makes of the record at {@code offset}. */
    private static IngestedEvent ingested(List<UserEvent> stream, long[] times, int offset) {
        IngestedEvent e = new IngestedEvent();
        UserEvent event = stream.get(offset);
        if (event != null) {
            e.event = UserEvent.newBuilder(event).build();
        } else {
            e.reasonCode = EventValidator.UNDECODABLE;
            e.reason = "not Avro";
            e.rawKey = new byte[] {1};
            e.rawValue = new byte[] {2, 3};
        }
        e.topic = Topics.EVENTS.name();
        e.partition = 0;
        e.offset = offset;
        e.recordTimestamp = times[offset];
        return e;
    }

    @SuppressWarnings("unchecked")
    private static <T> List<T> collected(String name) {
        Queue<Object> q = COLLECTED.getOrDefault(name, new ConcurrentLinkedQueue<>());
        return (List<T>) new ArrayList<>(q);
    }

    /** Adds every record to {@link #COLLECTED} under its name. */
    private static final class CollectingSink<T> implements Sink<T> {
        private final String name;

        CollectingSink(String name) {
            this.name = name;
        }

        @Override
        public SinkWriter<T> createWriter(WriterInitContext context) {
            Queue<Object> queue =
                    COLLECTED.computeIfAbsent(name, k -> new ConcurrentLinkedQueue<>());
            return new SinkWriter<>() {
                @Override
                public void write(T element, Context ctx) {
                    queue.add(element);
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }
}
