package dev.counterweight.jobs.weighting;

import static org.assertj.core.api.Assertions.assertThat;

import dev.counterweight.avro.ClassLoss;
import dev.counterweight.avro.ClassLossEntry;
import dev.counterweight.avro.ClassWeights;
import dev.counterweight.avro.UserEvent;
import dev.counterweight.connectors.avro.AvroCodec;
import dev.counterweight.connectors.dataset.SyntheticEventGenerator;
import dev.counterweight.connectors.kafka.KafkaTestUtils;
import dev.counterweight.connectors.kafka.Topics;
import dev.counterweight.core.attribution.ClassKeyMode;
import dev.counterweight.core.weighting.LossAwareMultiplier;
import dev.counterweight.core.weighting.WeightTable;
import dev.counterweight.testing.EmbeddedKafkaBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerRecord;
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
 * Loss-aware weights through the real job on a MiniCluster (RocksDB) and a real KRaft broker: a
 * learner's class-loss window is in its topic before the job starts; the job must finish (the loss
 * input never holds the watermark back), and every table must be either the plain table of its
 * counts or the loss-aware one, recomputed here with {@code core}, with at least one loss-aware.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class LossAwareWeightingITCase {

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
    void tablesCarryTheLearnersLossMultipliersAndTheJobFinishes() throws Exception {
        List<UserEvent> events =
                SyntheticEventGenerator.generate(
                        SyntheticEventGenerator.Config.defaults(4).withExposures(1_500));
        ClassLoss window = lossWindow(events);
        produce(events, window);

        Configuration config = new Configuration();
        config.setString("kafka.bootstrap-servers", broker.bootstrapServers());
        config.setString("kafka.bounded", "true");
        config.setString("weights.strategy", "INVERSE");
        config.setString("weights.update-interval", "20 s");
        config.setString("weights.loss-aware.enabled", "true");
        config.setString("weights.loss-aware.smoothing", "1.0");
        config.setString("job.checkpoint-interval", "1 s");
        config.setString("job.checkpoint-dir", dir.resolve("checkpoints").toUri().toString());
        config.setString("job.restart-attempts", "0");
        SampleWeightingSettings settings = SampleWeightingSettings.from(config);
        SampleWeightingJob.preflight(settings);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(
                        2,
                        SampleWeightingJob.flinkConfiguration(
                                settings, SampleWeightingJobITCase.loopback()));
        new SampleWeightingJob(settings).buildWithKafka(env);
        env.execute("loss-aware-itcase");

        LossAwareMultiplier multiplier = new LossAwareMultiplier(settings.lossAware());
        for (ClassLossEntry e : window.getClasses()) {
            multiplier.observe(
                    e.getClassKey().toString(),
                    e.getMeanLoss(),
                    e.getCount(),
                    window.getOverallMeanLoss());
        }
        List<ClassWeights> tables = read();
        assertThat(tables).hasSizeGreaterThan(3);
        int lossAware = 0;
        for (ClassWeights t : tables) {
            Map<String, Double> counts = new TreeMap<>();
            t.getClasses().forEach(c -> counts.put(c.getClassKey().toString(), c.getCount()));
            Map<String, Double> plain =
                    weights(WeightTable.compute(0, counts, settings.weighting()));
            Map<String, Double> aware =
                    weights(WeightTable.compute(0, counts, settings.weighting(), multiplier));
            Map<String, Double> actual = new TreeMap<>();
            t.getClasses().forEach(c -> actual.put(c.getClassKey().toString(), c.getWeight()));
            boolean isAware = close(actual, aware);
            assertThat(isAware || close(actual, plain))
                    .as(
                            "table %d is the plain or the loss-aware table of its counts",
                            t.getVersion())
                    .isTrue();
            if (isAware && !close(actual, plain)) {
                lossAware++;
            }
        }
        assertThat(lossAware).as("tables computed with the learner's loss window").isPositive();
    }

    /** Loss ratios between 0.25 and 2.5 for every class key the events can produce. */
    private static ClassLoss lossWindow(List<UserEvent> events) {
        TreeSet<String> categories = new TreeSet<>();
        events.forEach(e -> categories.add(e.getCategoryId().toString()));
        List<ClassLossEntry> entries = new ArrayList<>();
        int i = 0;
        for (String category : categories) {
            for (boolean[] label : new boolean[][] {{false, false}, {true, false}, {true, true}}) {
                String key = ClassKeyMode.CATEGORY_LABEL.keyOf(category, label[0], label[1], 0);
                entries.add(new ClassLossEntry(key, 0.25 + 0.75 * (i++ % 4), 100L));
            }
        }
        return ClassLoss.newBuilder()
                .setModelVersion(1)
                .setWindowEnd(Instant.EPOCH)
                .setSamples(10_000)
                .setOverallMeanLoss(1.0)
                .setClasses(entries)
                .build();
    }

    private static void produce(List<UserEvent> events, ClassLoss window) throws Exception {
        AvroCodec<UserEvent> codec = AvroCodec.of(UserEvent.class);
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(
                        Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                        new ByteArraySerializer(),
                        new ByteArraySerializer())) {
            producer.send(
                            new ProducerRecord<>(
                                    Topics.CLASS_LOSS.name(),
                                    "ranker".getBytes(),
                                    AvroCodec.of(ClassLoss.class).encode(window)))
                    .get();
            for (UserEvent e : events) {
                producer.send(
                        new ProducerRecord<>(
                                Topics.EVENTS.name(),
                                null,
                                e.getEventTime().toEpochMilli(),
                                e.getUserId().getBytes(),
                                codec.encode(e)));
            }
            producer.flush();
        }
    }

    private static Map<String, Double> weights(WeightTable t) {
        Map<String, Double> out = new TreeMap<>();
        t.entries().forEach((k, v) -> out.put(k, v.weight()));
        return out;
    }

    private static boolean close(Map<String, Double> actual, Map<String, Double> expected) {
        if (!actual.keySet().equals(expected.keySet())) {
            return false;
        }
        for (var e : expected.entrySet()) {
            if (Math.abs(actual.get(e.getKey()) - e.getValue()) > 1e-9 * e.getValue()) {
                return false;
            }
        }
        return true;
    }

    private static List<ClassWeights> read() throws Exception {
        AvroCodec<ClassWeights> codec = AvroCodec.of(ClassWeights.class);
        List<ClassWeights> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r :
                KafkaTestUtils.readAllCommitted(
                        broker.bootstrapServers(),
                        Topics.CLASS_WEIGHTS.name(),
                        Duration.ofSeconds(60))) {
            out.add(codec.decode(r.value()));
        }
        return out;
    }
}
