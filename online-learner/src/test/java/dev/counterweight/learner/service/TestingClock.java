package dev.counterweight.learner.service;

import java.time.Duration;
import java.time.Instant;

/** A clock that moves only when told to (or when a {@link TestingSampleSource} waits). */
final class TestingClock implements LearnerClock {

    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

    private long nanos;

    @Override
    public synchronized long nanoTime() {
        return nanos;
    }

    @Override
    public synchronized Instant now() {
        return START.plusNanos(nanos);
    }

    synchronized void advance(Duration d) {
        nanos += d.toNanos();
    }

    synchronized Duration elapsed() {
        return Duration.ofNanos(nanos);
    }
}
