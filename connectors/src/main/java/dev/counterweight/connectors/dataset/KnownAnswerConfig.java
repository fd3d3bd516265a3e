package dev.counterweight.connectors.dataset;

import java.util.Objects;

/**
 * Every setting of the {@link KnownAnswerGenerator}: an immutable record that validates in its
 * constructor and names the offending setting in its message. {@link #defaults(long)} is the
 * default configuration of the known-answer experiments (issue 15), fixed before any experiment:
 * 300,000 exposures over 12 h, 20,000 users, 30,000 items, 500 Zipf(1.1) categories, click rate
 * 7.5%, purchase rate among clicks 15%, the tail categories' price response reversed against the
 * head's, exponential purchase delay with mean 15 min, 5% of clicks accidental, no drift. The
 * hidden model's coefficients are documented per field and in {@link KnownAnswerGenerator}.
 *
 * @param seed random seed; the same configuration gives the same stream and truth
 * @param exposures number of exposures (impressions); each may add a click and a purchase
 * @param durationMillis event-time span over which the ranking requests are spread uniformly
 * @param startMillis event time of the span's start (UTC epoch millis)
 * @param users distinct users; each request's user is drawn uniformly
 * @param items distinct items; item {@code i} belongs to category {@code i mod categories}
 * @param categories distinct categories; at most {@code items}
 * @param zipfExponent skew of category popularity: a slot's category has rank {@code k} with
 *     probability proportional to {@code 1/(k+1)^s} (0 = uniform)
 * @param slotsPerRequest exposures per ranking request, at positions {@code 0 .. slots-1}
 * @param clickRate mean true p(click) over the exposures; the click intercept is solved for it
 * @param purchaseRate mean true p(purchase | click) over clicks; the purchase intercept is solved
 *     for it; below {@code 1 - accidentalClickShare}
 * @param accidentalClickShare expected share of clicks that are accidental: every exposure is
 *     clicked by accident with the fixed probability {@code accidentalClickShare * clickRate},
 *     independently of its features; an accidental click never leads to a purchase
 * @param tailFraction share of categories, the least popular by Zipf rank, whose price response is
 *     the tail's
 * @param tailPriceFactor the tail categories' price effects are the head's times this factor (1 =
 *     same response, -1 = reversed)
 * @param clickPriceEffect click-logit effect of one unit of {@code log(1 + price) - priceLogMean}
 *     in head categories
 * @param purchasePriceEffect purchase-logit effect of one unit of {@code log(1 + price) -
 *     priceLogMean} in head categories
 * @param positionEffect click-logit effect of one unit of {@code log(1 + position)}
 * @param clickAffinityEffect click-logit effect of the user-item affinity (dense feature 0)
 * @param purchaseAffinityEffect purchase-logit effect of the user-item affinity
 * @param clickQualityEffect click-logit effect of the item quality (dense feature 1)
 * @param purchaseQualityEffect purchase-logit effect of the item quality
 * @param clickCategorySpread standard deviation of the hidden per-category click-logit effect
 * @param purchaseCategorySpread standard deviation of the hidden per-category purchase-logit effect
 * @param userSpread standard deviation of the hidden per-user click-logit effect (learnable only
 *     from the user's id or history)
 * @param itemSpread standard deviation of the hidden per-item click-logit effect (learnable only
 *     from the item's id or history)
 * @param latentDimensions dimensions of the hidden user and item vectors whose scaled dot product
 *     is the affinity
 * @param priceLogMean mean of the category price levels on the {@code log(1 + price)} scale, and
 *     the centre of the price effect
 * @param categoryPriceSpread standard deviation of the category price levels on the log scale
 * @param itemPriceSpread standard deviation of an item's log price around its category's level
 * @param meanClickDelayMillis mean of the exponential delay from an exposure to its click
 * @param purchaseDelay distribution of the delay from a click to its purchase
 * @param purchaseDelayMeanMillis mean delay from a click to its purchase
 * @param purchaseDelayShape shape of the purchase delay: the log-normal's sigma (ignored by the
 *     exponential)
 * @param driftAt fraction of the event-time span from which the hidden per-category effects (click
 *     and purchase) are drawn anew; {@link #NO_DRIFT} (1) = no drift
 */
