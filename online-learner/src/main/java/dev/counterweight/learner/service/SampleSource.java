package dev.counterweight.learner.service;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Port: where the learner reads serialized samples from, one topic with numbered partitions. The
 * learner keeps the read positions itself (in its snapshots), so a source only has to seek where it
 * is told. Implemented for Kafka by {@link KafkaLearnerIO}; tests use an in-memory fake.
 */
public interface SampleSource extends AutoCloseable {

    /**
     * A record as read: its position, timestamp (-1 if none), and raw key and value (either may be
     * null).
     */
    record Record(
            String topic, int partition, long offset, long timestamp, byte[] key, byte[] value) {}

    /**
     * Connects and checks that everything the learner reads and writes exists; called once, before
     * the learner restores its snapshot.
     *
     * @throws RuntimeException naming the option of what is missing or unreachable
     */
    void open() throws IOException;

    /**
     * Positions every partition: a partition in {@code nextOffsets} at that offset, any other at
     * its beginning. Called once, after {@link #open()}.
     */
    void seek(Map<Integer, Long> nextOffsets);

    /** The next records in partition order per partition; empty after {@code timeout}. */
    List<Record> poll(Duration timeout);

    /**
     * Reports the offsets a snapshot has made durable, for monitoring only (consumer lag); the
     * learner never reads them back.
     */
    default void committed(Map<Integer, Long> nextOffsets) {}

    @Override
    void close();
}
