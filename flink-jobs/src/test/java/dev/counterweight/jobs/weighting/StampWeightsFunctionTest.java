package dev.counterweight.jobs.weighting;

import static dev.counterweight.jobs.weighting.LabeledSamples.exposure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.counterweight.avro.ClassWeight;
import dev.counterweight.avro.ClassWeights;
import dev.counterweight.avro.Sample;
import dev.counterweight.avro.SourceOffset;
import dev.counterweight.connectors.features.FeatureLayout;
import dev.counterweight.core.sampling.DownSamplingConfig;
import dev.counterweight.core.sampling.StableHash;
import dev.counterweight.jobs.weighting.internal.LabeledSample;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithNonKeyedOperator;
import org.apache.flink.streaming.util.BroadcastOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * Weight stamping from the broadcast table, and deterministic negative down-sampling. The operator
 * is not keyed: it has no timers and no keyed state (the harness cannot even count timers), and its
 * only state, the broadcast table, keeps the newest table alone.
 */
class StampWeightsFunctionTest {

    private static final DownSamplingConfig KEEP_ALL = DownSamplingConfig.uniform(1.0, 42L);
    private static final String NONE = "y=none";
    private static final String CLICK = "y=click";

    private static BroadcastOperatorTestHarness<LabeledSample, ClassWeights, Sample> harness(
            DownSamplingConfig downSampling) throws Exception {
        return Harnesses.strict(
                new BroadcastOperatorTestHarness<>(
                        new CoBroadcastWithNonKeyedOperator<>(
                                new StampWeightsFunction(downSampling, IngestedEvents.TOPIC),
                                List.of(StampWeightsFunction.TABLE)),
                        1,
                        1,
                        0));
    }

    /** A published weight table; classes not listed get {@code fallback}. */
    private static ClassWeights table(long version, double fallback, Map<String, Double> weights) {
        List<ClassWeight> classes = new ArrayList<>();
        new TreeMap<>(weights).forEach((k, w) -> classes.add(new ClassWeight(k, 10.0, w)));
        return ClassWeights.newBuilder()
                .setVersion(version)
                .setStrategy("INVERSE")
                .setComputedAt(Instant.ofEpochMilli(version * 10_000))
                .setHalfLifeMillis(60_000)
                .setTotalCount(10.0 * weights.size())
                .setEffectiveSampleSize(1.0)
                .setImbalanceRatio(1.0)
                .setFallbackWeight(fallback)
                .setClasses(classes)
                .build();
    }

    @Test
    void stampsWeightOneBeforeAnyTableAndBuildsTheAvroSample() throws Exception {
        LabeledSample s =
                exposure("e1")
                        .ofUser("u9")
                        .ofItem("i3")
                        .inCategory("c2")
                        .inClass(NONE)
                        .fromOffset(77)
                        .closedAt(31_000);
        try (var h = harness(KEEP_ALL)) {
            h.open();
            h.processElement(s, 31_000);

            Sample out = h.extractOutputValues().get(0);
            assertThat(out.getWeight()).isEqualTo(1.0);
            assertThat(out.getClassWeight()).isEqualTo(1.0);
            assertThat(out.getWeightTableVersion()).isZero();
            assertThat(out.getSamplingRate()).isEqualTo(1.0);
            assertThat(out.getSampleId()).isEqualTo("e1");
            assertThat(out.getUserId()).isEqualTo("u9");
            assertThat(out.getItemId()).isEqualTo("i3");
            assertThat(out.getCategoryId()).isEqualTo("c2");
            assertThat(out.getRequestId()).isNull();
            assertThat(out.getExposureTime()).isEqualTo(Instant.ofEpochMilli(30_999));
            assertThat(out.getClosedAt()).isEqualTo(Instant.ofEpochMilli(31_000));
            assertThat(out.getClick()).isFalse();
            assertThat(out.getConversion()).isFalse();
            assertThat(out.getCorrection()).isFalse();
            assertThat(out.getSynthetic()).isFalse();
            assertThat(out.getClassKey()).isEqualTo(NONE);
            assertThat(out.getFeatureFingerprint()).isEqualTo(FeatureLayout.FINGERPRINT);
            assertThat(out.getFeatures()).hasSize(FeatureLayout.DENSE + 1).endsWith(0.25f);
            assertThat(out.getSourceOffsets())
                    .containsExactly(new SourceOffset(IngestedEvents.TOPIC, 0, 77L));
        }
    }

