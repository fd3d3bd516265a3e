package dev.counterweight.connectors.dataset;

import dev.counterweight.avro.EventType;
import dev.counterweight.avro.UserEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A seeded stream of impressions, clicks and purchases whose true probabilities are known: a hidden
 * ground-truth model draws every label, and the model's probabilities are returned beside the
 * events (for a side file, {@link KnownAnswerTruthFile}), never inside them. Evaluation joins on
 * the exposure's event id to compute the ceiling (the AUC of the true probabilities).
 *
 * <h2>The world</h2>
 *
 * <p>All settings are fields of {@link KnownAnswerConfig}. Categories have Zipf popularity by rank
 * ({@code kc0} the most popular); item {@code i} belongs to category {@code i mod categories}.
 * Hidden per entity: a category click effect and purchase effect (normal, sd {@code
 * clickCategorySpread}, {@code purchaseCategorySpread}) and a price level ({@code priceLogMean +
 * N(0, categoryPriceSpread)} on the log scale); a user's and an item's click effect (sd {@code
 * userSpread}, {@code itemSpread}) and latent vectors {@code x_u, y_i ~ N(0, I_d)}; an item's
 * quality {@code q ~ N(0, 1)} and price {@code exp(level + N(0, itemPriceSpread))}, in cents.
 *
 * <h2>The exposures</h2>
 *
 * <p>{@code ceil(exposures / slotsPerRequest)} ranking requests at uniform random times over the
 * span, each by a uniform random user, show {@code slotsPerRequest} distinct items at positions
 * {@code 0, 1, ...}: each slot's category is a Zipf draw, its item uniform in the category. An
 * exposure is an {@code IMPRESSION} with the request id, position, price and two dense features:
 * {@link #AFFINITY} {@code a = x_u·y_i / sqrt(d)} (a producer's relevance score) and {@link
 * #QUALITY} {@code q}. So {@code FeatureLayout}'s log price, position and dense slots carry every
 * input of the truth except the hidden per-id effects, which a model can learn from ids or from the
 * entities' activity.
 *
 * <h2>The truth</h2>
 *
 * <p>With {@code z = log(1 + price) − priceLogMean} and the price effects multiplied by {@code
 * tailPriceFactor} in tail categories (the least popular {@code tailFraction} of ranks):
 *
 * <pre>
 * intent   = σ(α + cat_click + user + item + clickAffinityEffect·a + clickQualityEffect·q
 *              + clickPriceEffect·z + positionEffect·log(1 + position))
 * buy      = σ(γ + cat_purchase + purchaseAffinityEffect·a + purchaseQualityEffect·q
 *              + purchasePriceEffect·z)
 * p(click) = ε + (1 − ε)·intent                      ε = accidentalClickShare · clickRate
 * p(purchase | click) = (1 − ε)·intent·buy / p(click)
 * </pre>
 *
 * <p>An exposure is clicked by accident with probability {@code ε}, whatever its features;
 * otherwise it is clicked with probability {@code intent}, and an intended click is bought with
 * probability {@code buy}; an accidental click never buys. The intercepts {@code α} and {@code γ}
 * are solved (bisection) on the drawn exposures so that the mean of {@code p(click)} is {@code
 * clickRate} and the click-weighted mean of {@code p(purchase | click)} is {@code purchaseRate}.
 * From the drift point on (if any), the category effects are those of a second, independent draw.
 *
 * <h2>Times and ids</h2>
 *
 * <p>A click follows its exposure by an exponential delay (mean {@code meanClickDelayMillis}), a
 * purchase its click by a {@code purchaseDelay} draw (at least 1 ms each), so some purchases fall
 * beyond an attribution window. Exposure {@code n} (in time order) has event id {@code ka-n}, its
 * click {@code ka-n-c} and its purchase {@code ka-n-p} ({@link #clickId}, {@link #purchaseId});
 * users are {@code ku…}, items {@code ki…}, categories {@code kc<rank>}, requests {@code kr…}. The
 * same configuration gives the same events and truths; the world (categories, users, items) depends
 * only on the seed and the world's sizes, not on the number of exposures.
 */
public final class KnownAnswerGenerator {

    /** Index of the user-item affinity in an exposure's dense features. */
    public static final int AFFINITY = 0;

    /** Index of the item quality in an exposure's dense features. */
    public static final int QUALITY = 1;

    /** Number of dense features of an exposure. */
    public static final int DENSE_FEATURES = 2;

    private static final int MAX_ITEM_DRAWS = 64;

    /**
     * The truth of one exposure.
     *
     * @param eventId the exposure's event id
     * @param pClick the true probability that the exposure is clicked
     * @param pPurchaseGivenClick the true probability of a purchase once it is clicked
     * @param accidentalClick whether the draw made it an accidental click (hidden; never in the
     *     events)
     */
    public record ExposureTruth(
            String eventId, double pClick, double pPurchaseGivenClick, boolean accidentalClick) {
        public ExposureTruth {
            Objects.requireNonNull(eventId, "eventId must not be null");
            if (!(pClick >= 0 && pClick <= 1)
                    || !(pPurchaseGivenClick >= 0 && pPurchaseGivenClick <= 1)) {
                throw new IllegalArgumentException(
                        "probabilities of " + eventId + " must lie in [0, 1]");
            }
        }

        /** The true probability of a purchase, {@code pClick · pPurchaseGivenClick}. */
        public double pPurchase() {
            return pClick * pPurchaseGivenClick;
        }
    }

    /**
     * A generated stream.
     *
     * @param config the configuration that made it
     * @param events impressions, clicks and purchases, sorted by event time, ties by event id
     * @param truths one per exposure, in exposure order ({@code ka-0, ka-1, ...})
     */
    public record Generated(
            KnownAnswerConfig config, List<UserEvent> events, List<ExposureTruth> truths) {
        public Generated {
            events = List.copyOf(events);
            truths = List.copyOf(truths);
        }
    }

    private KnownAnswerGenerator() {}

    /** The event id of exposure {@code index}. */
    public static String exposureId(int index) {
        return "ka-" + index;
    }

    /** The event id of the click on an exposure. */
    public static String clickId(String exposureId) {
        return exposureId + "-c";
    }

    /** The event id of the purchase after a click on an exposure. */
    public static String purchaseId(String exposureId) {
        return exposureId + "-p";
    }

    /** The category id of popularity rank {@code rank} (0 = most popular). */
    public static String categoryId(int rank) {
        return "kc" + rank;
    }

    /** Whether the category of popularity {@code rank} responds as the tail does. */
    public static boolean isTailCategory(KnownAnswerConfig config, int rank) {
        return rank >= firstTailRank(config);
    }

    private static int firstTailRank(KnownAnswerConfig config) {
        return config.categories() - (int) Math.round(config.tailFraction() * config.categories());
    }

    /** Generates the stream of {@code config}. */
    public static Generated generate(KnownAnswerConfig config) {
        SplittableRandom root = new SplittableRandom(config.seed());
        World world = new World(config, root.split(), root.split());
        SplittableRandom requestRandom = root.split();
        SplittableRandom labelRandom = root.split();

        int n = config.exposures();
        Exposures x = new Exposures(n);
        draw(config, world, requestRandom, x);

        double epsilon = config.accidentalClickProbability();
        double alpha =
                solveIntercept(x.clickRest, null, (config.clickRate() - epsilon) / (1 - epsilon));
        double[] intent = new double[n];
        double intentSum = 0;
        double clickSum = 0;
        for (int i = 0; i < n; i++) {
            intent[i] = sigmoid(alpha + x.clickRest[i]);
            intentSum += intent[i];
            clickSum += epsilon + (1 - epsilon) * intent[i];
        }
        // Click-weighted mean of p(purchase | click) = (1 − ε) Σ intent·buy / Σ p(click).
        double buyTarget = config.purchaseRate() * clickSum / ((1 - epsilon) * intentSum);
        double gamma = solveIntercept(x.buyRest, intent, buyTarget);

        List<UserEvent> events = new ArrayList<>(n + n / 8);
        List<ExposureTruth> truths = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            double pClick = epsilon + (1 - epsilon) * intent[i];
            double buy = sigmoid(gamma + x.buyRest[i]);
            double pBuy = Math.min(1, (1 - epsilon) * intent[i] * buy / pClick);
            // Every exposure makes the same draws whatever its outcome.
            boolean accidental = labelRandom.nextDouble() < epsilon;
            boolean intended = labelRandom.nextDouble() < intent[i];
            boolean bought = labelRandom.nextDouble() < buy;
            long clickDelay = exponential(labelRandom, config.meanClickDelayMillis());
            long buyDelay = purchaseDelay(labelRandom, config);
            boolean clicked = accidental || intended;
            boolean purchased = clicked && !accidental && bought;

            String id = exposureId(i);
            truths.add(new ExposureTruth(id, pClick, pBuy, accidental));
            events.add(event(x, i, id, EventType.IMPRESSION, x.time[i], true));
            if (clicked) {
                long clickTime = x.time[i] + Math.max(1, clickDelay);
                events.add(event(x, i, clickId(id), EventType.CLICK, clickTime, false));
                if (purchased) {
                    long buyTime = clickTime + Math.max(1, buyDelay);
                    events.add(event(x, i, purchaseId(id), EventType.PURCHASE, buyTime, false));
                }
            }
        }
        events.sort(
                Comparator.comparing(UserEvent::getEventTime).thenComparing(UserEvent::getEventId));
        return new Generated(config, events, truths);
    }

    /** The hidden entities: categories, users, items. */
    private static final class World {
        final double[] categoryClick;
        final double[] categoryBuy;
        final double[] driftClick;
        final double[] driftBuy;
        final double[] priceEffect;
        final double[] buyPriceEffect;
        final double[][] userVector;
        final double[] userEffect;
        final double[][] itemVector;
        final double[] itemEffect;
        final double[] itemQuality;
        final double[] itemPrice;

        World(KnownAnswerConfig c, SplittableRandom random, SplittableRandom driftRandom) {
            int categories = c.categories();
            categoryClick = normals(random, categories, c.clickCategorySpread());
            categoryBuy = normals(random, categories, c.purchaseCategorySpread());
            double[] priceLevel = normals(random, categories, c.categoryPriceSpread());
            priceEffect = new double[categories];
            buyPriceEffect = new double[categories];
            for (int k = 0; k < categories; k++) {
                priceLevel[k] += c.priceLogMean();
                double factor = isTailCategory(c, k) ? c.tailPriceFactor() : 1;
                priceEffect[k] = factor * c.clickPriceEffect();
                buyPriceEffect[k] = factor * c.purchasePriceEffect();
            }
            userVector = new double[c.users()][];
            for (int u = 0; u < c.users(); u++) {
                userVector[u] = normals(random, c.latentDimensions(), 1);
            }
            userEffect = normals(random, c.users(), c.userSpread());
            itemVector = new double[c.items()][];
            for (int i = 0; i < c.items(); i++) {
                itemVector[i] = normals(random, c.latentDimensions(), 1);
            }
            itemEffect = normals(random, c.items(), c.itemSpread());
            itemQuality = normals(random, c.items(), 1);
            itemPrice = new double[c.items()];
            for (int i = 0; i < c.items(); i++) {
                double logPrice =
                        priceLevel[i % categories] + c.itemPriceSpread() * random.nextGaussian();
                // log(1 + price) is the scale of the truth and of FeatureLayout.LOG_PRICE.
                itemPrice[i] = Math.max(0.01, Math.round(Math.expm1(logPrice) * 100) / 100.0);
            }
            driftClick = normals(driftRandom, categories, c.clickCategorySpread());
            driftBuy = normals(driftRandom, categories, c.purchaseCategorySpread());
        }
    }

    /** The exposures in time order, column by column. */
    private static final class Exposures {
        final long[] time;
        final int[] request;
        final int[] position;
        final int[] user;
        final int[] item;
        final int[] category;
        final float[] affinity;
        final float[] quality;
        final double[] price;
        final double[] clickRest;
        final double[] buyRest;

        Exposures(int n) {
            time = new long[n];
            request = new int[n];
            position = new int[n];
            user = new int[n];
            item = new int[n];
            category = new int[n];
            affinity = new float[n];
            quality = new float[n];
            price = new double[n];
            clickRest = new double[n];
            buyRest = new double[n];
        }
    }

    private static void draw(KnownAnswerConfig c, World w, SplittableRandom random, Exposures x) {
        int n = c.exposures();
        int slots = c.slotsPerRequest();
        int requests = (n + slots - 1) / slots;
        long[] requestTimes = new long[requests];
        for (int r = 0; r < requests; r++) {
            requestTimes[r] = c.startMillis() + (long) (random.nextDouble() * c.durationMillis());
        }
        Arrays.sort(requestTimes);
        long driftTime =
                c.driftAt() >= KnownAnswerConfig.NO_DRIFT
                        ? Long.MAX_VALUE
                        : c.startMillis() + (long) Math.ceil(c.driftAt() * c.durationMillis());
        Zipf zipf = new Zipf(c.categories(), c.zipfExponent());
        double scale = 1 / Math.sqrt(c.latentDimensions());
        int[] shown = new int[slots];
        int i = 0;
        for (int r = 0; r < requests; r++) {
            int user = random.nextInt(c.users());
            int inRequest = Math.min(slots, n - i);
            for (int s = 0; s < inRequest; s++, i++) {
                int category;
                int item;
                do {
                    category = zipf.sample(random.nextDouble());
                    item = distinctItem(c, category, shown, s, random);
                } while (item < 0);
                shown[s] = item;
                x.time[i] = requestTimes[r];
                x.request[i] = r;
                x.position[i] = s;
                x.user[i] = user;
                x.item[i] = item;
                x.category[i] = category;
                x.affinity[i] = (float) (scale * dot(w.userVector[user], w.itemVector[item]));
                x.quality[i] = (float) w.itemQuality[item];
                x.price[i] = w.itemPrice[item];
                boolean drifted = x.time[i] >= driftTime;
                double z = Math.log1p(x.price[i]) - c.priceLogMean();
                // The truth reads the features as the events carry them (floats).
                double a = x.affinity[i];
                double q = x.quality[i];
                x.clickRest[i] =
                        (drifted ? w.driftClick : w.categoryClick)[category]
                                + w.userEffect[user]
                                + w.itemEffect[item]
                                + c.clickAffinityEffect() * a
                                + c.clickQualityEffect() * q
                                + w.priceEffect[category] * z
                                + c.positionEffect() * Math.log1p(s);
                x.buyRest[i] =
                        (drifted ? w.driftBuy : w.categoryBuy)[category]
                                + c.purchaseAffinityEffect() * a
                                + c.purchaseQualityEffect() * q
                                + w.buyPriceEffect[category] * z;
            }
        }
    }

    /**
     * A uniform item of {@code category} not among {@code shown[0, count)}, or -1 if repeated draws
     * find none (a category with fewer items than the request shows of it).
     */
    private static int distinctItem(
            KnownAnswerConfig c, int category, int[] shown, int count, SplittableRandom random) {
        int inCategory = (c.items() - category + c.categories() - 1) / c.categories();
        for (int attempt = 0; attempt < MAX_ITEM_DRAWS; attempt++) {
            int item = category + c.categories() * random.nextInt(inCategory);
            boolean repeated = false;
            for (int j = 0; j < count && !repeated; j++) {
                repeated = shown[j] == item;
            }
            if (!repeated) {
                return item;
            }
        }
        return -1;
    }

    private static UserEvent event(
            Exposures x, int i, String id, EventType type, long time, boolean exposure) {
        List<Float> features = new ArrayList<>(exposure ? DENSE_FEATURES : 0);
        if (exposure) {
            features.add(x.affinity[i]);
            features.add(x.quality[i]);
        }
        return UserEvent.newBuilder()
                .setEventId(id)
                .setUserId("ku" + x.user[i])
                .setItemId("ki" + x.item[i])
                .setCategoryId(categoryId(x.category[i]))
                .setType(type)
                .setEventTime(Instant.ofEpochMilli(time))
                .setRequestId("kr" + x.request[i])
                .setPosition(x.position[i])
                .setPrice(x.price[i])
                .setFeatures(features)
                .build();
    }

    /**
     * The intercept {@code b} with {@code Σ w·σ(b + rest) / Σ w = target} ({@code w = 1} when
     * {@code weights} is null), by bisection; the left side increases with {@code b}.
     */
    static double solveIntercept(double[] rest, double[] weights, double target) {
        double lo = -60;
        double hi = 60;
        for (int iteration = 0; iteration < 100; iteration++) {
            double mid = (lo + hi) / 2;
            double sum = 0;
            double total = 0;
            for (int i = 0; i < rest.length; i++) {
                double w = weights == null ? 1 : weights[i];
                sum += w * sigmoid(mid + rest[i]);
                total += w;
            }
            if (sum / total < target) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return (lo + hi) / 2;
    }

    private static long exponential(SplittableRandom random, long mean) {
        return Math.round(-mean * Math.log(1 - random.nextDouble()));
    }

    private static long purchaseDelay(SplittableRandom random, KnownAnswerConfig c) {
        double mean = c.purchaseDelayMeanMillis();
        return switch (c.purchaseDelay()) {
            case EXPONENTIAL -> Math.round(-mean * Math.log(1 - random.nextDouble()));
            case LOG_NORMAL -> {
                double sigma = c.purchaseDelayShape();
                // E[exp(μ + σZ)] = exp(μ + σ²/2) = mean.
                double mu = Math.log(mean) - sigma * sigma / 2;
                yield Math.round(Math.exp(mu + sigma * random.nextGaussian()));
            }
        };
    }

    private static double[] normals(SplittableRandom random, int n, double sd) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = sd * random.nextGaussian();
        }
        return out;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int k = 0; k < a.length; k++) {
            s += a[k] * b[k];
        }
        return s;
    }

    private static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }
}