public record KnownAnswerConfig(
        long seed,
        int exposures,
        long durationMillis,
        long startMillis,
        int users,
        int items,
        int categories,
        double zipfExponent,
        int slotsPerRequest,
        double clickRate,
        double purchaseRate,
        double accidentalClickShare,
        double tailFraction,
        double tailPriceFactor,
        double clickPriceEffect,
        double purchasePriceEffect,
        double positionEffect,
        double clickAffinityEffect,
        double purchaseAffinityEffect,
        double clickQualityEffect,
        double purchaseQualityEffect,
        double clickCategorySpread,
        double purchaseCategorySpread,
        double userSpread,
        double itemSpread,
        int latentDimensions,
        double priceLogMean,
        double categoryPriceSpread,
        double itemPriceSpread,
        long meanClickDelayMillis,
        DelayDistribution purchaseDelay,
        long purchaseDelayMeanMillis,
        double purchaseDelayShape,
        double driftAt) {

    /** The value of {@link #driftAt} that means no drift. */
    public static final double NO_DRIFT = 1.0;

    /** Distributions of the delay from a click to its purchase. */
    public enum DelayDistribution {
        /** Exponential with the configured mean. */
        EXPONENTIAL,
        /** Log-normal with the configured mean and sigma {@code purchaseDelayShape}. */
        LOG_NORMAL
    }

    public KnownAnswerConfig {
        requirePositive(exposures, "exposures");
        requirePositive(durationMillis, "durationMillis");
        requirePositive(users, "users");
        requirePositive(items, "items");
        requirePositive(categories, "categories");
        requireNonNegative(zipfExponent, "zipfExponent");
        requirePositive(slotsPerRequest, "slotsPerRequest");
        requireIn(clickRate, 0, false, 1, false, "clickRate");
        requireIn(purchaseRate, 0, false, 1, false, "purchaseRate");
        requireIn(accidentalClickShare, 0, true, 1, false, "accidentalClickShare");
        requireIn(tailFraction, 0, true, 1, true, "tailFraction");
        requireFinite(tailPriceFactor, "tailPriceFactor");
        requireFinite(clickPriceEffect, "clickPriceEffect");
        requireFinite(purchasePriceEffect, "purchasePriceEffect");
        requireFinite(positionEffect, "positionEffect");
        requireFinite(clickAffinityEffect, "clickAffinityEffect");
        requireFinite(purchaseAffinityEffect, "purchaseAffinityEffect");
        requireFinite(clickQualityEffect, "clickQualityEffect");
        requireFinite(purchaseQualityEffect, "purchaseQualityEffect");
        requireNonNegative(clickCategorySpread, "clickCategorySpread");
        requireNonNegative(purchaseCategorySpread, "purchaseCategorySpread");
        requireNonNegative(userSpread, "userSpread");
        requireNonNegative(itemSpread, "itemSpread");
        requirePositive(latentDimensions, "latentDimensions");
        requireFinite(priceLogMean, "priceLogMean");
        requireNonNegative(categoryPriceSpread, "categoryPriceSpread");
        requireNonNegative(itemPriceSpread, "itemPriceSpread");
        requireNonNegative(meanClickDelayMillis, "meanClickDelayMillis");
        Objects.requireNonNull(purchaseDelay, "purchaseDelay must not be null");
        requireNonNegative(purchaseDelayMeanMillis, "purchaseDelayMeanMillis");
        requirePositiveFinite(purchaseDelayShape, "purchaseDelayShape");
        requireIn(driftAt, 0, true, 1, true, "driftAt");
        if (categories > items) {
            throw new IllegalArgumentException(
                    "categories must not exceed items (every category needs an item), were "
                            + categories
                            + " and "
                            + items);
        }
        if (purchaseRate >= 1 - accidentalClickShare) {
            throw new IllegalArgumentException(
                    "purchaseRate must lie below 1 - accidentalClickShare (accidental clicks never"
                            + " buy), was "
                            + purchaseRate);
        }
    }

    /** The default configuration with {@code seed}. */
    public static KnownAnswerConfig defaults(long seed) {
        return builder(seed).build();
    }

    /** A builder holding the defaults with {@code seed}. */
    public static Builder builder(long seed) {
        return new Builder(seed);
    }

    /** A builder holding this configuration. */
    public Builder toBuilder() {
        Builder b = new Builder(seed);
        b.exposures = exposures;
        b.durationMillis = durationMillis;
        b.startMillis = startMillis;
        b.users = users;
        b.items = items;
        b.categories = categories;
        b.zipfExponent = zipfExponent;
        b.slotsPerRequest = slotsPerRequest;
        b.clickRate = clickRate;
        b.purchaseRate = purchaseRate;
        b.accidentalClickShare = accidentalClickShare;
        b.tailFraction = tailFraction;
        b.tailPriceFactor = tailPriceFactor;
        b.clickPriceEffect = clickPriceEffect;
        b.purchasePriceEffect = purchasePriceEffect;
        b.positionEffect = positionEffect;
        b.clickAffinityEffect = clickAffinityEffect;
        b.purchaseAffinityEffect = purchaseAffinityEffect;
        b.clickQualityEffect = clickQualityEffect;
        b.purchaseQualityEffect = purchaseQualityEffect;
        b.clickCategorySpread = clickCategorySpread;
        b.purchaseCategorySpread = purchaseCategorySpread;
        b.userSpread = userSpread;
        b.itemSpread = itemSpread;
        b.latentDimensions = latentDimensions;
        b.priceLogMean = priceLogMean;
        b.categoryPriceSpread = categoryPriceSpread;
        b.itemPriceSpread = itemPriceSpread;
        b.meanClickDelayMillis = meanClickDelayMillis;
        b.purchaseDelay = purchaseDelay;
        b.purchaseDelayMeanMillis = purchaseDelayMeanMillis;
        b.purchaseDelayShape = purchaseDelayShape;
        b.driftAt = driftAt;
        return b;
    }

    /** The click probability of an accidental click, the same for every exposure. */
    public double accidentalClickProbability() {
        return accidentalClickShare * clickRate;
    }

    /** Mutable holder of the settings; {@link #build()} validates. */
    public static final class Builder {
        private long seed;
        private int exposures = 300_000;
        private long durationMillis = 12L * 60 * 60 * 1000;
        private long startMillis = 1_700_000_000_000L;
        private int users = 20_000;
        private int items = 30_000;
        private int categories = 500;
        private double zipfExponent = 1.1;
        private int slotsPerRequest = 10;
        private double clickRate = 0.075;
        private double purchaseRate = 0.15;
        private double accidentalClickShare = 0.05;
        private double tailFraction = 0.8;
        private double tailPriceFactor = -1.0;
        private double clickPriceEffect = -0.6;
        private double purchasePriceEffect = -0.8;
        private double positionEffect = -0.4;
        private double clickAffinityEffect = 1.0;
        private double purchaseAffinityEffect = 0.5;
        private double clickQualityEffect = 0.5;
        private double purchaseQualityEffect = 0.5;
        private double clickCategorySpread = 0.5;
        private double purchaseCategorySpread = 0.3;
        private double userSpread = 0.3;
        private double itemSpread = 0.3;
        private int latentDimensions = 4;
        private double priceLogMean = 3.0;
        private double categoryPriceSpread = 0.7;
        private double itemPriceSpread = 0.5;
        private long meanClickDelayMillis = 30_000L;
        private DelayDistribution purchaseDelay = DelayDistribution.EXPONENTIAL;
        private long purchaseDelayMeanMillis = 15L * 60 * 1000;
        private double purchaseDelayShape = 1.0;
        private double driftAt = NO_DRIFT;

        private Builder(long seed) {
            this.seed = seed;
        }

        /** Sets {@link KnownAnswerConfig#seed()}. */
        public Builder seed(long value) {
            this.seed = value;
            return this;
        }

        /** Sets {@link KnownAnswerConfig#exposures()}. */
        public Builder exposures(int value) {
            this.exposures = value;
            return this;
        }

        /** Sets {@link KnownAnswerConfig#durationMillis()}. */
        public Builder durationMillis(long value) {
            this.durationMillis = value;
            return this;
        }

        /** Sets {@link KnownAnswerConfig#startMillis()}. */
        public Builder startMillis(long value) {
            this.startMillis = value;
            return this;
        }

        /** Sets {@link KnownAnswerConfig#users()}. */
        public Builder users(int value) {
            this.users = value;
            return this;
        }

        /** Sets {@link KnownAnswerConfig#items()}. */
        public Builder items(int value) {
            this.items = value;
            return this;
        }

        /** Sets {@link KnownAnswerConfig#categories()}. */
        public Builder categories(int value) {
            this.categories = value;
            return this;
        }

        /** Sets {@link KnownAnswerConfig#zipfExponent()}. */
        public Builder zipfExponent(double value) {
            this.zipfExponent = value;
            return this;
        }

        /** Sets {@link KnownAnswerConfig#slotsPerRequest()}. */
        public Builder slotsPerRequest(int value) {
            this.slotsPerRequest = value;
            return this;
        }

        /** Sets {@link KnownAnswerConfig#clickRate()}. */
        public Builder clickRate(double value) {
            this.clickRate = value;
            return this;
        }

        /** Sets {@link KnownAnswerConfig#purchaseRate()}. */
        public Builder purchaseRate(double value) {
            this.purchaseRate = value;
            return this;
        }

        /** Sets {@link KnownAnswerConfig#accidentalClickShare()}. */
        public Builder accidentalClickShare(double value) {
            this.accidentalClickShare = value;
            return this;
        }

        /** Sets {@link KnownAnswerConfig#tailFraction()}. */
        public Builder tailFraction(double value) {
            this.tailFraction = value;
            return this;
        }

        /** Sets {@link KnownAnswerConfig#tailPriceFactor()}. */
        public Builder tailPriceFactor(double value) {
            this.tailPriceFactor = value;
            return this;
        }

        /** Sets {@link KnownAnswerConfig#clickPriceEffect()}. */
        public Builder clickPriceEffect(double value) {
            this.clickPriceEffect = value;
            return this;
        }

        /** Sets {@link KnownAnswerConfig#purchasePriceEffect()}. */
        public Builder purchasePriceEffect(double value) {
            this.purchasePriceEffect = value;
            return this;
        }

        /** Sets {@link KnownAnswerConfig#positionEffect()}. */
        public Builder positionEffect(double value) {
            this.positionEffect = value;
            return this;
        }

        /** Sets {@link KnownAnswerConfig#clickAffinityEffect()}. */
        public Builder clickAffinityEffect(double value) {
            this.clickAffinityEffect = value;
            return this;
        }

        /** Sets {@link KnownAnswerConfig#purchaseAffinityEffect()}. */
        public Builder purchaseAffinityEffect(double value) {
            this.purchaseAffinityEffect = value;
            return this;
        }

        /** Sets {@link KnownAnswerConfig#clickQualityEffect()}. */
        public Builder clickQualityEffect(double value) {
            this.clickQualityEffect = value;
            return this;
        }

        /** Sets {@link KnownAnswerConfig#purchaseQualityEffect()}. */
        public Builder purchaseQualityEffect(double value) {
            this.purchaseQualityEffect = value;
            return this;
        }

        /** Sets {@link KnownAnswerConfig#clickCategorySpread()}. */
        public Builder clickCategorySpread(double value) {
            this.clickCategorySpread = value;
            return this;
        }

        /** Sets {@link KnownAnswerConfig#purchaseCategorySpread()}. */
        public Builder purchaseCategorySpread(double value) {
            this.purchaseCategorySpread = value;
            return this;
        }

        /** Sets {@link KnownAnswerConfig#userSpread()}. */
        public Builder userSpread(double value) {
            this.userSpread = value;
            return this;
        }

        /** Sets {@link KnownAnswerConfig#itemSpread()}. */
        public Builder itemSpread(double value) {
            this.itemSpread = value;
            return this;
        }

        /** Sets {@link KnownAnswerConfig#latentDimensions()}. */
        public Builder latentDimensions(int value) {
            this.latentDimensions = value;
            return this;
        }

        /** Sets {@link KnownAnswerConfig#priceLogMean()}. */
        public Builder priceLogMean(double value) {
            this.priceLogMean = value;
            return this;
        }

        /** Sets {@link KnownAnswerConfig#categoryPriceSpread()}. */
        public Builder categoryPriceSpread(double value) {
            this.categoryPriceSpread = value;
            return this;
        }

        /** Sets {@link KnownAnswerConfig#itemPriceSpread()}. */
        public Builder itemPriceSpread(double value) {
            this.itemPriceSpread = value;
            return this;
        }

        /** Sets {@link KnownAnswerConfig#meanClickDelayMillis()}. */
        public Builder meanClickDelayMillis(long value) {
            this.meanClickDelayMillis = value;
            return this;
        }

        /** Sets {@link KnownAnswerConfig#purchaseDelay()}. */
        public Builder purchaseDelay(DelayDistribution value) {
            this.purchaseDelay = value;
            return this;
        }

        /** Sets {@link KnownAnswerConfig#purchaseDelayMeanMillis()}. */
        public Builder purchaseDelayMeanMillis(long value) {
            this.purchaseDelayMeanMillis = value;
            return this;
        }

        /** Sets {@link KnownAnswerConfig#purchaseDelayShape()}. */
        public Builder purchaseDelayShape(double value) {
            this.purchaseDelayShape = value;
            return this;
        }

        /** Sets {@link KnownAnswerConfig#driftAt()}. */
        public Builder driftAt(double value) {
            this.driftAt = value;
            return this;
        }

        /**
         * The configuration.
         *
         * @throws IllegalArgumentException naming the first invalid setting
         */
        public KnownAnswerConfig build() {
            return new KnownAnswerConfig(
                    seed,
                    exposures,
                    durationMillis,
                    startMillis,
                    users,
                    items,
                    categories,
                    zipfExponent,
                    slotsPerRequest,
                    clickRate,
                    purchaseRate,
                    accidentalClickShare,
                    tailFraction,
                    tailPriceFactor,
                    clickPriceEffect,
                    purchasePriceEffect,
                    positionEffect,
                    clickAffinityEffect,
                    purchaseAffinityEffect,
                    clickQualityEffect,
                    purchaseQualityEffect,
                    clickCategorySpread,
                    purchaseCategorySpread,
                    userSpread,
                    itemSpread,
                    latentDimensions,
                    priceLogMean,
                    categoryPriceSpread,
                    itemPriceSpread,
                    meanClickDelayMillis,
                    purchaseDelay,
                    purchaseDelayMeanMillis,
                    purchaseDelayShape,
                    driftAt);
        }
    }

    private static void requirePositive(long value, String name) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }

    private static void requireNonNegative(double value, String name) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(
                    name + " must be finite and non-negative, was " + value);
        }
    }

    private static void requirePositiveFinite(double value, String name) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(name + " must be finite and positive, was " + value);
        }
    }

    private static void requireFinite(double value, String name) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException(name + " must be finite, was " + value);
        }
    }

    private static void requireIn(
            double value,
            double low,
            boolean lowIncluded,
            double high,
            boolean highIncluded,
            String name) {
        boolean ok =
                (lowIncluded ? value >= low : value > low)
                        && (highIncluded ? value <= high : value < high);
        if (!ok) {
            throw new IllegalArgumentException(
                    name
                            + " must lie in "
                            + (lowIncluded ? "[" : "(")
                            + low
                            + ", "
                            + high
                            + (highIncluded ? "]" : ")")
                            + ", was "
                            + value);
        }
    }
}
