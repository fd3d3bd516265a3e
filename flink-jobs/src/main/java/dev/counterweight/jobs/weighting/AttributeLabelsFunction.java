package dev.counterweight.jobs.weighting;

import dev.counterweight.avro.UserEvent;
import dev.counterweight.connectors.events.UserEvents;
import dev.counterweight.core.attribution.Action;
import dev.counterweight.core.attribution.Attribution;
import dev.counterweight.core.attribution.AttributionRules;
import dev.counterweight.core.attribution.EventOrder;
import dev.counterweight.core.attribution.ExposureWindow;
import dev.counterweight.core.decay.HalfLife;
import dev.counterweight.core.features.ActivityCounts;
import dev.counterweight.core.features.ActivityFeatures;
import dev.counterweight.core.features.SampleFeatures;
import dev.counterweight.jobs.weighting.internal.DueAt;
import dev.counterweight.jobs.weighting.internal.IngestedEvent;
import dev.counterweight.jobs.weighting.internal.LabeledSample;
import dev.counterweight.jobs.weighting.internal.PendingExposure;
import dev.counterweight.jobs.weighting.internal.Tags;
import dev.counterweight.jobs.weighting.io.DeadLetters;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by user: the Flink adapter of core's {@link Attribution} rules. Each exposure opens an
 * {@link ExposureWindow} per item (or per request and item when the event carries a request id);
 * clicks and purchases update it; an event-time timer closes it and emits one {@link
 * LabeledSample}; a purchase after the window emits a correction. The user's decayed activity
 * becomes the sample's user features ({@link ActivityFeatures}). State of an exposure is removed
 * once no correction can follow any more.
 *
 * <p>Events are buffered by event time ({@link DueAt}, with the window closes and expiries due at
 * that time) and handed to the rules when the watermark passes them, which apply them in {@link
 * EventOrder}: upstream shuffles reorder a user's events, and applying them in arrival order would
 * make the labels depend on timing. The labels are therefore a function of the input only.
 *
 * <p>Clicks and purchases without an open or recent exposure go to the dead-letter output; carts
 * and favourites without one are counted and dropped.
 */
