package dev.counterweight.connectors.dataset;

import dev.counterweight.avro.EventType;
import dev.counterweight.avro.UserEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A seeded, reproducible stream of shop events with Zipf-skewed categories, a configurable click
 * and conversion rate, and purchases that arrive late. Used where the shared real data is absent,
 * and by tests that need a known ground truth.
 */
public final class SyntheticEventGenerator {

    /**
     * Generator settings.
     *
     * @param seed random seed; the same settings give the same events
     * @param exposures number of exposures (each may add a click and a purchase)
     * @param users distinct users
     * @param itemsPerCategory items in each category
     * @param categories distinct categories
     * @param zipfExponent skew of category popularity (0 = uniform)
     * @param ctr click probability of an exposure (category 0; tail categories click more, see
     *     {@code tailLift})
     * @param cvr purchase probability of a clicked exposure
     * @param tailLift multiplier of CTR for the least popular category, interpolated linearly in
     *     popularity rank (1 = no signal in the category)
     * @param startMillis event time of the first exposure
     * @param meanGapMillis mean event-time gap between exposures
     * @param maxClickDelayMillis clicks follow their exposure by up to this much
     * @param maxPurchaseDelayMillis purchases follow their click by up to this much
     * @param cycleKeys when true, exposure {@code i} has category {@code i mod categories} and user
     *     {@code i mod users} instead of a random draw, so {@code min(exposures, categories)}
     *     categories and {@code min(exposures, users)} users are certain to occur (scale benchmarks
     *     that need a known number of distinct keys); {@code zipfExponent} and {@code tailLift}
     *     still shape the click rate by category rank
     */
    public record Config(
            long seed,
            int exposures,
            int users,
            int itemsPerCategory,
            int categories,
            double zipfExponent,
            double ctr,
            double cvr,
            double tailLift,
            long startMillis,
            long meanGapMillis,
            long maxClickDelayMillis,
            long maxPurchaseDelayMillis,
            boolean cycleKeys) {
        public Config {
            if (exposures < 0 || users < 1 || itemsPerCategory < 1 || categories < 1) {
                throw new IllegalArgumentException(
                        "exposures >= 0, users, itemsPerCategory, categories >= 1 required");
            }
            if (!(ctr >= 0 && ctr <= 1) || !(cvr >= 0 && cvr <= 1)) {
                throw new IllegalArgumentException("ctr and cvr must lie in [0, 1]");
            }
            if (tailLift <= 0 || ctr * tailLift > 1) {
                throw new IllegalArgumentException("tailLift must be > 0 with ctr * tailLift <= 1");
            }
        }

        /** Random categories and users (the original 13 settings). */
        public Config(
                long seed,
                int exposures,
                int users,
                int itemsPerCategory,
                int categories,
                double zipfExponent,
                double ctr,
                double cvr,
                double tailLift,
                long startMillis,
                long meanGapMillis,
                long maxClickDelayMillis,
                long maxPurchaseDelayMillis) {
            this(
                    seed,
                    exposures,
                    users,
                    itemsPerCategory,
                    categories,
                    zipfExponent,
                    ctr,
                    cvr,
                    tailLift,
                    startMillis,
                    meanGapMillis,
                    maxClickDelayMillis,
                    maxPurchaseDelayMillis,
                    false);
        }

        /** A small default: 2,000 exposures over 20 Zipf categories. */
        public static Config defaults(long seed) {
            return new Config(
                    seed,
                    2_000,
                    300,
                    40,
                    20,
                    1.1,
                    0.1,
                    0.2,
                    3.0,
                    1_700_000_000_000L,
                    200,
                    30_000,
                    120_000);
        }

        public Config withExposures(int n) {
            return new Config(
                    seed,
                    n,
                    users,
                    itemsPerCategory,
                    categories,
                    zipfExponent,
                    ctr,
                    cvr,
                    tailLift,
                    startMillis,
                    meanGapMillis,
                    maxClickDelayMillis,
                    maxPurchaseDelayMillis,
                    cycleKeys);
        }

        /** The same settings with {@code n} distinct users. */
        public Config withUsers(int n) {
            return new Config(
                    seed,
                    exposures,
                    n,
                    itemsPerCategory,
                    categories,
                    zipfExponent,
                    ctr,
                    cvr,
                    tailLift,
                    startMillis,
                    meanGapMillis,
                    maxClickDelayMillis,
                    maxPurchaseDelayMillis,
                    cycleKeys);
        }

        /** The same settings with {@code n} categories. */
        public Config withCategories(int n) {
            return new Config(
                    seed,
                    exposures,
                    users,
                    itemsPerCategory,
                    n,
                    zipfExponent,
                    ctr,
                    cvr,
                    tailLift,
                    startMillis,
                    meanGapMillis,
                    maxClickDelayMillis,
                    maxPurchaseDelayMillis,
                    cycleKeys);
        }

        /** The same settings with {@code n} items per category. */
        public Config withItemsPerCategory(int n) {
            return new Config(
                    seed,
                    exposures,
                    users,
                    n,
                    categories,
                    zipfExponent,
                    ctr,
                    cvr,
                    tailLift,
                    startMillis,
                    meanGapMillis,
                    maxClickDelayMillis,
                    maxPurchaseDelayMillis,
                    cycleKeys);
        }

        /** The same settings with category popularity skew {@code s} (0 = uniform). */
        public Config withZipfExponent(double s) {
            return new Config(
                    seed,
                    exposures,
                    users,
                    itemsPerCategory,
                    categories,
                    s,
                    ctr,
                    cvr,
                    tailLift,
                    startMillis,
                    meanGapMillis,
                    maxClickDelayMillis,
                    maxPurchaseDelayMillis,
                    cycleKeys);
        }

        /** The same settings with a mean event-time gap of {@code millis} between exposures. */
        public Config withMeanGapMillis(long millis) {
            return new Config(
                    seed,
                    exposures,
                    users,
                    itemsPerCategory,
                    categories,
                    zipfExponent,
                    ctr,
                    cvr,
                    tailLift,
                    startMillis,
                    millis,
                    maxClickDelayMillis,
                    maxPurchaseDelayMillis,
                    cycleKeys);
        }

        /** The same settings with keys cycled ({@code true}) or drawn at random. */
        public Config withCycleKeys(boolean cycle) {
            return new Config(
                    seed,
                    exposures,
                    users,
                    itemsPerCategory,
                    categories,
                    zipfExponent,
                    ctr,
                    cvr,
                    tailLift,
                    startMillis,
                    meanGapMillis,
                    maxClickDelayMillis,
                    maxPurchaseDelayMillis,
                    cycle);
        }
    }

