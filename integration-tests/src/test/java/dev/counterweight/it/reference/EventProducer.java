package dev.counterweight.it.reference;

import dev.counterweight.avro.UserEvent;
import dev.counterweight.connectors.avro.AvroCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Replays events into a topic from a background thread at a steady rate, keyed by user (a user's
 * events stay ordered in one partition) with the event time as record timestamp. The idempotent
 * producer rides out a broker restart: sends wait for the broker instead of failing.
 */
public final class EventProducer implements AutoCloseable {

    private static final int CHUNK = 100;

    private final List<UserEvent> events;
    private final AtomicInteger acknowledged = new AtomicInteger();
    private final AtomicInteger sent = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Thread thread;
    private volatile boolean stop;

    private EventProducer(
            String bootstrapServers, String topic, List<UserEvent> events, Duration duration) {
        this.events = events;
        this.thread = new Thread(() -> run(bootstrapServers, topic, duration), "event-producer");
        this.thread.setDaemon(true);
    }

    /** Starts replaying {@code events}, spread evenly over {@code duration}. */
    public static EventProducer start(
            String bootstrapServers, String topic, List<UserEvent> events, Duration duration) {
        EventProducer p = new EventProducer(bootstrapServers, topic, events, duration);
        p.thread.start();
        return p;
    }

    /** Records handed to the producer so far. */
    public int sent() {
        return sent.get();
    }

    /** Records the broker has acknowledged. */
    public int acknowledged() {
        return acknowledged.get();
    }

    public int total() {
        return events.size();
    }

    /** Waits until every record is acknowledged; rethrows a send failure. */
    public void awaitDone(Duration timeout) throws InterruptedException {
        thread.join(timeout.toMillis());
        if (thread.isAlive()) {
            throw new AssertionError(
                    "producer still busy after "
                            + timeout.toSeconds()
                            + " s: "
                            + acknowledged()
                            + " of "
                            + total()
                            + " acknowledged");
        }
        if (failure.get() != null) {
            throw new AssertionError("producing events failed", failure.get());
        }
        if (acknowledged() != total()) {
            throw new AssertionError(acknowledged() + " of " + total() + " events acknowledged");
        }
    }

    @Override
    public void close() {
        stop = true;
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run(String bootstrapServers, String topic, Duration duration) {
        AvroCodec<UserEvent> codec = AvroCodec.of(UserEvent.class);
        long start = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(
                        Map.of(
                                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                                ProducerConfig.ACKS_CONFIG, "all",
                                ProducerConfig.LINGER_MS_CONFIG, 5,
                                ProducerConfig.MAX_BLOCK_MS_CONFIG, 180_000,
                                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 300_000,
                                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 20_000),
                        new ByteArraySerializer(),
                        new ByteArraySerializer())) {
            for (int i = 0; i < events.size() && !stop; i++) {
                UserEvent e = events.get(i);
                producer.send(
                        new ProducerRecord<>(
                                topic,
                                null,
                                e.getEventTime().toEpochMilli(),
                                e.getUserId().getBytes(StandardCharsets.UTF_8),
                                codec.encode(e)),
                        (metadata, error) -> {
                            if (error != null) {
                                failure.compareAndSet(null, error);
                            } else {
                                acknowledged.incrementAndGet();
                            }
                        });
                sent.incrementAndGet();
                if (i % CHUNK == CHUNK - 1) {
                    pace(start, i + 1, duration);
                }
            }
            producer.flush();
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
        }
    }

    /** Rate control, not synchronisation: keeps the replay spread over the requested time. */
    private void pace(long start, int done, Duration duration) throws InterruptedException {
        long due = start + duration.toNanos() * done / events.size();
        long wait = due - System.nanoTime();
        if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
    }
}