    @Test
    void stampsTheClassWeightOfTheNewestTableAndIgnoresStaleOnes() throws Exception {
        try (var h = harness(KEEP_ALL)) {
            h.open();
            h.processBroadcastElement(table(1, 3.0, Map.of(NONE, 0.5, CLICK, 3.0)), 10_000);
            h.processElement(exposure("e1").inClass(NONE).closedAt(11_000), 11_000);
            h.processElement(
                    exposure("e2").inClass("y=purchase").purchased().closedAt(12_000), 12_000);
            h.processBroadcastElement(table(3, 2.0, Map.of(NONE, 0.7)), 30_000);
            h.processBroadcastElement(table(2, 9.0, Map.of(NONE, 9.0)), 20_000);
            h.processElement(exposure("e3").inClass(NONE).closedAt(31_000), 31_000);
            h.processElement(exposure("e4").inClass(CLICK).clicked().closedAt(32_000), 32_000);

            assertThat(h.extractOutputValues())
                    .extracting(
                            Sample::getSampleId,
                            Sample::getWeight,
                            Sample::getClassWeight,
                            Sample::getWeightTableVersion)
                    .containsExactly(
                            tuple("e1", 0.5, 0.5, 1L),
                            tuple("e2", 3.0, 3.0, 1L),
                            tuple("e3", 0.7, 0.7, 3L),
                            tuple("e4", 2.0, 2.0, 3L));
            assertThat(h.getBroadcastState(StampWeightsFunction.TABLE).entries())
                    .as("the broadcast state holds only the newest table")
                    .singleElement()
                    .satisfies(e -> assertThat(e.getValue().getVersion()).isEqualTo(3L));
        }
    }

    private static List<LabeledSample> negativesAndPositives() {
        List<LabeledSample> out = new ArrayList<>();
        for (int n = 0; n < 400; n++) {
            out.add(exposure("n" + n).inClass(NONE).closedAt(1_000 + n));
            if (n % 10 == 0) {
                out.add(exposure("p" + n).inClass(NONE).clicked().closedAt(1_000 + n));
            }
        }
        return out;
    }

    private static List<Sample> downSampled(DownSamplingConfig config) throws Exception {
        try (var h = harness(config)) {
            h.open();
            h.processBroadcastElement(table(1, 2.0, Map.of(NONE, 2.0)), 0);
            for (LabeledSample s : negativesAndPositives()) {
                h.processElement(s, s.closedAt);
            }
            return h.extractOutputValues();
        }
    }

    @Test
    void keepsAllPositivesAndAFixedSubsetOfNegativesWeightedByOneOverTheRate() throws Exception {
        double rate = 0.25;
        long seed = 7L;
        List<Sample> out = downSampled(DownSamplingConfig.uniform(rate, seed));

        Set<String> expectedNegatives = new HashSet<>();
        for (LabeledSample s : negativesAndPositives()) {
            if (!s.click && StableHash.unitInterval(seed, s.sampleId) < rate) {
                expectedNegatives.add(s.sampleId);
            }
        }
        assertThat(out)
                .filteredOn(Sample::getClick)
                .as("every positive, at the class weight")
                .hasSize(40)
                .allSatisfy(
                        s -> {
                            assertThat(s.getWeight()).isEqualTo(2.0);
                            assertThat(s.getSamplingRate()).isEqualTo(1.0);
                        });
        List<Sample> negatives = out.stream().filter(s -> !s.getClick()).toList();
        assertThat(negatives)
                .extracting(Sample::getSampleId)
                .as("the negatives whose seeded hash falls below the rate")
                .containsExactlyInAnyOrderElementsOf(expectedNegatives);
        assertThat(negatives).hasSizeBetween(70, 130);
        assertThat(negatives)
                .allSatisfy(
                        s -> {
                            assertThat(s.getWeight()).isEqualTo(2.0 / rate);
                            assertThat(s.getClassWeight()).isEqualTo(2.0);
                            assertThat(s.getSamplingRate()).isEqualTo(rate);
                        });
        assertThat(downSampled(DownSamplingConfig.uniform(rate, seed)))
                .as("a replay makes the same decisions")
                .isEqualTo(out);
    }

