package dev.counterweight.learner.service;

import dev.counterweight.avro.ModelSnapshot;

/** Port: announces a snapshot that is on disk and passed the quality gate. */
@FunctionalInterface
public interface SnapshotPublisher {

    /**
     * Announces {@code snapshot} and returns once the announcement is durable.
     *
     * @throws Exception if it could not be announced; the learner logs it and goes on (the snapshot
     *     is on disk)
     */
    void announce(ModelSnapshot snapshot) throws Exception;
}
