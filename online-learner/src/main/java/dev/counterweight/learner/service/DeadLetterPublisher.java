package dev.counterweight.learner.service;

import dev.counterweight.avro.DeadLetter;

/**
 * Port: the learner's dead-letter output. Sends may be asynchronous; {@link #flush()} returns once
 * everything sent before is durable (the learner flushes before a snapshot moves its offsets past
 * dead-lettered records).
 */
public interface DeadLetterPublisher {

    /** Sends {@code letter}; failures are the publisher's to log and count. */
    void send(DeadLetter letter);

    /** Waits until every letter sent so far is written. */
    void flush();
}
