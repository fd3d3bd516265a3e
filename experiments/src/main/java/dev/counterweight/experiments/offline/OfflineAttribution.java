package dev.counterweight.experiments.offline;

import dev.counterweight.avro.UserEvent;
import dev.counterweight.connectors.events.UserEvents;
import dev.counterweight.connectors.features.FeatureLayout;
import dev.counterweight.core.attribution.Action;
import dev.counterweight.core.attribution.AttributionRules;
import dev.counterweight.core.attribution.ClassKeyMode;
import dev.counterweight.core.attribution.EventOrder;
import dev.counterweight.core.attribution.ExposureWindow;
import dev.counterweight.core.decay.HalfLife;
import dev.counterweight.core.defaults.PipelineDefaults;
import dev.counterweight.core.features.ActivityCounts;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The weighting job's attribution and feature steps, run offline over a list of events: core's
 * {@link ExposureWindow} per (user, request, item), windows closed in event-time order once time
 * passes their end (events at the closing instant first, as the job's timers do), corrections for
 * purchases inside the correction horizon, then the user, item and category {@link ActivityCounts}
 * features in sample-time order. Used by {@code demo} and {@code quality}; the job itself stays the
 * reference.
 */
public final class OfflineAttribution {

    /**
     * Rules and feature settings.
     *
     * @param rules attribution window and correction horizon
     * @param featureHalfLife half-life of the activity features
     * @param priorClicks Beta-prior clicks of the smoothed CTR features
     * @param priorExposures Beta-prior exposures of the smoothed CTR features
     */
    public record Settings(
            AttributionRules rules,
            HalfLife featureHalfLife,
            double priorClicks,
            double priorExposures) {

        /** The weighting job's defaults. */
        public static Settings jobDefaults() {
            return new Settings(
                    new AttributionRules(
                            PipelineDefaults.ATTRIBUTION_WINDOW.toMillis(),
                            PipelineDefaults.CORRECTION_HORIZON.toMillis()),
                    HalfLife.of(PipelineDefaults.FEATURE_HALF_LIFE),
                    PipelineDefaults.CTR_PRIOR_CLICKS,
                    PipelineDefaults.CTR_PRIOR_EXPOSURES);
        }

        /** The job's feature defaults with other attribution rules. */
        public Settings withRules(AttributionRules other) {
            return new Settings(other, featureHalfLife, priorClicks, priorExposures);
        }
    }

    /**
     * One attributed sample, before class weighting: what the job's stamping step receives.
     *
     * @param features laid out as {@link FeatureLayout} says
     */
    public record AttributedSample(
            String sampleId,
            String userId,
            String itemId,
            String categoryId,
            String requestId,
            long exposureTime,
            long closedAt,
            boolean click,
            boolean conversion,
            boolean correction,
            float[] features) {

        /** The sample's class key, with the item popularity the job uses. */
        public String classKey(ClassKeyMode mode) {
            return mode.keyOf(categoryId, click, conversion, features[FeatureLayout.ITEM]);
        }
    }

    private static final class Pending {
        final UserEvent exposure;
        final ExposureWindow window;

        Pending(UserEvent exposure) {
            this.exposure = exposure;
            this.window = ExposureWindow.open(exposure.getEventTime().toEpochMilli());
        }
    }

    private OfflineAttribution() {}

    /**
     * Attributes labels and computes features.
     *
     * @param events the events, in any order (sorted here in the job's {@link EventOrder})
     * @param settings rules and feature settings
     * @return the samples in sample-time ({@code closedAt}, then sample id) order
     */
    public static List<AttributedSample> attribute(List<UserEvent> events, Settings settings) {
        AttributionRules rules = settings.rules();
        List<UserEvent> sorted = new ArrayList<>(events);
        sorted.sort(UserEvents.ORDER);
        Map<String, Pending> pending = new HashMap<>();
        PriorityQueue<Pending> closing =
                new PriorityQueue<>(
                        Comparator.comparingLong((Pending p) -> p.window.closesAt(rules))
                                .thenComparing(p -> p.exposure.getEventId()));
        List<Raw> raw = new ArrayList<>();
        for (UserEvent e : sorted) {
            long t = e.getEventTime().toEpochMilli();
            while (!closing.isEmpty() && closing.peek().window.closesAt(rules) < t) {
                close(closing.poll(), rules, raw);
            }
            String key = UserEvents.userAttributionKey(e);
            Action action = UserEvents.actionOf(e);
            Pending p = pending.get(key);
            if (p == null) {
                if (action == Action.EXPOSURE) {
                    open(key, e, pending, closing);
                }
                continue;
            }
            switch (p.window.apply(action, t, rules)) {
                case NEW_EXPOSURE -> open(key, e, pending, closing);
                case CORRECTION -> raw.add(new Raw(p, t, true, true, true));
                default -> {}
            }
        }
        while (!closing.isEmpty()) {
            close(closing.poll(), rules, raw);
        }
        // User features in emission order, as the job's attribution step computes them when it
        // emits (at one time: corrections of that time's purchases, then closes by exposure id);
        // item and category features in sample-time order, as the job's feature steps do.
        Map<Raw, float[]> userFeatures = userFeatures(raw, settings);
        raw.sort(Comparator.comparingLong(Raw::closedAt).thenComparing(Raw::sampleId));
        return withFeatures(raw, userFeatures, settings);
    }

    /**
     * The samples whose attribution window closed while there was still data: drops every sample
     * that closes after {@code lastEventTime}. At the end of its input the job (and {@link
     * #attribute}) closes every open window, but the data never showed what happened in the part of
     * such a window after its last event, so their labels are censored: a click or a purchase there
     * could not be seen. An evaluation that keeps them scores the model against missing labels,
     * most of all in a tail split by time, which consists of such samples.
     *
     * <p>Samples are emitted and their features computed in closing order, so a dropped sample
     * never fed a kept sample's features: filtering after attribution is exact.
     *
     * @param samples samples from {@link #attribute}
     * @param lastEventTime event time of the last event of the input, epoch milliseconds
     * @return the samples with {@code closedAt <= lastEventTime}, in their order
     */
    public static List<AttributedSample> completeWindows(
            List<AttributedSample> samples, long lastEventTime) {
        List<AttributedSample> out = new ArrayList<>(samples.size());
        for (AttributedSample s : samples) {
            if (s.closedAt() <= lastEventTime) {
                out.add(s);
            }
        }
        return out;
    }

    /** The newest event time of {@code events}, epoch milliseconds. */
    public static long lastEventTime(List<UserEvent> events) {
        if (events.isEmpty()) {
            throw new IllegalArgumentException("events must not be empty");
        }
        long last = Long.MIN_VALUE;
        for (UserEvent e : events) {
            last = Math.max(last, e.getEventTime().toEpochMilli());
        }
        return last;
    }

    /** Samples per class key (the counts the job's class-count step would see in total). */
    public static Map<String, Double> classCounts(
            List<AttributedSample> samples, ClassKeyMode mode) {
        Map<String, Double> counts = new HashMap<>();
        for (AttributedSample s : samples) {
            counts.merge(s.classKey(mode), 1.0, Double::sum);
        }
        return counts;
    }

    // A sample's labels are frozen when it is emitted (close() may set the conversion afterwards).
    private record Raw(
            Pending pending,
            long closedAt,
            boolean correction,
            boolean clickLabel,
            boolean conversionLabel) {
        String sampleId() {
            String id = pending.exposure.getEventId();
            return correction ? id + "#correction" : id;
        }
    }

    private static void open(
            String key, UserEvent e, Map<String, Pending> pending, PriorityQueue<Pending> closing) {
        Pending p = new Pending(e);
        pending.put(key, p);
        closing.add(p);
    }

    private static void close(Pending p, AttributionRules rules, List<Raw> out) {
        out.add(new Raw(p, p.window.closesAt(rules), false, p.window.clicked, p.window.converted));
        if (p.window.close()) {
            out.add(new Raw(p, p.window.latePurchaseTime, true, true, true));
        }
    }

    private static Map<Raw, float[]> userFeatures(List<Raw> raw, Settings settings) {
        HalfLife h = settings.featureHalfLife();
        Map<String, ActivityCounts> users = new HashMap<>();
        Map<Raw, float[]> out = new IdentityHashMap<>();
        for (Raw r : raw) {
            ActivityCounts counts =
                    users.computeIfAbsent(
                            r.pending().exposure.getUserId(), k -> new ActivityCounts());
            out.put(
                    r,
                    counts.valuesAt(
                            r.closedAt(), h, settings.priorClicks(), settings.priorExposures()));
            if (!r.correction()) {
                counts.add(r.closedAt(), r.clickLabel(), r.conversionLabel(), h);
            }
        }
        return out;
    }

    private static List<AttributedSample> withFeatures(
            List<Raw> raw, Map<Raw, float[]> userFeatures, Settings settings) {
        HalfLife h = settings.featureHalfLife();
        Map<String, ActivityCounts> items = new HashMap<>();
        Map<String, ActivityCounts> categories = new HashMap<>();
        List<AttributedSample> out = new ArrayList<>(raw.size());
        for (Raw r : raw) {
            UserEvent e = r.pending().exposure;
            boolean click = r.clickLabel();
            boolean conversion = r.conversionLabel();
            List<Float> dense = e.getFeatures() == null ? List.of() : e.getFeatures();
            float[] f = new float[FeatureLayout.DENSE + dense.size()];
            long t = r.closedAt();
            System.arraycopy(
                    userFeatures.get(r), 0, f, FeatureLayout.USER, ActivityCounts.FEATURES);
            for (var entity :
                    List.of(
                            Map.entry(
                                    FeatureLayout.ITEM,
                                    items.computeIfAbsent(
                                            e.getItemId(), k -> new ActivityCounts())),
                            Map.entry(
                                    FeatureLayout.CATEGORY,
                                    categories.computeIfAbsent(
                                            e.getCategoryId(), k -> new ActivityCounts())))) {
                ActivityCounts counts = entity.getValue();
                System.arraycopy(
                        counts.valuesAt(t, h, settings.priorClicks(), settings.priorExposures()),
                        0,
                        f,
                        entity.getKey(),
                        ActivityCounts.FEATURES);
                if (!r.correction()) {
                    counts.add(t, click, conversion, h);
                }
            }
            f[FeatureLayout.LOG_PRICE] =
                    e.getPrice() == null ? 0f : (float) Math.log1p(e.getPrice());
            f[FeatureLayout.POSITION] = e.getPosition() == null ? -1 : e.getPosition();
            for (int i = 0; i < dense.size(); i++) {
                f[FeatureLayout.DENSE + i] = dense.get(i);
            }
            out.add(
                    new AttributedSample(
                            r.sampleId(),
                            e.getUserId(),
                            e.getItemId(),
                            e.getCategoryId(),
                            e.getRequestId(),
                            e.getEventTime().toEpochMilli(),
                            t,
                            click,
                            conversion,
                            r.correction(),
                            f));
        }
        return out;
    }
}
