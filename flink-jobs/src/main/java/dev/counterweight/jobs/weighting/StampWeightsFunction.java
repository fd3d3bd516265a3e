package dev.counterweight.jobs.weighting;

import dev.counterweight.avro.ClassWeight;
import dev.counterweight.avro.ClassWeights;
import dev.counterweight.avro.Sample;
import dev.counterweight.avro.SourceOffset;
import dev.counterweight.connectors.features.FeatureLayout;
import dev.counterweight.core.sampling.DownSamplingConfig;
import dev.counterweight.core.sampling.NegativeDownSampler;
import dev.counterweight.jobs.weighting.internal.LabeledSample;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Stamps each sample with the weight of its class from the newest weight table it has received
 * (broadcast state), applies negative down-sampling (kept negatives get weight x 1/rate and carry
 * the rate), and builds the outgoing Avro {@link Sample}. Before the first table, the weight is 1.
 */
public class StampWeightsFunction
        extends BroadcastProcessFunction<LabeledSample, ClassWeights, Sample> {

    private static final long serialVersionUID = 1L;

    /** Broadcast state holding the newest table under {@link #CURRENT}. */
    public static final MapStateDescriptor<String, ClassWeights> TABLE =
            new MapStateDescriptor<>(
                    "weight-table", Types.STRING, new AvroTypeInfo<>(ClassWeights.class));

    static final String CURRENT = "current";

    private final DownSamplingConfig downSampling;
    private final String sourceTopic;

    private transient NegativeDownSampler sampler;
    private transient long cachedVersion;
    private transient Map<String, Double> cachedWeights;
    private transient double cachedFallback;
    private transient Counter samplesOut;
    private transient Counter samplesDropped;

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
    }

    @Override
    public void processElement(LabeledSample s, ReadOnlyContext ctx, Collector<Sample> out)
            throws Exception {
        ClassWeights table = ctx.getBroadcastState(TABLE).get(CURRENT);
        long tableVersion = table == null ? 0 : table.getVersion();
        if (tableVersion != cachedVersion) {
            cache(table);
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

    @Override
    public void processBroadcastElement(ClassWeights table, Context ctx, Collector<Sample> out)
            throws Exception {
        ClassWeights current = ctx.getBroadcastState(TABLE).get(CURRENT);
        if (current == null || table.getVersion() > current.getVersion()) {
            ctx.getBroadcastState(TABLE).put(CURRENT, table);
        }
    }

    private void cache(ClassWeights table) {
        cachedWeights = new HashMap<>();
        if (table == null) {
            cachedFallback = 1.0;
            cachedVersion = 0;
            return;
        }
        for (ClassWeight c : table.getClasses()) {
            cachedWeights.put(c.getClassKey(), c.getWeight());
        }
        cachedFallback = table.getFallbackWeight();
        cachedVersion = table.getVersion();
    }
}
