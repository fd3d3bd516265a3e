package dev.counterweight.learner.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.counterweight.avro.ModelSnapshot;
import dev.counterweight.avro.Sample;
import dev.counterweight.connectors.avro.AvroCodec;
import dev.counterweight.connectors.kafka.KafkaTestUtils;
import dev.counterweight.connectors.kafka.Topics;
import dev.counterweight.testing.EmbeddedKafkaBroker;
import dev.counterweight.testing.SyntheticSamples;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
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
 * The learner against a broker whose client listener requires SASL/PLAIN: the {@code
 * learner.kafka.properties.*} pass-through reaches the start-up check, the consumer and the
 * producer.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class OnlineLearnerSaslITCase {

    private static final String SASL = "SASL_PLAINTEXT";
    private static final String PREFIX = LearnerOptions.KAFKA_PROPERTIES_PREFIX;

    @TempDir static Path dir;
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void start() {
        Map<String, String> overrides = new HashMap<>();
        overrides.put("sasl.enabled.mechanisms", "PLAIN");
        overrides.put(
                "listener.name.sasl_plaintext.plain.sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required"
                        + " username=\"admin\" password=\"admin-secret\""
                        + " user_admin=\"admin-secret\" user_alice=\"alice-secret\";");
        broker = EmbeddedKafkaBroker.start(dir.resolve("kafka"), overrides, Map.of(SASL, SASL));
        broker.createTopics(Topics.specs(2).stream().map(t -> t.toNewTopic((short) 1)).toList());
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void trainsAndAnnouncesASnapshotWithTheRightCredentials() throws Exception {
        produce(SyntheticSamples.learnable(3_000, 3));
        Configuration c = config(dir.resolve("snapshots-ok"), "alice-secret");

        OnlineLearner.Status status = new OnlineLearner(LearnerSettings.from(c)).run();

        assertThat(status.samplesTrained()).isEqualTo(3_000);
        assertThat(announced()).extracting(ModelSnapshot::getModelName).contains("sasl");
    }

    @Test
    void wrongCredentialsFailAtStartNamingTheBootstrapOption() {
        Configuration c = config(dir.resolve("snapshots-bad"), "not-the-password");

        assertThatThrownBy(() -> new OnlineLearner(LearnerSettings.from(c)).run())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("learner.bootstrap-servers")
                .hasMessageContaining("credentials")
                .hasMessageNotContaining("not-the-password");
    }

    @Test
    void settingsPrintThePasswordMasked() {
        LearnerSettings settings =
                LearnerSettings.from(config(dir.resolve("snapshots-print"), "alice-secret"));

        assertThat(settings.kafkaProperties())
                .containsEntry("security.protocol", SASL)
                .containsEntry("sasl.mechanism", "PLAIN");
        assertThat(settings.toString()).doesNotContain("alice-secret").contains("sasl.jaas.config");
    }

    private static Configuration config(Path snapshots, String password) {
        Map<String, String> m = new HashMap<>();
        m.put("learner.bootstrap-servers", broker.bootstrapServers(SASL));
        m.put(PREFIX + "security.protocol", SASL);
        m.put(PREFIX + "sasl.mechanism", "PLAIN");
        m.put(
                PREFIX + "sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required"
                        + " username=\"alice\" password=\""
                        + password
                        + "\";");
        m.put("learner.model-name", "sasl");
        m.put("learner.snapshot-dir", snapshots.toString());
        m.put("learner.snapshot-every-samples", "1024");
        m.put("learner.snapshot-interval", "0 s");
        m.put("learner.batch-size", "256");
        m.put("learner.batch-timeout", "0 s");
        m.put("learner.max-idle", "3 s");
        m.put("learner.gate.min-samples", "0");
        m.put("learner.omp-threads", "1");
        m.put("learner.device", "cpu");
        m.put("model.user-vocab", "1000");
        m.put("model.item-vocab", "1000");
        m.put("model.category-vocab", "100");
        m.put("model.embedding-dim", "4");
        m.put("model.dense-features", "4");
        m.put("model.bottom-layers", "16");
        m.put("model.tower-width", "8");
        return Configuration.fromMap(m);
    }

    /** Test data goes in through the broker's PLAINTEXT listener. */
    private static void produce(List<Sample> samples) throws Exception {
        AvroCodec<Sample> codec = AvroCodec.of(Sample.class);
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(
                        Map.of(
                                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                broker.bootstrapServers(),
                                ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                                "sasl-samples"),
                        new ByteArraySerializer(),
                        new ByteArraySerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < samples.size(); i++) {
                Sample s = samples.get(i);
                producer.send(
                        new ProducerRecord<>(
                                Topics.WEIGHTED_SAMPLES.name(),
                                i % 2,
                                s.getUserId().getBytes(),
                                codec.encode(s)));
            }
            producer.commitTransaction();
        }
    }

    private static List<ModelSnapshot> announced() throws Exception {
        AvroCodec<ModelSnapshot> codec = AvroCodec.of(ModelSnapshot.class);
        List<ModelSnapshot> out = new ArrayList<>();
        for (var r :
                KafkaTestUtils.readAllCommitted(
                        broker.bootstrapServers(),
                        Topics.MODEL_SNAPSHOTS.name(),
                        Duration.ofSeconds(60))) {
            out.add(codec.decode(r.value()));
        }
        return out;
    }
}
