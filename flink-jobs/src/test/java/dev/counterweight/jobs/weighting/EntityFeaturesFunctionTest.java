package dev.counterweight.jobs.weighting;

import static dev.counterweight.jobs.weighting.Harnesses.assertSameOutput;
import static dev.counterweight.jobs.weighting.Harnesses.element;
import static dev.counterweight.jobs.weighting.Harnesses.values;
import static dev.counterweight.jobs.weighting.Harnesses.watermark;
import static dev.counterweight.jobs.weighting.LabeledSamples.exposure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.counterweight.connectors.features.FeatureLayout;
import dev.counterweight.core.decay.HalfLife;
import dev.counterweight.jobs.weighting.Harnesses.Step;
import dev.counterweight.jobs.weighting.internal.LabeledSample;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** Item features (offset {@link FeatureLayout#ITEM}), keyed by item, on the heap backend. */
class EntityFeaturesFunctionTest {

    private static final double PRIOR_CLICKS = 1.0;
    private static final double PRIOR_EXPOSURES = 20.0;

    private static KeyedOneInputStreamOperatorTestHarness<String, LabeledSample, LabeledSample>
            harness(HalfLife halfLife) throws Exception {
        return Harnesses.strict(
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(
                                new EntityFeaturesFunction(
                                        FeatureLayout.ITEM,
                                        halfLife,
                                        PRIOR_CLICKS,
                                        PRIOR_EXPOSURES,
                                        Duration.ofDays(7))),
                        (LabeledSample s) -> s.itemId,
                        Types.STRING));
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, LabeledSample, LabeledSample>
            undecayed() throws Exception {
        return harness(HalfLife.NONE);
    }

    /** Two items; the first gets a correction, which must not count as another exposure. */
    private static List<Step<LabeledSample>> twoItems() {
        return List.of(
                element(exposure("e1").ofItem("i1").closedAt(1_000), 1_000),
                element(exposure("e2").ofItem("i1").clicked().closedAt(2_000), 2_000),
                watermark(2_000),
                element(
                        exposure("e1").ofItem("i1").correctedByLatePurchase().closedAt(3_000),
                        3_000),
                element(exposure("e3").ofItem("i1").closedAt(4_000), 4_000),
                element(exposure("e4").ofItem("i2").purchased().closedAt(4_500), 4_500),
                watermark(4_500),
                element(exposure("e5").ofItem("i2").closedAt(5_000), 5_000),
                watermark(6_000));
    }

    private static float[] itemFeatures(LabeledSample s) {
        return Arrays.copyOfRange(s.features, FeatureLayout.ITEM, FeatureLayout.ITEM + 4);
    }

    private static float[] activity(double exposures, double clicks, double purchases) {
        return new float[] {
            (float) exposures,
            (float) clicks,
            (float) purchases,
            (float) ((clicks + PRIOR_CLICKS) / (exposures + PRIOR_EXPOSURES))
        };
    }

    @Test
    void writesTheItemsActivityBeforeEachSampleAndSkipsCorrections() throws Exception {
        try (var h = undecayed()) {
            h.open();
            Harnesses.feed(h, twoItems());

            List<LabeledSample> out = values(h);
            assertThat(out)
                    .extracting(s -> s.sampleId)
                    .containsExactly("e1", "e2", "e1#correction", "e3", "e4", "e5");
            assertThat(itemFeatures(out.get(0))).containsExactly(activity(0, 0, 0));
            assertThat(itemFeatures(out.get(1))).containsExactly(activity(1, 0, 0));
            assertThat(itemFeatures(out.get(2))).containsExactly(activity(2, 1, 0));
            assertThat(itemFeatures(out.get(3)))
                    .as("the correction relabels e1, it is not a third exposure")
                    .containsExactly(activity(2, 1, 0));
            assertThat(itemFeatures(out.get(4)))
                    .as("another item")
                    .containsExactly(activity(0, 0, 0));
            assertThat(itemFeatures(out.get(5))).containsExactly(activity(1, 1, 1));
            assertThat(out)
                    .as("the other slots are left alone")
                    .allSatisfy(
                            s -> {
                                assertThat(s.features[FeatureLayout.USER]).isZero();
                                assertThat(s.features[FeatureLayout.CATEGORY + 3]).isZero();
                                assertThat(s.features[FeatureLayout.DENSE]).isEqualTo(0.25f);
                            });

            assertThat(h.numEventTimeTimers()).as("no timers: activity expires by TTL").isZero();
            assertThat(h.numKeyedStateEntries())
                    .as("one activity entry per item; never cleared, expires by features.state-ttl")
                    .isEqualTo(2);
        }
    }

    @Test
    void decaysTheActivityWithTheHalfLife() throws Exception {
        try (var h = harness(HalfLife.of(Duration.ofMinutes(1)))) {
            h.open();
            h.processElement(exposure("e1").clicked().closedAt(0), 0);
            h.processElement(exposure("e2").closedAt(60_000), 60_000);
            h.processElement(exposure("e3").closedAt(120_000), 120_000);
            h.processWatermark(120_000);

            List<LabeledSample> out = values(h);
            assertThat(itemFeatures(out.get(1))[0]).isCloseTo(0.5f, within(1e-6f));
            assertThat(itemFeatures(out.get(1))[1]).isCloseTo(0.5f, within(1e-6f));
            assertThat(itemFeatures(out.get(2))[0]).isCloseTo(0.25f + 0.5f, within(1e-6f));
            assertThat(itemFeatures(out.get(2))[1]).isCloseTo(0.25f, within(1e-6f));
        }
    }

    /**
     * Samples of one item reach the operator from two attribution subtasks in any order. The
     * features must be those of the (closedAt, sampleId) order regardless: a later sample's
     * exposure must never be counted into an earlier sample's features.
     */
    @Test
    void appliesSamplesInClosedAtOrderWhateverTheArrivalOrder() throws Exception {
        try (var h = undecayed()) {
            h.open();
            h.processElement(exposure("e3").clicked().closedAt(3_000), 3_000);
            h.processElement(exposure("e1").closedAt(1_000), 1_000);
            h.processElement(exposure("e2b").closedAt(2_000), 2_000);
            h.processElement(exposure("e2a").closedAt(2_000), 2_000);
            assertThat(values(h)).as("nothing before the watermark passes").isEmpty();
            h.processWatermark(3_000);

            List<LabeledSample> out = values(h);
            assertThat(out).extracting(s -> s.sampleId).containsExactly("e1", "e2a", "e2b", "e3");
            assertThat(itemFeatures(out.get(0))).containsExactly(activity(0, 0, 0));
            assertThat(itemFeatures(out.get(1))).containsExactly(activity(1, 0, 0));
            assertThat(itemFeatures(out.get(2))).containsExactly(activity(2, 0, 0));
            assertThat(itemFeatures(out.get(3))).containsExactly(activity(3, 0, 0));
            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(h.numKeyedStateEntries())
                    .as("the buffer is empty again; only the activity remains")
                    .isEqualTo(1);
        }
    }

    @Test
    void snapshotThenRestoreGivesTheSameOutputAsAnUninterruptedRun() throws Exception {
        Harnesses.Run expected =
                Harnesses.uninterrupted(EntityFeaturesFunctionTest::undecayed, twoItems());
        for (int split = 1; split < twoItems().size(); split++) {
            assertSameOutput(
                    Harnesses.restoredAfter(
                            split, EntityFeaturesFunctionTest::undecayed, twoItems()),
                    expected);
        }
    }
}
