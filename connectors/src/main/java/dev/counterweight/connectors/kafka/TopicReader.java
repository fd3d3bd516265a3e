package dev.counterweight.connectors.kafka;

import dev.counterweight.connectors.avro.AvroCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads one topic as a {@code read_committed} consumer without a group (nothing is committed): from
 * the start or the tail of each partition up to the end offsets taken when it starts, or on and on
 * with {@code follow}.
 */
public final class TopicReader {

    /**
     * Where to start.
     *
     * @param fromBeginning start at each partition's earliest offset
     * @param tail otherwise start this many records before each partition's end
     */
    public record Start(boolean fromBeginning, long tail) {
        public Start {
            if (tail < 0) {
                throw new IllegalArgumentException("tail must not be negative, was " + tail);
            }
        }

        /** The earliest offsets. */
        public static Start beginning() {
            return new Start(true, 0);
        }

        /** {@code n} records before each partition's end. */
        public static Start tail(long n) {
            return new Start(false, n);
        }
    }

    private static final Duration POLL = Duration.ofMillis(200);

    private TopicReader() {}

    /**
     * Every committed record of {@code topic}, from the beginning to the end it had at the start,
     * decoded as {@code type}.
     *
     * @throws UncheckedIOException if a record does not decode
     * @throws IllegalStateException as {@link #read}
     */
    public static <T extends SpecificRecordBase> List<T> readAll(
            String bootstrapServers, String topic, Class<T> type, Duration idleTimeout) {
        AvroCodec<T> codec = AvroCodec.of(type);
        List<T> out = new ArrayList<>();
        read(
                bootstrapServers,
                topic,
                Start.beginning(),
                -1,
                false,
                idleTimeout,
                r -> {
                    try {
                        out.add(codec.decode(r.value()));
                    } catch (IOException e) {
                        throw new UncheckedIOException(
                                "undecodable "
                                        + type.getSimpleName()
                                        + " at "
                                        + topic
                                        + "-"
                                        + r.partition()
                                        + "@"
                                        + r.offset(),
                                e);
                    }
                });
        return out;
    }

    /**
     * Hands records of {@code topic} to {@code handler} until {@code max} were handed ({@code max <
     * 0}: no limit) or, unless {@code follow}, every partition reached the end offset it had at the
     * start.
     *
     * @param idleTimeout fail if the position stops advancing short of the end for this long
     * @return records handed over
     * @throws IllegalStateException if the topic does not exist or reading stalls
     */
    public static long read(
            String bootstrapServers,
            String topic,
            Start start,
            long max,
            boolean follow,
            Duration idleTimeout,
            Consumer<ConsumerRecord<byte[], byte[]>> handler) {
        return read(bootstrapServers, Map.of(), topic, start, max, follow, idleTimeout, handler);
    }

    /** {@link #read} with Kafka client pass-through settings (SASL/SSL). */
    public static long read(
            String bootstrapServers,
            Map<String, String> clientProperties,
            String topic,
            Start start,
            long max,
            boolean follow,
            Duration idleTimeout,
            Consumer<ConsumerRecord<byte[], byte[]>> handler) {
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(
                        ClientProperties.merged(
                                clientProperties, consumerConfig(bootstrapServers, idleTimeout)),
                        new ByteArrayDeserializer(),
                        new ByteArrayDeserializer())) {
            List<TopicPartition> partitions =
                    consumer.partitionsFor(topic, idleTimeout).stream()
                            .map(p -> new TopicPartition(topic, p.partition()))
                            .toList();
            if (partitions.isEmpty()) {
                throw new IllegalStateException(
                        "topic '" + topic + "' does not exist on " + bootstrapServers);
            }
            consumer.assign(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, idleTimeout);
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions, idleTimeout);
            for (TopicPartition p : partitions) {
                long from =
                        start.fromBeginning()
                                ? begin.get(p)
                                : Math.max(begin.get(p), end.get(p) - start.tail());
                consumer.seek(p, from);
            }
            long handed = 0;
            long lastProgress = System.nanoTime();
            Map<TopicPartition, Long> lastPositions = positions(consumer, partitions);
            while (max < 0 || handed < max) {
                if (!follow && reached(lastPositions, end)) {
                    break;
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
                    handler.accept(r);
                    if (++handed == max) {
                        break;
                    }
                }
                Map<TopicPartition, Long> now = positions(consumer, partitions);
                if (!now.equals(lastPositions)) {
                    lastPositions = now;
                    lastProgress = System.nanoTime();
                } else if (!follow && System.nanoTime() - lastProgress > idleTimeout.toNanos()) {
                    throw new IllegalStateException(
                            "reading '"
                                    + topic
                                    + "' stalled at "
                                    + now
                                    + " short of the end offsets "
                                    + end
                                    + " for "
                                    + idleTimeout);
                }
            }
            return handed;
        }
    }

    private static Map<String, Object> consumerConfig(String bootstrapServers, Duration timeout) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "counterweight-cli");
        config.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        return config;
    }

    private static Map<TopicPartition, Long> positions(
            KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> partitions) {
        Map<TopicPartition, Long> out = new HashMap<>();
        for (TopicPartition p : partitions) {
            out.put(p, consumer.position(p));
        }
        return out;
    }

    private static boolean reached(
            Map<TopicPartition, Long> positions, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (positions.get(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