    @Test
    void snapshotThenRestoreKeepsTheBroadcastTable() throws Exception {
        ClassWeights v1 = table(1, 4.0, Map.of(NONE, 0.5));
        List<LabeledSample> samples = negativesAndPositives().subList(0, 40);
        DownSamplingConfig half = DownSamplingConfig.uniform(0.5, 3L);

        List<Sample> expected;
        try (var h = harness(half)) {
            h.open();
            h.processBroadcastElement(v1, 0);
            for (LabeledSample s : samples) {
                h.processElement(s, s.closedAt);
            }
            expected = h.extractOutputValues();
        }
        assertThat(expected).extracting(Sample::getWeightTableVersion).containsOnly(1L);

        for (int split = 0; split < samples.size(); split += 7) {
            List<Sample> restored = new ArrayList<>();
            OperatorSubtaskState snap;
            try (var before = harness(half)) {
                before.open();
                before.processBroadcastElement(v1, 0);
                for (LabeledSample s : samples.subList(0, split)) {
                    before.processElement(s, s.closedAt);
                }
                snap = before.snapshot(1L, 1L);
                restored.addAll(before.extractOutputValues());
            }
            try (var after = harness(half)) {
                after.initializeState(snap);
                after.open();
                for (LabeledSample s : samples.subList(split, samples.size())) {
                    after.processElement(s, s.closedAt);
                }
                restored.addAll(after.extractOutputValues());
            }
            assertThat(restored).as("restored after %d samples", split).isEqualTo(expected);
        }
    }

    private static List<String> keys(BroadcastState<String, ClassWeights> state) throws Exception {
        List<String> keys = new ArrayList<>();
        state.entries().forEach(e -> keys.add(e.getKey()));
        return keys;
    }

    /** Part {@code part} of {@code parts} of a table version. */
    private static ClassWeights part(
            long version, int part, int parts, double fallback, Map<String, Double> weights) {
        ClassWeights t = table(version, fallback, weights);
        t.setPart(part);
        t.setParts(parts);
        return t;
    }

    @Test
    void aTableInPartsIsUsedOnlyOnceAllItsPartsHaveArrivedAndSurvivesARestore() throws Exception {
        String other = "y=purchase";
        try (var h = harness(KEEP_ALL)) {
            h.open();
            h.processBroadcastElement(table(1, 3.0, Map.of(NONE, 0.5)), 0);
            h.processBroadcastElement(part(2, 0, 3, 4.0, Map.of(CLICK, 2.0)), 0);
            h.processBroadcastElement(part(2, 1, 3, 4.0, Map.of(NONE, 0.25)), 0);
            h.processElement(exposure("e1").inClass(NONE).closedAt(10), 10);
            h.processElement(exposure("e2").inClass(CLICK).clicked().closedAt(11), 11);

            OperatorSubtaskState midVersion = h.snapshot(1L, 1L);
            h.processBroadcastElement(part(2, 2, 3, 4.0, Map.of(other, 6.0)), 0);
            h.processElement(exposure("e3").inClass(NONE).closedAt(12), 12);
            h.processElement(exposure("e4").inClass(CLICK).clicked().closedAt(13), 13);
            h.processElement(exposure("e5").inClass(other).closedAt(14), 14);
            h.processElement(exposure("e6").inClass("y=unknown").closedAt(15), 15);

            assertThat(h.extractOutputValues())
                    .extracting(
                            Sample::getSampleId,
                            Sample::getClassWeight,
                            Sample::getWeightTableVersion)
                    .as("version 1 until the last part of version 2, then all of version 2")
                    .containsExactly(
                            tuple("e1", 0.5, 1L),
                            tuple("e2", 3.0, 1L),
                            tuple("e3", 0.25, 2L),
                            tuple("e4", 2.0, 2L),
                            tuple("e5", 6.0, 2L),
                            tuple("e6", 4.0, 2L));
            assertThat(keys(h.getBroadcastState(StampWeightsFunction.TABLE)))
                    .as("the complete version's parts, nothing staged")
                    .containsExactlyInAnyOrder("current", "current#1", "current#2");

            // Version 3 in one record drops the extra parts of version 2.
            h.processBroadcastElement(table(3, 1.0, Map.of(NONE, 0.9)), 0);
            h.processElement(exposure("e7").inClass(other).closedAt(16), 16);
            assertThat(h.extractOutputValues().get(6).getClassWeight()).isEqualTo(1.0);
            assertThat(keys(h.getBroadcastState(StampWeightsFunction.TABLE)))
                    .containsExactly("current");

            try (var after = harness(KEEP_ALL)) {
                after.initializeState(midVersion);
                after.open();
                after.processElement(exposure("e8").inClass(CLICK).clicked().closedAt(17), 17);
                after.processBroadcastElement(part(2, 2, 3, 4.0, Map.of(other, 6.0)), 0);
                after.processElement(exposure("e9").inClass(other).closedAt(18), 18);
                assertThat(after.extractOutputValues())
                        .extracting(Sample::getClassWeight, Sample::getWeightTableVersion)
                        .as("the staged parts of version 2 survive the restore")
                        .containsExactly(tuple(3.0, 1L), tuple(6.0, 2L));
            }
        }
    }
}
