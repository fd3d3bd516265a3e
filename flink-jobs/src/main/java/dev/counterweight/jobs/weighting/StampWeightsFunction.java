package dev.counterweight.jobs.weighting;

import dev.counterweight.avro.ClassWeights;
import dev.counterweight.avro.Sample;
import dev.counterweight.avro.SourceOffset;
import dev.counterweight.connectors.features.FeatureLayout;
import dev.counterweight.connectors.weights.WeightTableParts;
import dev.counterweight.core.sampling.DownSamplingConfig;
import dev.counterweight.core.sampling.NegativeDownSampler;
import dev.counterweight.jobs.weighting.internal.LabeledSample;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Stamps each sample with the weight of its class from the newest weight table it has received
 * (broadcast state, as {@link WeightTableParts}), applies negative down-sampling (kept negatives
 * get weight x 1/rate and carry the rate), and builds the outgoing Avro {@link Sample}. Before the
 * first table, the weight is 1.
 */
public class StampWeightsFunction
        extends BroadcastProcessFunction<LabeledSample, ClassWeights, Sample> {

    private static final long serialVersionUID = 1L;

    /**
     * Broadcast state holding the newest complete table under {@link #CURRENT} (and {@code
     * current#p} for its further parts) and the parts of a version still arriving.
     */
    public static final MapStateDescriptor<String, ClassWeights> TABLE =
            new MapStateDescriptor<>(
                    "weight-table", Types.STRING, new AvroTypeInfo<>(ClassWeights.class));

    /** Key of the current table's part 0; part p > 0 is under {@code current#p}. */
    static final String CURRENT = "current";

    /** Key prefix of the staged parts of a multi-part version still arriving. */
    static final String NEXT = "next#";

    private final DownSamplingConfig downSampling;
    private final String sourceTopic;

    private transient NegativeDownSampler sampler;
    private transient long cachedVersion;
    private transient Map<String, Double> cachedWeights;
    private transient double cachedFallback;
    private transient Counter samplesOut;
    private transient Counter samplesDropped;
    private transient Counter tablesApplied;
    private transient Counter applyNanos;

    public StampWeightsFunction(DownSamplingConfig downSampling, String sourceTopic) {
        this.downSampling = downSampling;
        this.sourceTopic = sourceTopic;
    }

    @Override
    public void open(OpenContext context) {
        sampler = new NegativeDownSampler(downSampling);
        cachedVersion = -1;
        samplesOut = getRuntimeContext().getMetricGroup().counter("samplesOut");
        samplesDropped = getRuntimeContext().getMetricGroup().counter("samplesDownSampled");
        tablesApplied = getRuntimeContext().getMetricGroup().counter("weightTablesApplied");
        // Time spent taking in new tables: storing them in broadcast state and rebuilding the
        // lookup map; what a table version costs each stamping subtask.
        applyNanos = getRuntimeContext().getMetricGroup().counter("weightTableApplyNanos");
    }

    @Override
    public void processElement(LabeledSample s, ReadOnlyContext ctx, Collector<Sample> out)
            throws Exception {
        ReadOnlyBroadcastState<String, ClassWeights> state = ctx.getBroadcastState(TABLE);
        ClassWeights table = state.get(CURRENT);
        long tableVersion = table == null ? 0 : table.getVersion();
        if (tableVersion != cachedVersion) {
            long started = System.nanoTime();
            cache(state, table);
            applyNanos.inc(System.nanoTime() - started);
            if (table != null) {
                tablesApplied.inc();
            }
        }
        NegativeDownSampler.Decision decision =
                sampler.decide(s.sampleId, s.classKey, !s.click && !s.conversion);
        if (!decision.keep()) {
            samplesDropped.inc();
            return;
        }
        double classWeight = cachedWeights.getOrDefault(s.classKey, cachedFallback);
        List<Float> features = new ArrayList<>(s.features.length);
        for (float f : s.features) {
            features.add(f);
        }
        List<SourceOffset> sources = new ArrayList<>(s.sourceOffsets.length);
        for (int i = 0; i < s.sourceOffsets.length; i++) {
            sources.add(new SourceOffset(sourceTopic, s.sourcePartitions[i], s.sourceOffsets[i]));
        }
        out.collect(
                Sample.newBuilder()
                        .setSampleId(s.sampleId)
                        .setUserId(s.userId)
                        .setItemId(s.itemId)
                        .setCategoryId(s.categoryId)
                        .setRequestId(s.requestId)
                        .setExposureTime(Instant.ofEpochMilli(s.exposureTime))
                        .setClosedAt(Instant.ofEpochMilli(s.closedAt))
                        .setClick(s.click)
                        .setConversion(s.conversion)
                        .setClassKey(s.classKey)
                        .setFeatures(features)
                        .setFeatureFingerprint(FeatureLayout.FINGERPRINT)
                        .setWeight(classWeight * decision.weightMultiplier())
                        .setClassWeight(classWeight)
                        .setWeightTableVersion(tableVersion)
                        .setSamplingRate(decision.rate())
                        .setSynthetic(false)
                        .setCorrection(s.correction)
                        .setSourceOffsets(sources)
                        .build());
        samplesOut.inc();
    }

    /**
     * Takes in one record of a table version. A single-part version replaces the current table at
     * once; the parts of a multi-part version are staged under {@link #NEXT} keys and replace the
     * current table together when the last one arrives (parts come in order from the single
     * weight-table task), so samples are always stamped from one complete version.
     */
    @Override
    public void processBroadcastElement(ClassWeights table, Context ctx, Collector<Sample> out)
            throws Exception {
        long started = System.nanoTime();
        BroadcastState<String, ClassWeights> state = ctx.getBroadcastState(TABLE);
        ClassWeights current = state.get(CURRENT);
        if (current == null || table.getVersion() > current.getVersion()) {
            if (table.getParts() <= 1) {
                replaceCurrent(state, current, List.of(table));
            } else {
                state.put(NEXT + table.getPart(), table);
                List<ClassWeights> next = new ArrayList<>(table.getParts());
                for (int p = 0; p < table.getParts(); p++) {
                    ClassWeights part = state.get(NEXT + p);
                    if (part == null || part.getVersion() != table.getVersion()) {
                        break;
                    }
                    next.add(part);
                }
                if (next.size() == table.getParts()) {
                    replaceCurrent(state, current, next);
                }
            }
        }
        applyNanos.inc(System.nanoTime() - started);
    }

    private static void replaceCurrent(
            BroadcastState<String, ClassWeights> state, ClassWeights old, List<ClassWeights> parts)
            throws Exception {
        int oldParts = old == null ? 1 : old.getParts();
        for (int p = 1; p < Math.max(oldParts, parts.size()); p++) {
            if (p < parts.size()) {
                state.put(CURRENT + "#" + p, parts.get(p));
            } else {
                state.remove(CURRENT + "#" + p);
            }
        }
        state.put(CURRENT, parts.get(0));
        for (int p = 0; p < parts.size(); p++) {
            state.remove(NEXT + p);
        }
    }

    private void cache(ReadOnlyBroadcastState<String, ClassWeights> state, ClassWeights table)
            throws Exception {
        if (table == null) {
            cachedWeights = new HashMap<>();
            cachedFallback = 1.0;
            cachedVersion = 0;
            return;
        }
        List<ClassWeights> parts = new ArrayList<>(table.getParts());
        for (int p = 0; p < table.getParts(); p++) {
            parts.add(p == 0 ? table : state.get(CURRENT + "#" + p));
        }
        cachedWeights = WeightTableParts.weights(parts);
        cachedFallback = table.getFallbackWeight();
        cachedVersion = table.getVersion();
    }
}
