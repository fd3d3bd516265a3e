package dev.counterweight.core.decay;

import java.time.Duration;
import java.util.Objects;

/**
 * Half-life of an exponential time decay: an event {@code millis} old counts half as much as a
 * fresh one.
 *
 * <p>{@link #NONE} (represented as {@code millis == Long.MAX_VALUE}) means "no decay": every factor
 * is exactly 1, so decayed counts become plain counts. Constructing {@code new
 * HalfLife(Long.MAX_VALUE)} therefore yields a value equal to {@code NONE}.
 *
 * @param millis the half-life in milliseconds; positive
 */
public record HalfLife(long millis) implements java.io.Serializable {

    /** No decay: {@link #factor(long)} is always exactly 1.0. */
    public static final HalfLife NONE = new HalfLife(Long.MAX_VALUE);

    /**
     * Validates the half-life.
     *
     * @throws IllegalArgumentException if {@code millis <= 0}
     */
    public HalfLife {
        if (millis <= 0) {
            throw new IllegalArgumentException("halfLife must be positive, was " + millis);
        }
    }

    /**
     * Creates a half-life from a duration, truncated to whole milliseconds.
     *
     * @param duration a positive duration of at least one millisecond
     * @return the half-life
     * @throws IllegalArgumentException if the duration is not positive, is shorter than 1 ms, or
     *     does not fit in a {@code long} of milliseconds
     */
    public static HalfLife of(Duration duration) {
        Objects.requireNonNull(duration, "halfLife must not be null");
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("halfLife must be positive, was " + duration);
        }
        long ms;
        try {
            ms = duration.toMillis();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("halfLife is too long, was " + duration, e);
        }
        if (ms == 0) {
            throw new IllegalArgumentException("halfLife must be at least 1 ms, was " + duration);
        }
        return new HalfLife(ms);
    }

    /** Returns whether this is {@link #NONE}, i.e. decay is disabled. */
    public boolean isNone() {
        return millis == Long.MAX_VALUE;
    }

    /**
     * Returns the decay factor {@code 2^(-deltaMillis / millis)} for an age of {@code deltaMillis}.
     *
     * <p>The factor is exactly 1.0 for {@code deltaMillis == 0} and for {@link #NONE}; it
     * underflows gracefully to 0.0 (never NaN) for very large ages.
     *
     * @param deltaMillis the age in milliseconds; must be non-negative because decay never
     *     amplifies (a negative age indicates a caller bug, not a valid request)
     * @return the factor in [0, 1]
     * @throws IllegalArgumentException if {@code deltaMillis < 0}
     */
    public double factor(long deltaMillis) {
        if (deltaMillis < 0) {
            throw new IllegalArgumentException(
                    "deltaMillis must be non-negative, was " + deltaMillis);
        }
        if (isNone() || deltaMillis == 0) {
            return 1.0;
        }
        return Math.pow(0.5, (double) deltaMillis / millis);
    }

    /**
     * Returns the decay factor between two instants, {@code factor(laterMillis - earlierMillis)},
     * without overflowing when the gap exceeds {@code Long.MAX_VALUE} (e.g. between {@code
     * Long.MIN_VALUE} sentinels and real timestamps).
     *
     * @param laterMillis the later instant
     * @param earlierMillis the earlier instant; must not be after {@code laterMillis}
     * @return the factor in [0, 1]
     * @throws IllegalArgumentException if {@code earlierMillis > laterMillis}
     */
    public double factorBetween(long laterMillis, long earlierMillis) {
        if (earlierMillis > laterMillis) {
            throw new IllegalArgumentException(
                    "earlierMillis must not be after laterMillis, was "
                            + earlierMillis
                            + " > "
                            + laterMillis);
        }
        long delta = laterMillis - earlierMillis;
        if (delta >= 0) {
            return factor(delta);
        }
        // The long subtraction overflowed; the gap is > 2^63 ms, where double precision of the
        // gap is more than enough for the decay factor.
        if (isNone()) {
            return 1.0;
        }
        double gap = (double) laterMillis - (double) earlierMillis;
        return Math.pow(0.5, gap / millis);
    }
}
