package dev.counterweight.core.decay;

import java.util.Objects;

/**
 * An exponentially time-decayed count, immutable.
 *
 * <p>The state is the value {@code Σ amount_i · 2^(-(T - t_i) / h)} expressed at the reference time
 * {@code T}, the latest event time seen. Because the value is always kept at the maximum event
 * time, the result does not depend on the order in which events arrive (up to floating-point
 * rounding), and two counters over disjoint event sets {@link #merge merge} into exactly the
 * counter over their union. The same {@link HalfLife} must be used for every operation on one
 * counter; it is passed per call so the record stays small in state backends.
 *
 * @param value the decayed count at {@code referenceTimeMillis}; finite and non-negative
 * @param referenceTimeMillis the time at which {@code value} is expressed ({@link #ZERO} uses
 *     {@code Long.MIN_VALUE} so that any real event becomes the new reference)
 */
public record DecayedCount(double value, long referenceTimeMillis) implements java.io.Serializable {

    /** The empty counter: value 0 at reference time {@code Long.MIN_VALUE}. */
    public static final DecayedCount ZERO = new DecayedCount(0.0, Long.MIN_VALUE);

    /**
     * Validates the value.
     *
     * @throws IllegalArgumentException if {@code value} is negative, NaN or infinite
     */
    public DecayedCount {
        if (!Double.isFinite(value) || value < 0) {
            throw new IllegalArgumentException(
                    "value must be finite and non-negative, was " + value);
        }
    }

    /**
     * Returns a counter that additionally counts {@code amount} at {@code eventTimeMillis}.
     *
     * <p>A newer event moves the reference forward and decays the stored value to it; an older
     * (late) event is decayed to the current reference before being added.
     *
     * @param amount the amount to count; finite and non-negative
     * @param eventTimeMillis the event time
     * @param halfLife the decay half-life
     * @return the updated counter
     * @throws IllegalArgumentException if {@code amount} is negative, NaN or infinite
     */
    public DecayedCount add(double amount, long eventTimeMillis, HalfLife halfLife) {
        Objects.requireNonNull(halfLife, "halfLife must not be null");
        if (!Double.isFinite(amount) || amount < 0) {
            throw new IllegalArgumentException(
                    "amount must be finite and non-negative, was " + amount);
        }
        if (eventTimeMillis > referenceTimeMillis) {
            double decayed = value * halfLife.factorBetween(eventTimeMillis, referenceTimeMillis);
            return new DecayedCount(decayed + amount, eventTimeMillis);
        }
        double late = amount * halfLife.factorBetween(referenceTimeMillis, eventTimeMillis);
        return new DecayedCount(value + late, referenceTimeMillis);
    }

    /**
     * Returns the decayed value at {@code timeMillis}.
     *
     * <p>For a time at or before the reference time this returns {@link #value()} unchanged: the
     * counter never "un-decays" into the past, and events between {@code timeMillis} and the
     * reference have already been counted.
     *
     * @param timeMillis the query time
     * @param halfLife the decay half-life
     * @return the value, finite and non-negative
     */
    public double valueAt(long timeMillis, HalfLife halfLife) {
        Objects.requireNonNull(halfLife, "halfLife must not be null");
        if (timeMillis <= referenceTimeMillis) {
            return value;
        }
        return value * halfLife.factorBetween(timeMillis, referenceTimeMillis);
    }

    /**
     * Returns this counter re-expressed at {@code timeMillis} if that is later than the reference
     * time, otherwise this counter. Useful to align counters before comparing their values.
     *
     * @param timeMillis the new reference time
     * @param halfLife the decay half-life
     * @return a counter with reference time {@code max(referenceTimeMillis, timeMillis)}
     */
    public DecayedCount advanceTo(long timeMillis, HalfLife halfLife) {
        if (timeMillis <= referenceTimeMillis) {
            return this;
        }
        return new DecayedCount(valueAt(timeMillis, halfLife), timeMillis);
    }

    /**
     * Returns the counter over the union of both counters' events; commutative and associative up
     * to floating-point rounding, with {@link #ZERO} as identity.
     *
     * @param other the other counter
     * @param halfLife the decay half-life shared by both counters
     * @return the merged counter, referenced at the later of the two reference times
     */
    public DecayedCount merge(DecayedCount other, HalfLife halfLife) {
        Objects.requireNonNull(other, "other must not be null");
        if (other.referenceTimeMillis > referenceTimeMillis) {
            return other.add(value, referenceTimeMillis, halfLife);
        }
        return add(other.value, other.referenceTimeMillis, halfLife);
    }
}
