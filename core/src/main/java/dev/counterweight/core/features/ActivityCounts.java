package dev.counterweight.core.features;

import dev.counterweight.core.decay.HalfLife;

/**
 * Exponentially decayed exposure, click and purchase counts of one entity (a user, an item or a
 * category), all expressed at one reference time, plus a smoothed click-through rate.
 *
 * <p>A plain bean (public no-arg constructor, public fields) so stream processors can keep it in
 * state with a POJO serializer.
 */
public final class ActivityCounts {

    /** Number of values {@link #valuesAt} returns. */
    public static final int FEATURES = 4;

    /** Decayed exposures at {@link #referenceTime}. */
    public double exposures;

    /** Decayed clicks at {@link #referenceTime}. */
    public double clicks;

    /** Decayed purchases at {@link #referenceTime}. */
    public double purchases;

    /** Newest event time added; {@link Long#MIN_VALUE} when empty. */
    public long referenceTime = Long.MIN_VALUE;

    /** Bean constructor. */
    public ActivityCounts() {}

    /** Counts one exposure with its labels at event time {@code t}. */
    public void add(long t, boolean click, boolean purchase, HalfLife halfLife) {
        if (referenceTime == Long.MIN_VALUE) {
            referenceTime = t;
        }
        double factor = 1.0;
        if (t > referenceTime) {
            double decay = halfLife.factorBetween(t, referenceTime);
            exposures *= decay;
            clicks *= decay;
            purchases *= decay;
            referenceTime = t;
        } else {
            factor = halfLife.factorBetween(referenceTime, t);
        }
        exposures += factor;
        clicks += click ? factor : 0;
        purchases += purchase ? factor : 0;
    }

    /**
     * Features at time {@code t}: decayed exposures, clicks, purchases, and the CTR smoothed with a
     * Beta prior, (clicks + priorClicks) / (exposures + priorExposures).
     */
    public float[] valuesAt(long t, HalfLife halfLife, double priorClicks, double priorExposures) {
        double decay =
                referenceTime == Long.MIN_VALUE || t <= referenceTime
                        ? 1.0
                        : halfLife.factorBetween(t, referenceTime);
        double e = exposures * decay;
        double c = clicks * decay;
        double p = purchases * decay;
        double ctr = (c + priorClicks) / (e + priorExposures);
        return new float[] {(float) e, (float) c, (float) p, (float) ctr};
    }
}
