package dev.counterweight.testing;

import java.time.Duration;

/**
 * Polls a condition with short sleeps until it holds, instead of sleeping for a fixed time. A
 * condition that throws an {@link Exception} counts as "not yet" (the last one is reported on
 * timeout); one that throws an {@link AssertionError} ends the wait at once, so a condition can
 * fail fast when it sees that the awaited state can never come (a process died, a job failed).
 */
public final class Await {

    private static final long POLL_MILLIS = 100;

    private Await() {}

    /** A condition that may fail with a checked exception. */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    /**
     * Waits until {@code condition} holds.
     *
     * @throws AssertionError naming {@code description} and the timeout if it does not hold in time
     */
    public static void until(String description, Condition condition, Duration timeout) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        Exception last = null;
        while (true) {
            try {
                if (condition.holds()) {
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting until " + description, e);
            } catch (Exception e) {
                last = e;
            }
            if (System.nanoTime() > deadline) {
                AssertionError error =
                        new AssertionError(
                                "Timed out after "
                                        + timeout.toSeconds()
                                        + " s waiting until "
                                        + description
                                        + (last == null ? "" : " (last error: " + last + ")"));
                if (last != null) {
                    error.initCause(last);
                }
                throw error;
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting until " + description, e);
            }
        }
    }
}
