package dev.counterweight.jobs.weighting;

import dev.counterweight.avro.ClassLoss;
import dev.counterweight.avro.ClassLossEntry;
import dev.counterweight.avro.ClassWeights;
import dev.counterweight.connectors.weights.WeightTableParts;
import dev.counterweight.core.decay.DecayedCount;
import dev.counterweight.core.decay.HalfLife;
import dev.counterweight.core.weighting.ClassCounting;
import dev.counterweight.core.weighting.LossAwareConfig;
import dev.counterweight.core.weighting.LossAwareMultiplier;
import dev.counterweight.core.weighting.WeightTable;
import dev.counterweight.core.weighting.WeightingConfig;
import dev.counterweight.jobs.weighting.internal.ClassCountUpdate;
import dev.counterweight.jobs.weighting.internal.CountState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The single global operator (one key, parallelism 1) that folds per-class counts into the
 * versioned weight table: at each update boundary it applies the updates of that boundary, values
 * every class count at the boundary, and computes the table ({@link ClassCounting#tableAt}), sent
 * as {@link WeightTableParts}. Publishes gauges for the Flink UI: number of classes, imbalance
 * ratio, effective sample size, table version and age, and count and weight of the top classes.
 *
 * <p>The second input is the learner's per-class loss ({@code class-loss} topic). With loss-aware
 * weights on, each window is folded into the smoothed per-class loss ratios as it arrives ({@link
 * LossAwareMultiplier}); a table computed at a boundary uses the ratios of every window that
 * reached the operator before that boundary's timer fired, and a loss window alone never publishes
 * a table (the next boundary with count updates does). Loss windows carry no event time that could
 * order them against the boundaries: the learner trains on this job's output, so which windows a
 * table includes depends on how far the learner is (the gauge {@code lossWindowsApplied} counts the
 * windows folded in since the task started). With loss-aware weights off, the second input is
 * ignored.
 */
public class WeightTableFunction
        extends KeyedCoProcessFunction<Integer, ClassCountUpdate, ClassLoss, ClassWeights> {

    private static final long serialVersionUID = 1L;

    /** State names; part of savepoint compatibility, never rename. */
    public static final String COUNTS = "class-counts";

    public static final String PENDING = "pending-updates";
    public static final String VERSION = "table-version";
    public static final String LOSS_RATIOS = "loss-ratios";

    private final WeightingConfig config;
    private final HalfLife halfLife;
    private final Duration classTtl;
    private final int topClassMetrics;
    private final LossAwareConfig lossAware;

    private transient MapState<String, CountState> counts;
    private transient MapState<String, ClassCountUpdate> pendingUpdates;
    private transient ValueState<Long> version;
    private transient MapState<String, Double> lossRatios;
    private transient volatile long lossWindows;

    private transient volatile WeightTable latest;
    private transient volatile long latestPublishedAtMillis;
    private transient Set<String> classGauges;
    private transient MetricGroup metrics;
    private transient Counter tablesPublished;
    private transient Counter publishNanos;

    public WeightTableFunction(
            WeightingConfig config, HalfLife halfLife, Duration classTtl, int topClassMetrics) {
        this(config, halfLife, classTtl, topClassMetrics, null);
    }

    /**
     * @param lossAware the loss-aware multiplier's configuration, or null to ignore the class-loss
     *     input
     */
    public WeightTableFunction(
            WeightingConfig config,
            HalfLife halfLife,
            Duration classTtl,
            int topClassMetrics,
            LossAwareConfig lossAware) {
        this.config = config;
        this.halfLife = halfLife;
        this.classTtl = classTtl;
        this.topClassMetrics = topClassMetrics;
        this.lossAware = lossAware;
    }

    @Override
    public void open(OpenContext context) {
        MapStateDescriptor<String, CountState> countsDescriptor =
                new MapStateDescriptor<>(
                        COUNTS, Types.STRING, TypeInformation.of(CountState.class));
        countsDescriptor.enableTimeToLive(StateTtlConfig.newBuilder(classTtl).build());
        counts = getRuntimeContext().getMapState(countsDescriptor);
        pendingUpdates =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        PENDING,
                                        Types.STRING,
                                        TypeInformation.of(ClassCountUpdate.class)));
        version = getRuntimeContext().getState(new ValueStateDescriptor<>(VERSION, Types.LONG));
        MapStateDescriptor<String, Double> ratiosDescriptor =
                new MapStateDescriptor<>(LOSS_RATIOS, Types.STRING, Types.DOUBLE);
        ratiosDescriptor.enableTimeToLive(StateTtlConfig.newBuilder(classTtl).build());
        lossRatios = getRuntimeContext().getMapState(ratiosDescriptor);
        classGauges = new HashSet<>();
        metrics = getRuntimeContext().getMetricGroup();
        tablesPublished = metrics.counter("weightTablesPublished");
        // Time from the boundary timer firing to the table handed downstream (count scan, table
        // computation, Avro record built and serialized to the broadcast and sink channels).
        publishNanos = metrics.counter("weightTablePublishNanos");
        metrics.gauge("numClasses", () -> latest == null ? 0 : latest.size());
        metrics.gauge(
                "imbalanceRatio", () -> latest == null ? Double.NaN : latest.imbalanceRatio());
        metrics.gauge(
                "effectiveSampleSize",
                () -> latest == null ? Double.NaN : latest.effectiveSampleSize());
        metrics.gauge("weightTableVersion", () -> latest == null ? 0L : latest.version());
        metrics.gauge("lossWindowsApplied", () -> lossWindows);
        metrics.gauge(
                "weightTableAgeMs",
                () -> latest == null ? -1L : System.currentTimeMillis() - latestPublishedAtMillis);
    }

    @Override
    public void processElement1(ClassCountUpdate update, Context ctx, Collector<ClassWeights> out)
            throws Exception {
        pendingUpdates.put(update.boundary + "|" + update.classKey, update);
        ctx.timerService().registerEventTimeTimer(update.boundary);
    }

    /** Folds one class-loss window into the smoothed ratios (state), if loss-aware is on. */
    @Override
    public void processElement2(ClassLoss loss, Context ctx, Collector<ClassWeights> out)
            throws Exception {
        if (lossAware == null) {
            return;
        }
        for (ClassLossEntry e : loss.getClasses()) {
            String key = e.getClassKey().toString();
            double r =
                    LossAwareMultiplier.smoothedRatio(
                            lossRatios.get(key),
                            e.getMeanLoss(),
                            e.getCount(),
                            loss.getOverallMeanLoss(),
                            lossAware);
            if (!Double.isNaN(r)) {
                lossRatios.put(key, r);
            }
        }
        lossWindows++;
    }

    @Override
    public void onTimer(long boundary, OnTimerContext ctx, Collector<ClassWeights> out)
            throws Exception {
        long started = System.nanoTime();
        List<String> applied = new ArrayList<>();
        Iterator<Map.Entry<String, ClassCountUpdate>> it = pendingUpdates.iterator();
        while (it.hasNext()) {
            Map.Entry<String, ClassCountUpdate> e = it.next();
            ClassCountUpdate u = e.getValue();
            if (u.boundary <= boundary) {
                CountState c = new CountState();
                c.value = u.value;
                c.referenceTime = u.referenceTime;
                counts.put(u.classKey, c);
                applied.add(e.getKey());
            }
        }
        if (applied.isEmpty()) {
            return;
        }
        for (String key : applied) {
            pendingUpdates.remove(key);
        }
        List<Map.Entry<String, DecayedCount>> current = new ArrayList<>();
        for (Map.Entry<String, CountState> e : counts.entries()) {
            current.add(Map.entry(e.getKey(), e.getValue().toDecayedCount()));
        }
        long next = (version.value() == null ? 0L : version.value()) + 1;
        version.update(next);
        WeightTable table =
                ClassCounting.tableAt(next, boundary, current, halfLife, config, multiplier());
        for (ClassWeights part :
                WeightTableParts.encode(
                        table, boundary, halfLife, WeightTableParts.MAX_PART_BYTES)) {
            out.collect(part);
        }
        publishNanos.inc(System.nanoTime() - started);
        tablesPublished.inc();
        latest = table;
        latestPublishedAtMillis = System.currentTimeMillis();
        registerTopClassGauges(table);
    }

    /** The multiplier of the current loss ratios, or null with loss-aware weights off. */
    private LossAwareMultiplier multiplier() throws Exception {
        if (lossAware == null) {
            return null;
        }
        Map<String, Double> ratios = new HashMap<>();
        for (Map.Entry<String, Double> e : lossRatios.entries()) {
            ratios.put(e.getKey(), e.getValue());
        }
        LossAwareMultiplier m = new LossAwareMultiplier(lossAware);
        m.restore(ratios);
        return m;
    }

    private void registerTopClassGauges(WeightTable table) {
        if (topClassMetrics == 0) {
            return;
        }
        table.entries().entrySet().stream()
                .sorted(
                        Comparator.comparingDouble(
                                        (Map.Entry<
                                                                String,
                                                                dev.counterweight.core.weighting
                                                                        .ClassWeight>
                                                        e) -> -e.getValue().count())
                                .thenComparing(Map.Entry::getKey))
                .limit(topClassMetrics)
                .map(Map.Entry::getKey)
                .filter(classGauges::add)
                .forEach(
                        key -> {
                            MetricGroup group = metrics.addGroup("class", key);
                            group.gauge("count", () -> entry(key, true));
                            group.gauge("weight", () -> entry(key, false));
                        });
    }

    private double entry(String key, boolean count) {
        WeightTable t = latest;
        if (t == null || !t.contains(key)) {
            return Double.NaN;
        }
        var e = t.entries().get(key);
        return count ? e.count() : e.weight();
    }
}
