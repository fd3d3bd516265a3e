package dev.counterweight.core.features;

import java.util.Comparator;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * The feature vector of a sample: decayed activity of the user, the item and the category
 * (exposures, clicks, purchases, smoothed CTR each, {@link ActivityCounts#FEATURES} values), then
 * log(1 + price), the position, then the producer's dense features. The positions are the contract
 * between the weighting job and the learner (the wire side of it, with its fingerprint, is {@code
 * connectors.features.FeatureLayout}).
 */
public final class SampleFeatures {

    public static final int USER = 0;
    public static final int ITEM = 4;
    public static final int CATEGORY = 8;
    public static final int LOG_PRICE = 12;
    public static final int POSITION = 13;
    public static final int DENSE = 14;

    private SampleFeatures() {}

    /**
     * A sample's vector with its exposure's own features filled in and the activity slots zero.
     *
     * @param price the exposure's price, NaN for none (its slot is then 0)
     * @param position the exposure's position, -1 for none
     * @param dense the producer's dense features
     */
    public static float[] ofExposure(double price, int position, float[] dense) {
        float[] f = new float[DENSE + dense.length];
        f[LOG_PRICE] = Double.isNaN(price) ? 0f : (float) Math.log1p(price);
        f[POSITION] = position;
        System.arraycopy(dense, 0, f, DENSE, dense.length);
        return f;
    }

    /**
     * The order in which an entity's (item's, category's) samples see each other's activity: sample
     * time ({@code closedAt}), then sample id.
     */
    public static <S> Comparator<S> entityOrder(
            ToLongFunction<S> closedAt, Function<S, String> sampleId) {
        return Comparator.comparingLong(closedAt).thenComparing(sampleId);
    }
}
