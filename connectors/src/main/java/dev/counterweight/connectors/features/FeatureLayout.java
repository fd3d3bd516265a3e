package dev.counterweight.connectors.features;

/**
 * The contract between the weighting job and the learner: positions in {@code Sample.features}:
 * decayed activity of the user, the item and the category (exposures, clicks, purchases, smoothed
 * CTR each), then log(1 + price), the position, then the producer's dense features.
 */
public final class FeatureLayout {

    public static final int USER = 0;
    public static final int ITEM = 4;
    public static final int CATEGORY = 8;
    public static final int LOG_PRICE = 12;
    public static final int POSITION = 13;
    public static final int DENSE = 14;

    /** Identifies this layout; the learner refuses samples of another. */
    public static final String FINGERPRINT = "cw1:user4,item4,cat4,logprice,position,dense*";

    private FeatureLayout() {}
}
