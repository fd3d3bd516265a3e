package dev.counterweight.jobs.weighting;

import static dev.counterweight.jobs.weighting.Harnesses.assertSameOutput;
import static dev.counterweight.jobs.weighting.Harnesses.element;
import static dev.counterweight.jobs.weighting.Harnesses.keyedStateEntries;
import static dev.counterweight.jobs.weighting.Harnesses.keysWithState;
import static dev.counterweight.jobs.weighting.Harnesses.sideValues;
import static dev.counterweight.jobs.weighting.Harnesses.values;
import static dev.counterweight.jobs.weighting.Harnesses.watermark;
import static dev.counterweight.jobs.weighting.LabeledSamples.exposure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.counterweight.core.decay.HalfLife;
import dev.counterweight.jobs.weighting.Harnesses.Element;
import dev.counterweight.jobs.weighting.Harnesses.Step;
import dev.counterweight.jobs.weighting.internal.ClassCountUpdate;
import dev.counterweight.jobs.weighting.internal.LabeledSample;
import dev.counterweight.jobs.weighting.internal.Tags;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.state.rocksdb.RocksDBKeyedStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** Class counts staged per update boundary, on RocksDB, against a brute-force recount. */
class ClassCountFunctionTest {

    private static final long INTERVAL = 10_000;
    private static final long LAST_BOUNDARY = 60_000;
    private static final HalfLife HALF_LIFE = HalfLife.of(Duration.ofMinutes(1));

    private static final String NEGATIVES_A = "cat=a|y=none";
    private static final String CLICKS_A = "cat=a|y=click";
    private static final String NEGATIVES_B = "cat=b|y=none";

    /** Has samples in the first and the last interval only. */
    private static final String RARE = "cat=c|y=purchase";

    private static KeyedOneInputStreamOperatorTestHarness<String, LabeledSample, LabeledSample>
            harness() throws Exception {
        var h =
                Harnesses.strict(
                        new KeyedOneInputStreamOperatorTestHarness<>(
                                new KeyedProcessOperator<>(
                                        new ClassCountFunction(
                                                HALF_LIFE, INTERVAL, Duration.ofDays(7))),
                                (LabeledSample s) -> s.classKey,
                                Types.STRING));
        h.setStateBackend(new EmbeddedRocksDBStateBackend());
        return h;
    }

    private static LabeledSample sample(int n, String classKey, long closedAt) {
        return exposure("e" + n).inClass(classKey).fromOffset(n).closedAt(closedAt);
    }

    /**
     * 150 samples over six intervals, two exactly on and just after a boundary, in shuffled order;
     * every sample arrives before the watermark passes its closedAt, as attribution guarantees.
     */
    private static List<Step<LabeledSample>> shuffledSamples() {
        Random random = new Random(42);
        String[] classes = {NEGATIVES_A, CLICKS_A, NEGATIVES_B};
        List<LabeledSample> all = new ArrayList<>();
        for (int n = 0; n < 150; n++) {
            all.add(sample(n, classes[n % 3], 1 + random.nextInt((int) LAST_BOUNDARY)));
        }
        all.add(sample(150, NEGATIVES_B, 20_000));
        all.add(sample(151, NEGATIVES_B, 20_001));
        all.add(sample(152, RARE, 5_000));
        all.add(sample(153, RARE, 55_000));
        List<LabeledSample> early = new ArrayList<>();
        List<LabeledSample> late = new ArrayList<>();
        for (LabeledSample s : all) {
            (s.closedAt <= 25_000 ? early : late).add(s);
        }
        Collections.shuffle(early, random);
        Collections.shuffle(late, random);
        List<Step<LabeledSample>> script = new ArrayList<>();
        early.forEach(s -> script.add(element(s, s.closedAt)));
        script.add(watermark(20_000));
        late.forEach(s -> script.add(element(s, s.closedAt)));
        script.add(watermark(45_000));
        script.add(watermark(LAST_BOUNDARY));
        return script;
    }

    private static List<LabeledSample> samplesOf(List<Step<LabeledSample>> script) {
        List<LabeledSample> out = new ArrayList<>();
        for (Step<LabeledSample> step : script) {
            if (step instanceof Element<LabeledSample> e) {
                out.add(e.value());
            }
        }
        return out;
    }

    /**
     * The update for each boundary and each class with a sample in the interval ending there,
     * recounted from scratch over all samples with {@code closedAt <= boundary}.
     */
    private static List<ClassCountUpdate> bruteForce(List<LabeledSample> samples) {
        List<ClassCountUpdate> out = new ArrayList<>();
        for (long b = INTERVAL; b <= LAST_BOUNDARY; b += INTERVAL) {
            final long boundary = b;
            for (String k : List.of(NEGATIVES_A, CLICKS_A, NEGATIVES_B, RARE)) {
                List<LabeledSample> upTo =
                        samples.stream()
                                .filter(s -> s.classKey.equals(k) && s.closedAt <= boundary)
                                .toList();
                boolean inInterval = upTo.stream().anyMatch(s -> s.closedAt > boundary - INTERVAL);
                if (!inInterval) {
                    continue;
                }
                long ref = upTo.stream().mapToLong(s -> s.closedAt).max().orElseThrow();
                double value = 0;
                for (LabeledSample s : upTo) {
                    value += Math.pow(0.5, (ref - s.closedAt) / (double) HALF_LIFE.millis());
                }
                out.add(new ClassCountUpdate(k, value, ref, boundary));
            }
        }
        return out;
    }

