package dev.counterweight.jobs.weighting;

import dev.counterweight.core.decay.HalfLife;
import dev.counterweight.core.features.ActivityCounts;
import dev.counterweight.core.features.ActivityFeatures;
import dev.counterweight.core.features.SampleFeatures;
import dev.counterweight.jobs.weighting.internal.LabeledSample;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by an entity (item or category): writes the entity's decayed activity before this sample
 * into the sample's features at {@code offset}, then counts the sample ({@link ActivityFeatures}).
 * Corrections relabel an already counted exposure, so they are not counted again.
 *
 * <p>Samples of one entity come from every upstream attribution subtask, interleaved in whatever
 * order the network delivers them. So that a sample's features hold exactly the activity of the
 * samples closed before it (never a later one: that would leak the future into the features) and
 * are a function of the input alone, samples are buffered by {@code closedAt} and applied when the
 * watermark passes it, in {@code (closedAt, sampleId)} order ({@link SampleFeatures#entityOrder}).
 * Attribution emits a sample when its own watermark reaches {@code closedAt}, so the buffer holds
 * samples for about one watermark hop.
 */
public class EntityFeaturesFunction
        extends KeyedProcessFunction<String, LabeledSample, LabeledSample> {

    private static final long serialVersionUID = 1L;

    /** State names; part of savepoint compatibility, never rename. */
    public static final String ACTIVITY = "activity";

    public static final String PENDING = "pending-by-closed-at";

    private static final Comparator<LabeledSample> ORDER =
            SampleFeatures.entityOrder(s -> s.closedAt, s -> s.sampleId);

    private final int offset;
    private final ActivityFeatures features;
    private final Duration ttl;
    private transient ValueState<ActivityCounts> activity;
    private transient MapState<Long, List<LabeledSample>> pending;

    public EntityFeaturesFunction(
            int offset,
            HalfLife halfLife,
            double priorClicks,
            double priorExposures,
            Duration ttl) {
        this.offset = offset;
        this.features = new ActivityFeatures(halfLife, priorClicks, priorExposures);
        this.ttl = ttl;
    }

    @Override
    public void open(OpenContext context) {
        ValueStateDescriptor<ActivityCounts> descriptor =
                new ValueStateDescriptor<>(ACTIVITY, TypeInformation.of(ActivityCounts.class));
        descriptor.enableTimeToLive(StateTtlConfig.newBuilder(ttl).build());
        activity = getRuntimeContext().getState(descriptor);
        // No TTL: every entry is removed by the timer registered with it.
        pending =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        PENDING,
                                        Types.LONG,
                                        Types.LIST(TypeInformation.of(LabeledSample.class))));
    }

    @Override
    public void processElement(LabeledSample s, Context ctx, Collector<LabeledSample> out)
            throws Exception {
        List<LabeledSample> due = pending.get(s.closedAt);
        if (due == null) {
            due = new ArrayList<>(1);
            ctx.timerService().registerEventTimeTimer(s.closedAt);
        }
        due.add(s);
        pending.put(s.closedAt, due);
    }

    @Override
    public void onTimer(long closedAt, OnTimerContext ctx, Collector<LabeledSample> out)
            throws Exception {
        List<LabeledSample> due = pending.get(closedAt);
        // No isEmpty() check: on RocksDB it is a prefix seek over every deleted entry of the key,
        // which for a hot category grows with its history (it cost 4x the job's throughput).
        pending.remove(closedAt);
        if (due == null) {
            return;
        }
        due.sort(ORDER);
        ActivityCounts counts = activity.value();
        if (counts == null) {
            counts = new ActivityCounts();
        }
        boolean counted = false;
        for (LabeledSample s : due) {
            counted |=
                    features.observe(
                            counts,
                            s.closedAt,
                            s.click,
                            s.conversion,
                            s.correction,
                            s.features,
                            offset);
            out.collect(s);
        }
        if (counted) {
            activity.update(counts);
        }
    }
}
