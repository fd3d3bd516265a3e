package dev.counterweight.learner.service;

import java.time.Instant;

/**
 * Port: the learner's time. {@link #nanoTime()} drives batch timeouts, idle stops and snapshot
 * intervals; {@link #now()} stamps manifests and measures how long publishing was held back.
 */
public interface LearnerClock {

    /** The system clock. */
    LearnerClock SYSTEM =
            new LearnerClock() {
                @Override
                public long nanoTime() {
                    return System.nanoTime();
                }

                @Override
                public Instant now() {
                    return Instant.now();
                }
            };

    /** A monotonic time in nanoseconds, as {@link System#nanoTime()}. */
    long nanoTime();

    /** The wall-clock time. */
    Instant now();
}
