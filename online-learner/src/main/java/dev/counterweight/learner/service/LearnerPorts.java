package dev.counterweight.learner.service;

import java.util.Objects;

/**
 * Everything the {@link OnlineLearner}'s loop talks to outside itself and its snapshot directory.
 * {@link KafkaLearnerIO#ports} wires the production set; tests pass in-memory fakes.
 */
public record LearnerPorts(
        SampleSource source,
        SnapshotPublisher snapshots,
        ClassLossPublisher classLoss,
        DeadLetterPublisher deadLetters,
        LearnerClock clock,
        ModelFactory models) {

    public LearnerPorts {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(snapshots, "snapshots");
        Objects.requireNonNull(classLoss, "classLoss");
        Objects.requireNonNull(deadLetters, "deadLetters");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(models, "models");
    }
}
