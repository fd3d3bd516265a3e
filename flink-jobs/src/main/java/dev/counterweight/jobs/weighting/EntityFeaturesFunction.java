package dev.counterweight.jobs.weighting;

import dev.counterweight.core.decay.HalfLife;
import dev.counterweight.core.features.ActivityCounts;
import dev.counterweight.jobs.weighting.internal.LabeledSample;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by an entity (item or category): writes the entity's decayed activity before this sample
 * into the sample's features at {@code offset}, then counts the sample. Corrections relabel an
 * already counted exposure, so they are not counted again.
 */
public class EntityFeaturesFunction
        extends KeyedProcessFunction<String, LabeledSample, LabeledSample> {

    private static final long serialVersionUID = 1L;

    /** State name; part of savepoint compatibility, never rename. */
    public static final String ACTIVITY = "activity";

    private final int offset;
    private final HalfLife halfLife;
    private final double priorClicks;
    private final double priorExposures;
    private final Duration ttl;
    private transient ValueState<ActivityCounts> activity;

    public EntityFeaturesFunction(
            int offset,
            HalfLife halfLife,
            double priorClicks,
            double priorExposures,
            Duration ttl) {
        this.offset = offset;
        this.halfLife = halfLife;
        this.priorClicks = priorClicks;
        this.priorExposures = priorExposures;
        this.ttl = ttl;
    }

    @Override
    public void open(OpenContext context) {
        ValueStateDescriptor<ActivityCounts> descriptor =
                new ValueStateDescriptor<>(ACTIVITY, TypeInformation.of(ActivityCounts.class));
        descriptor.enableTimeToLive(StateTtlConfig.newBuilder(ttl).build());
        activity = getRuntimeContext().getState(descriptor);
    }

    @Override
    public void processElement(LabeledSample s, Context ctx, Collector<LabeledSample> out)
            throws Exception {
        ActivityCounts counts = activity.value();
        if (counts == null) {
            counts = new ActivityCounts();
        }
        System.arraycopy(
                counts.valuesAt(s.closedAt, halfLife, priorClicks, priorExposures),
                0,
                s.features,
                offset,
                ActivityCounts.FEATURES);
        if (!s.correction) {
            counts.add(s.closedAt, s.click, s.conversion, halfLife);
            activity.update(counts);
        }
        out.collect(s);
    }
}
