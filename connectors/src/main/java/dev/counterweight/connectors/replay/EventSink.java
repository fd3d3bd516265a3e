package dev.counterweight.connectors.replay;

import dev.counterweight.avro.UserEvent;

/**
 * Where a {@link Replayer} sends events: a Kafka topic in production ({@link KafkaEventSink}), a
 * list in tests.
 */
public interface EventSink extends AutoCloseable {

    /**
     * Sends one event; may return before it is acknowledged.
     *
     * @param key record key (the user id, so one user's events stay in order)
     * @param timestampMillis record timestamp (the event time)
     * @throws IllegalStateException if an earlier send has failed
     */
    void send(String key, long timestampMillis, UserEvent event);

    /**
     * Blocks until every event sent so far is acknowledged.
     *
     * @throws IllegalStateException naming the first failure if any send failed
     */
    void flush();

    @Override
    void close();
}