    private SyntheticEventGenerator() {}

    /** All events of the configured stream, sorted by event time (ties by id). */
    public static List<UserEvent> generate(Config config) {
        SplittableRandom random = new SplittableRandom(config.seed());
        Zipf zipf = new Zipf(config.categories(), config.zipfExponent());
        List<UserEvent> events = new ArrayList<>();
        long time = config.startMillis();
        for (int i = 0; i < config.exposures(); i++) {
            time += 1 + (long) (-Math.log(1 - random.nextDouble()) * config.meanGapMillis());
            int category =
                    config.cycleKeys() ? i % config.categories() : zipf.sample(random.nextDouble());
            String user =
                    "su"
                            + (config.cycleKeys()
                                    ? i % config.users()
                                    : random.nextInt(config.users()));
            String item = "si" + category + "-" + random.nextInt(config.itemsPerCategory());
            String cat = "sc" + category;
            String id = "syn-" + i;
            events.add(event(id, user, item, cat, EventType.IMPRESSION, time));
            double rank =
                    config.categories() == 1 ? 0 : category / (double) (config.categories() - 1);
            double ctr = config.ctr() * (1 + (config.tailLift() - 1) * rank);
            if (random.nextDouble() < ctr) {
                long clickTime =
                        time + 1 + random.nextLong(Math.max(1, config.maxClickDelayMillis()));
                events.add(event(id + "-c", user, item, cat, EventType.CLICK, clickTime));
                if (random.nextDouble() < config.cvr()) {
                    long buyTime =
                            clickTime
                                    + 1
                                    + random.nextLong(Math.max(1, config.maxPurchaseDelayMillis()));
                    events.add(event(id + "-p", user, item, cat, EventType.PURCHASE, buyTime));
                }
            }
        }
        events.sort(
                Comparator.comparing(UserEvent::getEventTime).thenComparing(UserEvent::getEventId));
        return events;
    }

    /**
     * A bare event: no request id, position, price or dense features (what this generator emits;
     * tests that hand-build streams use it too).
     */
    public static UserEvent event(
            String id, String user, String item, String category, EventType type, long time) {
        return UserEvent.newBuilder()
                .setEventId(id)
                .setUserId(user)
                .setItemId(item)
                .setCategoryId(category)
                .setType(type)
                .setEventTime(Instant.ofEpochMilli(time))
                .setRequestId(null)
                .setPosition(null)
                .setPrice(null)
                .setFeatures(new ArrayList<>())
                .build();
    }
}
