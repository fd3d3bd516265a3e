package dev.counterweight.connectors.features;

import dev.counterweight.core.features.SampleFeatures;

/**
 * The contract between the weighting job and the learner: positions in {@code Sample.features}:
 * decayed activity of the user, the item and the category (exposures, clicks, purchases, smoothed
 * CTR each), then log(1 + price), the position, then the producer's dense features. The positions
 * are core's {@link SampleFeatures} (which assembles the vector); this class adds the fingerprint.
 */
public final class FeatureLayout {

    public static final int USER = SampleFeatures.USER;
    public static final int ITEM = SampleFeatures.ITEM;
    public static final int CATEGORY = SampleFeatures.CATEGORY;
    public static final int LOG_PRICE = SampleFeatures.LOG_PRICE;
    public static final int POSITION = SampleFeatures.POSITION;
    public static final int DENSE = SampleFeatures.DENSE;

    /** Identifies this layout; the learner refuses samples of another. */
    public static final String FINGERPRINT = "cw1:user4,item4,cat4,logprice,position,dense*";

    private FeatureLayout() {}
}
