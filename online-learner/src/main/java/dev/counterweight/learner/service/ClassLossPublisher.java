package dev.counterweight.learner.service;

import dev.counterweight.avro.ClassLoss;

/** Port: publishes the progressive per-class loss for the weighting job; best effort. */
@FunctionalInterface
public interface ClassLossPublisher {

    /** Sends {@code loss} without waiting; failures are the publisher's to log. */
    void publish(ClassLoss loss);
}
