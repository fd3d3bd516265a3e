package dev.counterweight.experiments.offline;

import dev.counterweight.avro.UserEvent;
import dev.counterweight.connectors.events.UserEvents;
import dev.counterweight.connectors.features.FeatureLayout;
import dev.counterweight.core.attribution.Attribution;
import dev.counterweight.core.attribution.AttributionRules;
import dev.counterweight.core.attribution.ClassKeyMode;
import dev.counterweight.core.attribution.EventOrder;
import dev.counterweight.core.decay.HalfLife;
import dev.counterweight.core.defaults.PipelineDefaults;
import dev.counterweight.core.features.ActivityCounts;
import dev.counterweight.core.features.ActivityFeatures;
import dev.counterweight.core.features.SampleFeatures;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The weighting job's attribution and feature steps, run offline over a list of events, from the
 * same core rules as the job's operators: {@link Attribution#run} per user (windows per request and
 * item, closes and corrections in event time), the user's {@link ActivityFeatures} in the order the
 * user's samples are emitted, then the item and category features in sample-time order ({@link
 * SampleFeatures#entityOrder}). Used by {@code demo} and {@code quality}.
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

        /** The activity-feature rule of these settings. */
        public ActivityFeatures activityFeatures() {
            return new ActivityFeatures(featureHalfLife, priorClicks, priorExposures);
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

    private OfflineAttribution() {}

    /**
     * Attributes labels and computes features.
     *
     * @param events the events, in any order (applied in the job's {@link EventOrder})
     * @param settings rules and feature settings
     * @return the samples in sample-time ({@code closedAt}, then sample id) order
     */
    public static List<AttributedSample> attribute(List<UserEvent> events, Settings settings) {
        Map<String, List<UserEvent>> byUser = new LinkedHashMap<>();
        for (UserEvent e : events) {
            byUser.computeIfAbsent(e.getUserId(), k -> new ArrayList<>()).add(e);
        }
        ActivityFeatures activity = settings.activityFeatures();
        List<Raw> raw = new ArrayList<>();
        for (List<UserEvent> userEvents : byUser.values()) {
            // User features in emission order, as the job's attribution step computes them.
            ActivityCounts user = new ActivityCounts();
            for (Attribution.Emitted<UserEvent> s :
                    Attribution.run(settings.rules(), UserEvents.VIEW, userEvents, null)) {
                UserEvent e = s.exposure();
                float[] f =
                        SampleFeatures.ofExposure(
                                e.getPrice() == null ? Double.NaN : e.getPrice(),
                                e.getPosition() == null ? -1 : e.getPosition(),
                                dense(e));
                activity.observe(
                        user,
                        s.closedAt(),
                        s.click(),
                        s.conversion(),
                        s.correction(),
                        f,
                        SampleFeatures.USER);
                raw.add(new Raw(s, Attribution.sampleId(e.getEventId(), s.correction()), f));
            }
        }
        // Item and category features in sample-time order, as the job's feature steps do.
        raw.sort(SampleFeatures.entityOrder(r -> r.sample().closedAt(), Raw::sampleId));
        Map<String, ActivityCounts> items = new HashMap<>();
        Map<String, ActivityCounts> categories = new HashMap<>();
        List<AttributedSample> out = new ArrayList<>(raw.size());
        for (Raw r : raw) {
            Attribution.Emitted<UserEvent> s = r.sample();
            UserEvent e = s.exposure();
            for (var entity :
                    List.of(
                            Map.entry(
                                    SampleFeatures.ITEM,
                                    items.computeIfAbsent(
                                            e.getItemId(), k -> new ActivityCounts())),
                            Map.entry(
                                    SampleFeatures.CATEGORY,
                                    categories.computeIfAbsent(
                                            e.getCategoryId(), k -> new ActivityCounts())))) {
                activity.observe(
                        entity.getValue(),
                        s.closedAt(),
                        s.click(),
                        s.conversion(),
                        s.correction(),
                        r.features(),
                        entity.getKey());
            }
            out.add(
                    new AttributedSample(
                            r.sampleId(),
                            e.getUserId(),
                            e.getItemId(),
                            e.getCategoryId(),
                            e.getRequestId(),
                            e.getEventTime().toEpochMilli(),
                            s.closedAt(),
                            s.click(),
                            s.conversion(),
                            s.correction(),
                            r.features()));
        }
        return out;
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

    private record Raw(Attribution.Emitted<UserEvent> sample, String sampleId, float[] features) {}

    private static float[] dense(UserEvent e) {
        List<Float> dense = e.getFeatures() == null ? List.of() : e.getFeatures();
        float[] out = new float[dense.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = dense.get(i);
        }
        return out;
    }
}
