package dev.counterweight.jobs.weighting;

import dev.counterweight.connectors.features.FeatureLayout;
import dev.counterweight.core.attribution.ClassKeyMode;
import dev.counterweight.core.decay.DecayedCount;
import dev.counterweight.core.decay.HalfLife;
import dev.counterweight.core.weighting.ClassCounting;
import dev.counterweight.jobs.weighting.internal.ClassCountUpdate;
import dev.counterweight.jobs.weighting.internal.CountState;
import dev.counterweight.jobs.weighting.internal.LabeledSample;
import dev.counterweight.jobs.weighting.internal.Tags;
import java.time.Duration;
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
 * Keyed by class, the counting half of core's {@link ClassCounting}: keeps the class's decayed
 * sample count (counted at the sample's {@code closedAt}) and, each time the watermark passes an
 * update boundary (a multiple of {@code weights.update-interval}), sends the count as of that
 * boundary to the weight table. Counts are staged per boundary, so an update contains exactly the
 * samples with {@code closedAt <= boundary}, whatever the arrival order.
 */
public class ClassCountFunction extends KeyedProcessFunction<String, LabeledSample, LabeledSample> {

    private static final long serialVersionUID = 1L;

    /** State names; part of savepoint compatibility, never rename. */
    public static final String COUNT = "class-count";

    public static final String STAGED = "staged-by-boundary";

    private final ClassCounting counting;
    private final Duration ttl;
    private transient ValueState<CountState> count;
    private transient MapState<Long, CountState> staged;
    private transient Counter samplesCounted;

    public ClassCountFunction(HalfLife halfLife, long intervalMillis, Duration ttl) {
        this.counting = new ClassCounting(halfLife, intervalMillis);
        this.ttl = ttl;
    }

    @Override
    public void open(OpenContext context) {
        ValueStateDescriptor<CountState> countDescriptor =
                new ValueStateDescriptor<>(COUNT, TypeInformation.of(CountState.class));
        countDescriptor.enableTimeToLive(StateTtlConfig.newBuilder(ttl).build());
        count = getRuntimeContext().getState(countDescriptor);
        staged =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        STAGED, Types.LONG, TypeInformation.of(CountState.class)));
        samplesCounted = getRuntimeContext().getMetricGroup().counter("samplesCounted");
    }

    @Override
    public void processElement(LabeledSample s, Context ctx, Collector<LabeledSample> out)
            throws Exception {
        long boundary = counting.boundaryOf(s.closedAt);
        CountState stagedCount = staged.get(boundary);
        staged.put(
                boundary,
                CountState.of(
                        counting.count(
                                stagedCount == null ? null : stagedCount.toDecayedCount(),
                                s.closedAt)));
        ctx.timerService().registerEventTimeTimer(boundary);
        samplesCounted.inc();
        out.collect(s);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<LabeledSample> out)
            throws Exception {
        CountState stagedCount = staged.get(timestamp);
        if (stagedCount == null) {
            return;
        }
        staged.remove(timestamp);
        CountState current = count.value();
        DecayedCount merged =
                counting.fold(
                        current == null ? null : current.toDecayedCount(),
                        stagedCount.toDecayedCount());
        count.update(CountState.of(merged));
        ctx.output(
                Tags.CLASS_COUNTS,
                new ClassCountUpdate(
                        ctx.getCurrentKey(),
                        merged.value(),
                        merged.referenceTimeMillis(),
                        timestamp));
    }

    /** Assigns the class key before counting. */
    public static LabeledSample assignClassKey(LabeledSample s, ClassKeyMode mode) {
        s.classKey =
                mode.keyOf(s.categoryId, s.click, s.conversion, s.features[FeatureLayout.ITEM]);
        return s;
    }
}
