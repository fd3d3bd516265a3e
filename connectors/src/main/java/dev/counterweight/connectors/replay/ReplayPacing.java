package dev.counterweight.connectors.replay;

import java.util.Objects;

/**
 * How a replay re-times a dataset and paces its sends. Pure arithmetic, no clock: the caller passes
 * the wall-clock start.
 *
 * <p>Event times are re-timed first: with {@link TimeShift#NOW} the first event moves to the
 * wall-clock start, and every event's distance to the first event is divided by {@code compress}.
 * Sends are then paced on the re-timed stream: event {@code i} is due {@code (t'_i - t'_0) /
 * speedUp} after the start, so the replay rate is the (re-timed) event-time rate times {@code
 * speedUp}; {@code speedUp == 0} sends everything at once.
 *
 * @param speedUp replay rate over event-time rate; 0 = as fast as possible
 * @param timeShift where the first event lands
 * @param compress divisor of every event-time gap (1 = keep the dataset's gaps)
 */
public record ReplayPacing(double speedUp, TimeShift timeShift, double compress) {

    /** Where the re-timed stream starts. */
    public enum TimeShift {
        /** Keep the dataset's own first event time. */
        NONE,
        /** Move the first event to the wall-clock time the replay starts. */
        NOW
    }

    public ReplayPacing {
        Objects.requireNonNull(timeShift, "timeShift must not be null");
        if (!(Double.isFinite(speedUp) && speedUp >= 0)) {
            throw new IllegalArgumentException(
                    "speed-up must be a finite number >= 0 (0 = as fast as possible), was "
                            + speedUp);
        }
        if (!(Double.isFinite(compress) && compress > 0)) {
            throw new IllegalArgumentException(
                    "compress must be a finite number > 0 (1 = keep gaps), was " + compress);
        }
    }

    /** Original event times, sent as fast as possible. */
    public static ReplayPacing asFastAsPossible() {
        return new ReplayPacing(0, TimeShift.NONE, 1);
    }

    /**
     * The re-timed event times.
     *
     * @param original event times in replay order (epoch millis)
     * @param wallClockStartMillis wall-clock time the replay starts at, used by {@link
     *     TimeShift#NOW}
     * @return a new array of the same length
     */
    public long[] eventTimes(long[] original, long wallClockStartMillis) {
        long[] out = new long[original.length];
        if (original.length == 0) {
            return out;
        }
        long first = original[0];
        long base = timeShift == TimeShift.NOW ? wallClockStartMillis : first;
        for (int i = 0; i < original.length; i++) {
            // Measured from the first event, not from the previous one, so rounding never adds up.
            out[i] = base + Math.round((original[i] - first) / compress);
        }
        return out;
    }

    /**
     * When each event is due, in nanoseconds after the replay start: never before an earlier event
     * (out-of-order input is sent in order), all zero when {@code speedUp == 0}.
     *
     * @param eventTimes re-timed event times from {@link #eventTimes}
     */
    public long[] sendOffsetsNanos(long[] eventTimes) {
        long[] out = new long[eventTimes.length];
        if (speedUp == 0 || eventTimes.length == 0) {
            return out;
        }
        long first = eventTimes[0];
        long previous = 0;
        for (int i = 0; i < eventTimes.length; i++) {
            // A double-to-long cast saturates, so a tiny speed-up cannot overflow.
            long due = (long) ((eventTimes[i] - first) * 1e6 / speedUp);
            previous = Math.max(previous, due);
            out[i] = previous;
        }
        return out;
    }

    /**
     * How far the re-timed event times run ahead of the wall clock at their send time, at most
     * (negative when every event is in the past when sent). Brokers reject records whose timestamp
     * lies too far in the future ({@code log.message.timestamp.after.max.ms}, 1 h by default).
     */
    public static long maxLeadMillis(
            long[] eventTimes, long[] sendOffsetsNanos, long wallClockStartMillis) {
        long max = Long.MIN_VALUE;
        for (int i = 0; i < eventTimes.length; i++) {
            long sentAt = wallClockStartMillis + sendOffsetsNanos[i] / 1_000_000;
            max = Math.max(max, eventTimes[i] - sentAt);
        }
        return max;
    }
}
