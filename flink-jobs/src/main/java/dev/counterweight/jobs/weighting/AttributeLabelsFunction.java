package dev.counterweight.jobs.weighting;

import dev.counterweight.avro.UserEvent;
import dev.counterweight.connectors.events.UserEvents;
import dev.counterweight.connectors.features.FeatureLayout;
import dev.counterweight.core.attribution.Action;
import dev.counterweight.core.attribution.AttributionRules;
import dev.counterweight.core.attribution.EventOrder;
import dev.counterweight.core.attribution.ExposureWindow;
import dev.counterweight.core.decay.HalfLife;
import dev.counterweight.core.features.ActivityCounts;
import dev.counterweight.jobs.weighting.internal.DueAt;
import dev.counterweight.jobs.weighting.internal.IngestedEvent;
import dev.counterweight.jobs.weighting.internal.LabeledSample;
import dev.counterweight.jobs.weighting.internal.PendingExposure;
import dev.counterweight.jobs.weighting.internal.Tags;
import dev.counterweight.jobs.weighting.io.DeadLetters;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
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
 * Keyed by user: each exposure opens an {@link ExposureWindow} per item (or per request and item
 * when the event carries a request id); clicks and purchases update it; an event-time timer closes
 * it and emits one {@link LabeledSample}; a purchase after the window emits a correction. The
 * user's decayed activity becomes the sample's user features. State of an exposure is removed once
 * no correction can follow any more.
 *
 * <p>Events are buffered and applied in {@link EventOrder} (time, then exposure before other
 * actions, then event id) once the watermark passes them: upstream shuffles reorder a user's
 * events, and applying them in arrival order would make the labels depend on timing. The labels are
 * therefore a function of the input only.
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
    private final HalfLife halfLife;
    private final double priorClicks;
    private final double priorExposures;
    private final Duration activityTtl;

    private transient MapState<String, PendingExposure> pending;
    private transient MapState<Long, DueAt> due;
    private transient ValueState<ActivityCounts> activity;

    /** Time of the timer being handled, so that open() can tell when it adds to that time. */
    private transient long firing = Long.MIN_VALUE;

    private transient boolean addedToFiring;

    private transient Counter ignored;
    private transient Counter corrections;

    public AttributeLabelsFunction(
            AttributionRules rules,
            HalfLife halfLife,
            double priorClicks,
            double priorExposures,
            Duration activityTtl) {
        this.rules = rules;
        this.halfLife = halfLife;
        this.priorClicks = priorClicks;
        this.priorExposures = priorExposures;
        this.activityTtl = activityTtl;
    }

    @Override
    public void open(OpenContext context) {
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

    /** Applies one event, in event-time order, to the attribution state. */
    private void apply(IngestedEvent e, Context ctx, Collector<LabeledSample> out)
            throws Exception {
        UserEvent event = e.event;
        Action action = UserEvents.actionOf(event);
        long t = event.getEventTime().toEpochMilli();
        String key = UserEvents.attributionKey(event);
        PendingExposure p = pending.get(key);
        if (p == null) {
            if (action == Action.EXPOSURE) {
                open(key, e, t, ctx);
            } else if (action == Action.CLICK || action == Action.PURCHASE) {
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
            } else {
                ignored.inc();
            }
            return;
        }
        switch (p.window.apply(action, t, rules)) {
            case NEW_EXPOSURE -> open(key, e, t, ctx);
            case CLICK_ATTRIBUTED, CONVERSION_ATTRIBUTED, CORRECTION_PENDING -> {
                p.addSource(e.partition, e.offset);
                pending.put(key, p);
            }
            case CORRECTION -> {
                p.addSource(e.partition, e.offset);
                pending.put(key, p);
                corrections.inc();
                out.collect(sample(ctx.getCurrentKey(), p, t, true));
            }
            default -> ignored.inc();
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<LabeledSample> out)
            throws Exception {
        DueAt now = due.get(timestamp);
        if (now == null) {
            return;
        }
        due.remove(timestamp);
        // Events at this time first (a click at the closing instant is inside the window). An
        // exposure applied here that closes at this same time (a zero window) adds to the entry
        // just removed: it is read again below.
        if (now.events.length > 0) {
            IngestedEvent[] ordered = now.events.clone();
            Arrays.sort(ordered, EVENT_ORDER);
            firing = timestamp;
            addedToFiring = false;
            for (IngestedEvent e : ordered) {
                apply(e, ctx, out);
            }
            firing = Long.MIN_VALUE;
            DueAt added = addedToFiring ? due.get(timestamp) : null;
            if (added != null) {
                due.remove(timestamp);
                now.closing = concat(now.closing, added.closing);
                now.expiring = concat(now.expiring, added.expiring);
            }
        }
        if (now.closing.length > 0) {
            List<Map.Entry<String, PendingExposure>> toClose = new ArrayList<>();
            for (String key : now.closing) {
                PendingExposure p = pending.get(key);
                // A stale index entry (the exposure was replaced) is skipped.
                if (p != null && !p.window.closed && p.window.closesAt(rules) <= timestamp) {
                    toClose.add(Map.entry(key, p));
                }
            }
            toClose.sort(Comparator.comparing(e -> e.getValue().exposureId));
            for (Map.Entry<String, PendingExposure> entry : toClose) {
                PendingExposure p = entry.getValue();
                out.collect(sample(ctx.getCurrentKey(), p, p.window.closesAt(rules), false));
                if (p.window.close()) {
                    corrections.inc();
                    out.collect(sample(ctx.getCurrentKey(), p, p.window.latePurchaseTime, true));
                }
                pending.put(entry.getKey(), p);
            }
        }
        for (String key : now.expiring) {
            PendingExposure p = pending.get(key);
            if (p != null && p.window.closed && p.window.expiresAt(rules) <= timestamp) {
                pending.remove(key);
            }
        }
    }

    private DueAt dueAt(long time) throws Exception {
        DueAt d = due.get(time);
        return d == null ? new DueAt() : d;
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private void open(String key, IngestedEvent e, long t, Context ctx) throws Exception {
        UserEvent event = e.event;
        PendingExposure p = new PendingExposure();
        p.window = ExposureWindow.open(t);
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
        pending.put(key, p);
        long closesAt = p.window.closesAt(rules);
        long expiresAt = p.window.expiresAt(rules);
        addedToFiring |= closesAt == firing || expiresAt == firing;
        due.put(closesAt, dueAt(closesAt).withClosing(key));
        due.put(expiresAt, dueAt(expiresAt).withExpiring(key));
        ctx.timerService().registerEventTimeTimer(p.window.closesAt(rules));
        ctx.timerService().registerEventTimeTimer(p.window.expiresAt(rules));
    }

    private LabeledSample sample(String user, PendingExposure p, long closedAt, boolean correction)
            throws Exception {
        LabeledSample s = new LabeledSample();
        s.sampleId = correction ? p.exposureId + "#correction" : p.exposureId;
        s.userId = user;
        s.itemId = p.itemId;
        s.categoryId = p.categoryId;
        s.requestId = p.requestId;
        s.exposureTime = p.window.exposureTime;
        s.closedAt = closedAt;
        s.click = correction || p.window.clicked;
        s.conversion = correction || p.window.converted;
        s.correction = correction;
        s.features = new float[FeatureLayout.DENSE + p.dense.length];
        ActivityCounts counts = activity.value();
        if (counts == null) {
            counts = new ActivityCounts();
        }
        System.arraycopy(
                counts.valuesAt(closedAt, halfLife, priorClicks, priorExposures),
                0,
                s.features,
                FeatureLayout.USER,
                ActivityCounts.FEATURES);
        if (!correction) {
            counts.add(closedAt, s.click, s.conversion, halfLife);
            activity.update(counts);
        }
        s.features[FeatureLayout.LOG_PRICE] =
                Double.isNaN(p.price) ? 0f : (float) Math.log1p(p.price);
        s.features[FeatureLayout.POSITION] = p.position;
        System.arraycopy(p.dense, 0, s.features, FeatureLayout.DENSE, p.dense.length);
        s.sourcePartitions = p.sourcePartitions.clone();
        s.sourceOffsets = p.sourceOffsets.clone();
        return s;
    }

    /** {@link EventOrder} over ingested events. */
    static final Comparator<IngestedEvent> EVENT_ORDER =
            EventOrder.of(
                    e -> e.event.getEventTime().toEpochMilli(),
                    e -> UserEvents.actionOf(e.event),
                    e -> e.event.getEventId());
}