    private static final Comparator<ClassCountUpdate> BY_BOUNDARY_AND_CLASS =
            Comparator.comparingLong((ClassCountUpdate u) -> u.boundary)
                    .thenComparing(u -> u.classKey);

    @Test
    void eachUpdateCountsExactlyTheSamplesClosedAtOrBeforeItsBoundary() throws Exception {
        List<Step<LabeledSample>> script = shuffledSamples();
        List<ClassCountUpdate> expected = new ArrayList<>(bruteForce(samplesOf(script)));
        expected.sort(BY_BOUNDARY_AND_CLASS);
        try (var h = harness()) {
            h.open();
            assertThat(h.getOperator().getKeyedStateBackend())
                    .isInstanceOf(RocksDBKeyedStateBackend.class);
            Harnesses.feed(h, script.subList(0, script.size() - 2));
            assertThat(h.numEventTimeTimers())
                    .as("one boundary timer per class and staged boundary after 20 s")
                    .isEqualTo(expected.stream().filter(u -> u.boundary > 20_000).count());
            Harnesses.feed(h, script.subList(script.size() - 2, script.size()));

            assertThat(values(h))
                    .as("samples pass through at once, in arrival order")
                    .extracting(s -> s.sampleId)
                    .containsExactlyElementsOf(
                            samplesOf(script).stream().map(s -> s.sampleId).toList());

            List<ClassCountUpdate> updates = sideValues(h, Tags.CLASS_COUNTS);
            assertThat(updates)
                    .as("emitted boundary by boundary")
                    .isSortedAccordingTo(Comparator.comparingLong(u -> u.boundary));
            List<ClassCountUpdate> sorted = new ArrayList<>(updates);
            sorted.sort(BY_BOUNDARY_AND_CLASS);
            assertThat(sorted)
                    .extracting(u -> u.boundary + " " + u.classKey + " ref=" + u.referenceTime)
                    .containsExactlyElementsOf(
                            expected.stream()
                                    .map(
                                            u ->
                                                    u.boundary
                                                            + " "
                                                            + u.classKey
                                                            + " ref="
                                                            + u.referenceTime)
                                    .toList());
            for (int i = 0; i < expected.size(); i++) {
                assertThat(sorted.get(i).value)
                        .as("count of %s at %d", expected.get(i).classKey, expected.get(i).boundary)
                        .isCloseTo(expected.get(i).value, within(1e-9 * expected.get(i).value));
            }
            assertThat(sorted)
                    .filteredOn(u -> u.classKey.equals(NEGATIVES_B) && u.boundary == 20_000)
                    .singleElement()
                    .as("the sample closed exactly at the boundary is in, the next one is not")
                    .satisfies(u -> assertThat(u.referenceTime).isEqualTo(20_000));
            assertThat(sorted)
                    .filteredOn(u -> u.classKey.equals(RARE))
                    .extracting(u -> u.boundary)
                    .as("no update for a class without samples in the interval")
                    .containsExactly(10_000L, 60_000L);

            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(keysWithState(h, ClassCountFunction.STAGED)).as("staged counts").isEmpty();
            assertThat(keysWithState(h, ClassCountFunction.COUNT))
                    .as("the class count stays; it expires by features.state-ttl")
                    .containsExactlyInAnyOrder(NEGATIVES_A, CLICKS_A, NEGATIVES_B, RARE);
            assertThat(keyedStateEntries(h))
                    .as("only the four TTL'd class counts remain")
                    .isEqualTo(4);
        }
    }

    @Test
    void snapshotThenRestoreGivesTheSameOutputAsAnUninterruptedRun() throws Exception {
        List<Step<LabeledSample>> script = shuffledSamples();
        int firstWatermark = script.indexOf(watermark(20_000));
        Harnesses.Run expected =
                Harnesses.uninterrupted(ClassCountFunctionTest::harness, script, Tags.CLASS_COUNTS);
        assertThat(expected.sides().get(Tags.CLASS_COUNTS.getId())).isNotEmpty();
        for (int split :
                List.of(1, 40, firstWatermark, firstWatermark + 1, 120, script.size() - 1)) {
            Harnesses.Run restored =
                    Harnesses.restoredAfter(
                            split,
                            ClassCountFunctionTest::harness,
                            shuffledSamples(),
                            Tags.CLASS_COUNTS);
            assertSameOutput(restored, expected);
        }
    }
}
