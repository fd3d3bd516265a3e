package dev.counterweight.core.features;

import dev.counterweight.core.decay.HalfLife;

/**
 * How a sample's activity features are taken from an entity's {@link ActivityCounts} and how the
 * sample is then counted: the one rule of the user, item and category features. A sample sees the
 * activity of the samples counted before it (never its own, never a later one); a correction sees
 * it too but is not counted again, since it relabels an already counted exposure.
 *
 * @param halfLife half-life of the decayed counts
 * @param priorClicks Beta-prior clicks of the smoothed CTR
 * @param priorExposures Beta-prior exposures of the smoothed CTR
 */
public record ActivityFeatures(HalfLife halfLife, double priorClicks, double priorExposures)
        implements java.io.Serializable {

    /**
     * Writes the activity of {@code counts} at {@code t} into {@code features} at {@code offset}
     * ({@link ActivityCounts#FEATURES} values), then counts the sample unless it is a correction.
     *
     * @return whether {@code counts} changed (the caller stores it)
     */
    public boolean observe(
            ActivityCounts counts,
            long t,
            boolean click,
            boolean conversion,
            boolean correction,
            float[] features,
            int offset) {
        System.arraycopy(
                counts.valuesAt(t, halfLife, priorClicks, priorExposures),
                0,
                features,
                offset,
                ActivityCounts.FEATURES);
        if (correction) {
            return false;
        }
        counts.add(t, click, conversion, halfLife);
        return true;
    }
}