public class AttributeLabelsFunction
        extends KeyedProcessFunction<String, IngestedEvent, LabeledSample> {

    private static final long serialVersionUID = 1L;

    /** State names; part of savepoint compatibility, never rename. */
    public static final String PENDING = "pending-exposures";

    public static final String USER_ACTIVITY = "user-activity";

    /** Buffered events and due window closes and expiries, by event time. */
    public static final String DUE = "due-by-time";

    private final AttributionRules rules;
    private final ActivityFeatures features;
    private final Duration activityTtl;

    private transient Attribution<IngestedEvent, PendingExposure> attribution;
    private transient MapState<String, PendingExposure> pending;
    private transient MapState<Long, DueAt> due;
    private transient ValueState<ActivityCounts> activity;

    private transient Counter ignored;
    private transient Counter corrections;

    public AttributeLabelsFunction(
            AttributionRules rules,
            HalfLife halfLife,
            double priorClicks,
            double priorExposures,
            Duration activityTtl) {
        this.rules = rules;
        this.features = new ActivityFeatures(halfLife, priorClicks, priorExposures);
        this.activityTtl = activityTtl;
    }

    @Override
    public void open(OpenContext context) {
        attribution = new Attribution<>(rules, EVENTS);
        pending =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        PENDING,
                                        Types.STRING,
                                        TypeInformation.of(PendingExposure.class)));
        // Indexed by event time, so a timer reads only what is due at its time, in one read.
        due =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        DUE, Types.LONG, TypeInformation.of(DueAt.class)));
        ValueStateDescriptor<ActivityCounts> activityDescriptor =
                new ValueStateDescriptor<>(USER_ACTIVITY, TypeInformation.of(ActivityCounts.class));
        activityDescriptor.enableTimeToLive(StateTtlConfig.newBuilder(activityTtl).build());
        activity = getRuntimeContext().getState(activityDescriptor);
        ignored = getRuntimeContext().getMetricGroup().counter("eventsNotAttributed");
        corrections = getRuntimeContext().getMetricGroup().counter("corrections");
    }

    @Override
    public void processElement(IngestedEvent e, Context ctx, Collector<LabeledSample> out)
            throws Exception {
        long t = e.event.getEventTime().toEpochMilli();
        due.put(t, dueAt(t).withEvent(e));
        ctx.timerService().registerEventTimeTimer(t);
    }

    /** Applies what is due at {@code timestamp} (events, window closes, expiries) by the rules. */
    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<LabeledSample> out)
            throws Exception {
        DueAt now = due.get(timestamp);
        if (now == null) {
            return;
        }
        due.remove(timestamp);
        attribution.advance(
                timestamp,
                Arrays.asList(now.events),
                Arrays.asList(now.closing),
                Arrays.asList(now.expiring),
                new UserState(ctx, out));
    }

    private DueAt dueAt(long time) throws Exception {
        DueAt d = due.get(time);
        return d == null ? new DueAt() : d;
    }

    /** The rules' view of one user's Flink state, timers and outputs. */
    private final class UserState implements Attribution.Host<IngestedEvent, PendingExposure> {
        private final OnTimerContext ctx;
        private final Collector<LabeledSample> out;

        UserState(OnTimerContext ctx, Collector<LabeledSample> out) {
            this.ctx = ctx;
            this.out = out;
        }

        @Override
        public PendingExposure get(String key) throws Exception {
            return pending.get(key);
        }

        @Override
        public void put(String key, PendingExposure p) throws Exception {
            pending.put(key, p);
        }

        @Override
        public void remove(String key) throws Exception {
            pending.remove(key);
        }

        @Override
        public PendingExposure open(IngestedEvent e, ExposureWindow window) {
            UserEvent event = e.event;
            PendingExposure p = new PendingExposure();
            p.window = window;
            p.exposureId = event.getEventId();
            p.itemId = event.getItemId();
            p.categoryId = event.getCategoryId();
            p.requestId = event.getRequestId();
            List<Float> dense = event.getFeatures();
            p.dense = new float[dense.size()];
            for (int i = 0; i < p.dense.length; i++) {
                p.dense[i] = dense.get(i);
            }
            p.price = event.getPrice() == null ? Double.NaN : event.getPrice();
            p.position = event.getPosition() == null ? -1 : event.getPosition();
            p.sourcePartitions = new int[] {e.partition};
            p.sourceOffsets = new long[] {e.offset};
            return p;
        }

        @Override
        public ExposureWindow window(PendingExposure p) {
            return p.window;
        }

        @Override
        public String exposureId(PendingExposure p) {
            return p.exposureId;
        }

        @Override
        public void contributed(PendingExposure p, IngestedEvent e) {
            p.addSource(e.partition, e.offset);
        }

        @Override
        public void closeAt(long time, String key) throws Exception {
            due.put(time, dueAt(time).withClosing(key));
            ctx.timerService().registerEventTimeTimer(time);
        }

        @Override
        public void expireAt(long time, String key) throws Exception {
            due.put(time, dueAt(time).withExpiring(key));
            ctx.timerService().registerEventTimeTimer(time);
        }

        @Override
        public void emit(PendingExposure p, long closedAt, boolean correction) throws Exception {
            if (correction) {
                corrections.inc();
            }
            out.collect(sample(ctx.getCurrentKey(), p, closedAt, correction));
        }

        @Override
        public void unmatched(IngestedEvent e, Action action) {
            UserEvent event = e.event;
            String code =
                    action == Action.CLICK
                            ? EventValidator.CLICK_WITHOUT_EXPOSURE
                            : EventValidator.PURCHASE_WITHOUT_EXPOSURE;
            ctx.output(
                    Tags.DEAD_LETTERS,
                    DeadLetters.of(
                            e,
                            code,
                            action
                                    + " of item "
                                    + event.getItemId()
                                    + " by user "
                                    + event.getUserId()
                                    + " has no exposure within the attribution window and"
                                    + " correction horizon"));
        }

        @Override
        public void notAttributed(IngestedEvent e) {
            ignored.inc();
        }
    }

    /**
     * The sample of {@code p} at {@code closedAt}, with the user's activity before it; counts it
     * into the user's activity (state) unless it is a correction.
     */
    private LabeledSample sample(String user, PendingExposure p, long closedAt, boolean correction)
            throws Exception {
        LabeledSample s = new LabeledSample();
        s.sampleId = Attribution.sampleId(p.exposureId, correction);
        s.userId = user;
        s.itemId = p.itemId;
        s.categoryId = p.categoryId;
        s.requestId = p.requestId;
        s.exposureTime = p.window.exposureTime;
        s.closedAt = closedAt;
        s.click = correction || p.window.clicked;
        s.conversion = correction || p.window.converted;
        s.correction = correction;
        s.features = SampleFeatures.ofExposure(p.price, p.position, p.dense);
        ActivityCounts counts = activity.value();
        if (counts == null) {
            counts = new ActivityCounts();
        }
        if (features.observe(
                counts,
                closedAt,
                s.click,
                s.conversion,
                correction,
                s.features,
                SampleFeatures.USER)) {
            activity.update(counts);
        }
        s.sourcePartitions = p.sourcePartitions.clone();
        s.sourceOffsets = p.sourceOffsets.clone();
        return s;
    }

    /** What the rules read from an ingested event. */
    private static final Attribution.EventView<IngestedEvent> EVENTS =
            UserEvents.VIEW.on(e -> e.event);
}
