package dev.counterweight.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.counterweight.avro.UserEvent;
import dev.counterweight.avro.fixtures.TestEvents;
import dev.counterweight.connectors.avro.AvroCodec;
import dev.counterweight.connectors.kafka.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The in-process KRaft broker is a real broker: topics, Avro records, transactions. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class EmbeddedKafkaBrokerITCase {

    @TempDir static Path dir;
    private static EmbeddedKafkaBroker broker;
    private static final AvroCodec<UserEvent> CODEC = AvroCodec.of(UserEvent.class);

    @BeforeAll
    static void start() {
        broker = EmbeddedKafkaBroker.start(dir);
        broker.createTopics(Topics.specs(2).stream().map(t -> t.toNewTopic((short) 1)).toList());
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void bindsToLoopbackAndCreatesEveryTopic() throws Exception {
        assertThat(broker.bootstrapServers()).startsWith("127.0.0.1:");
        try (var admin = broker.admin()) {
            assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS))
                    .contains(
                            Topics.EVENTS.name(),
                            Topics.EVENTS_DLQ.name(),
                            Topics.WEIGHTED_SAMPLES.name(),
                            Topics.CLASS_WEIGHTS.name(),
                            Topics.CLASS_LOSS.name(),
                            Topics.MODEL_SNAPSHOTS.name());
            var config =
                    admin.describeConfigs(
                                    List.of(
                                            new org.apache.kafka.common.config.ConfigResource(
                                                    org.apache.kafka.common.config.ConfigResource
                                                            .Type.TOPIC,
                                                    Topics.CLASS_WEIGHTS.name())))
                            .all()
                            .get(30, TimeUnit.SECONDS)
                            .values()
                            .iterator()
                            .next();
            assertThat(config.get("cleanup.policy").value()).isEqualTo("compact");
        }
    }

    @Test
    void committedTransactionsAreVisibleAndAbortedOnesAreNotToReadCommitted() {
        String topic = Topics.EVENTS.name();
        UserEvent kept = TestEvents.impression("u1", "i1").at(1_000);
        UserEvent aborted = TestEvents.impression("u2", "i2").at(2_000);
        try (KafkaProducer<String, UserEvent> producer =
                new KafkaProducer<>(
                        Map.of(
                                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                broker.bootstrapServers(),
                                ProducerConfig.TRANSACTIONAL_ID_CONFIG,
                                "it-tx"),
                        new StringSerializer(),
                        CODEC.serializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, 0, "a", aborted));
            producer.flush();
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, 0, "k", kept));
            producer.commitTransaction();
        }

        List<UserEvent> read = new ArrayList<>();
        try (KafkaConsumer<String, UserEvent> consumer =
                new KafkaConsumer<>(
                        Map.of(
                                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                broker.bootstrapServers(),
                                ConsumerConfig.GROUP_ID_CONFIG,
                                "it",
                                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                                "earliest",
                                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                                "read_committed"),
                        new StringDeserializer(),
                        CODEC.deserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (read.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, UserEvent> r : consumer.poll(Duration.ofMillis(500))) {
                    read.add(r.value());
                }
            }
        }
        assertThat(read).containsExactly(kept);
    }
}
