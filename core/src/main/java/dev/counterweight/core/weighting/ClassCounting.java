package dev.counterweight.core.weighting;

import dev.counterweight.core.decay.DecayedCount;
import dev.counterweight.core.decay.HalfLife;
import java.util.HashMap;
import java.util.Map;

/**
 * Decayed per-class sample counts and the update boundary at which they become a weight table: the
 * one rule of the weighting job's class-count and weight-table steps and of the experiment's in-JVM
 * weighting.
 *
 * <ul>
 *   <li>A sample counts 1 at its {@code closedAt} into the count of its class, staged under its
 *       update boundary, the first multiple of the update interval at or after {@code closedAt}.
 *   <li>When event time reaches a boundary, the staged counts of that boundary fold into the
 *       classes' counts, and a table is computed from every class's count valued at the boundary,
 *       with the next version.
 * </ul>
 *
 * So a table contains exactly the samples with {@code closedAt <= boundary}, whatever the arrival
 * order.
 *
 * @param halfLife half-life of the class counts
 * @param intervalMillis event time between update boundaries
 */
public record ClassCounting(HalfLife halfLife, long intervalMillis)
        implements java.io.Serializable {

    public ClassCounting {
        if (intervalMillis <= 0) {
            throw new IllegalArgumentException(
                    "weights.update-interval must be positive, was " + intervalMillis + " ms");
        }
    }

    /** The first multiple of {@code interval} at or after {@code t}. */
    public static long boundaryOf(long t, long interval) {
        long floor = Math.floorDiv(t, interval) * interval;
        return floor == t ? t : floor + interval;
    }

    /** The update boundary of a sample closed at {@code closedAt}. */
    public long boundaryOf(long closedAt) {
        return boundaryOf(closedAt, intervalMillis);
    }

    /** {@code count} (null for none) plus one sample closed at {@code closedAt}. */
    public DecayedCount count(DecayedCount count, long closedAt) {
        return (count == null ? DecayedCount.ZERO : count).add(1.0, closedAt, halfLife);
    }

    /** A class's count (null for none) with a boundary's staged count folded in. */
    public DecayedCount fold(DecayedCount current, DecayedCount staged) {
        return current == null ? staged : current.merge(staged, halfLife);
    }

    /**
     * The table of {@code version} at {@code boundary}: every class's count valued at the boundary,
     * weighted by {@link WeightTable#compute}.
     *
     * @param halfLife half-life of the class counts
     * @param multiplier the loss-aware multiplier, or null for none
     */
    public static WeightTable tableAt(
            long version,
            long boundary,
            Iterable<Map.Entry<String, DecayedCount>> counts,
            HalfLife halfLife,
            WeightingConfig config,
            LossAwareMultiplier multiplier) {
        Map<String, Double> valued = new HashMap<>();
        for (Map.Entry<String, DecayedCount> e : counts) {
            valued.put(e.getKey(), e.getValue().valueAt(boundary, halfLife));
        }
        return WeightTable.compute(version, valued, config, multiplier);
    }
}
