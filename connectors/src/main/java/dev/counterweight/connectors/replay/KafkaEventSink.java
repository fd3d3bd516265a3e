package dev.counterweight.connectors.replay;

import dev.counterweight.avro.UserEvent;
import dev.counterweight.connectors.kafka.ClientProperties;
import dev.counterweight.connectors.kafka.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Sends events to one Kafka topic with an idempotent producer ({@code acks=all}): key = user id,
 * record timestamp = event time, value = Avro single-object encoding.
 */
public final class KafkaEventSink implements EventSink {

    private final Producer<String, UserEvent> producer;
    private final String topic;
    private final AtomicReference<Exception> failure = new AtomicReference<>();

    /** Wraps a producer the sink then owns; tests and the local launcher may pass their own. */
    public KafkaEventSink(Producer<String, UserEvent> producer, String topic) {
        this.producer = producer;
        this.topic = topic;
    }

    /** A sink with a new idempotent producer for {@code bootstrapServers}. */
    public static KafkaEventSink create(String bootstrapServers, String topic) {
        return create(bootstrapServers, Map.of(), topic);
    }

    /** {@link #create} with Kafka client pass-through settings (SASL/SSL). */
    public static KafkaEventSink create(
            String bootstrapServers, Map<String, String> clientProperties, String topic) {
        return new KafkaEventSink(
                new KafkaProducer<>(
                        ClientProperties.merged(clientProperties, producerConfig(bootstrapServers)),
                        new StringSerializer(),
                        Topics.EVENTS.codec().serializer()),
                topic);
    }

    /** The producer settings: idempotent, {@code acks=all}, small batching delay. */
    public static Map<String, Object> producerConfig(String bootstrapServers) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "counterweight-replay");
        return config;
    }

    @Override
    public void send(String key, long timestampMillis, UserEvent event) {
        throwIfFailed();
        producer.send(
                new ProducerRecord<>(topic, null, timestampMillis, key, event),
                (metadata, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    }
                });
    }

    @Override
    public void flush() {
        producer.flush();
        throwIfFailed();
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(30));
    }

    private void throwIfFailed() {
        Exception e = failure.get();
        if (e != null) {
            throw new IllegalStateException(
                    "sending to topic '" + topic + "' failed: " + e.getMessage(), e);
        }
    }
}
