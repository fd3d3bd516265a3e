package dev.counterweight.jobs.weighting;

import static dev.counterweight.jobs.weighting.Harnesses.assertSameOutput;
import static dev.counterweight.jobs.weighting.Harnesses.element;
import static dev.counterweight.jobs.weighting.Harnesses.keysWithState;
import static dev.counterweight.jobs.weighting.Harnesses.values;
import static dev.counterweight.jobs.weighting.Harnesses.watermark;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.counterweight.avro.ClassLoss;
import dev.counterweight.avro.ClassWeight;
import dev.counterweight.avro.ClassWeights;
import dev.counterweight.core.decay.HalfLife;
import dev.counterweight.core.weighting.WeightingConfig;
import dev.counterweight.core.weighting.WeightingStrategy;
import dev.counterweight.jobs.weighting.Harnesses.Emitted;
import dev.counterweight.jobs.weighting.Harnesses.Step;
import dev.counterweight.jobs.weighting.internal.ClassCountUpdate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** The global weight table on the heap backend, against counts recomputed from the samples. */
class WeightTableFunctionTest {

    private static final long INTERVAL = 10_000;
    private static final HalfLife HALF_LIFE = HalfLife.of(Duration.ofMinutes(1));
    private static final WeightingConfig INVERSE =
            new WeightingConfig(WeightingStrategy.INVERSE, 0.999, 0.01, 100.0, true);

    /** Closed samples per class (closedAt), none in (30 s, 40 s]. */
    private static final Map<String, List<Long>> SAMPLES = samples();

    private static Map<String, List<Long>> samples() {
        Random random = new Random(7);
        Map<String, List<Long>> out = new TreeMap<>();
        String[] classes = {
            "y=none", "y=none", "y=none", "y=none", "y=click", "y=click", "y=purchase"
        };
        for (int n = 0; n < 80; n++) {
            long closedAt = 1 + random.nextInt(50_000);
            if (closedAt > 30_000 && closedAt <= 40_000) {
                continue;
            }
            out.computeIfAbsent(classes[n % classes.length], k -> new ArrayList<>()).add(closedAt);
        }
        return out;
    }

    private static KeyedTwoInputStreamOperatorTestHarness<
                    Integer, ClassCountUpdate, ClassLoss, ClassWeights>
            harness() throws Exception {
        return Harnesses.strict(
                new KeyedTwoInputStreamOperatorTestHarness<>(
                        new KeyedCoProcessOperator<>(
                                new WeightTableFunction(INVERSE, HALF_LIFE, Duration.ofDays(7), 3)),
                        (ClassCountUpdate u) -> 0,
                        (ClassLoss l) -> 0,
                        Types.INT));
    }

    /** What the class counters send at {@code boundary}: classes with samples in its interval. */
    private static List<Step<ClassCountUpdate>> updatesAt(long boundary) {
        List<Step<ClassCountUpdate>> out = new ArrayList<>();
        SAMPLES.forEach(
                (k, times) -> {
                    List<Long> upTo = times.stream().filter(t -> t <= boundary).toList();
                    if (upTo.stream().noneMatch(t -> t > boundary - INTERVAL)) {
                        return;
                    }
                    long ref = upTo.stream().mapToLong(Long::longValue).max().orElseThrow();
                    double value = 0;
                    for (long t : upTo) {
                        value += Math.pow(0.5, (ref - t) / (double) HALF_LIFE.millis());
                    }
                    out.add(element(new ClassCountUpdate(k, value, ref, boundary), boundary));
                });
        return out;
    }

    /** Brute force: every class's count of samples closed by {@code boundary}, decayed to it. */
    private static Map<String, Double> countsAt(long boundary) {
        Map<String, Double> out = new TreeMap<>();
        SAMPLES.forEach(
                (k, times) -> {
                    double n = 0;
                    for (long t : times) {
                        if (t <= boundary) {
                            n += Math.pow(0.5, (boundary - t) / (double) HALF_LIFE.millis());
                        }
                    }
                    if (n > 0) {
                        out.put(k, n);
                    }
                });
        return out;
    }

    /** Two boundaries passed at once, one alone, one without updates, then the last. */
    private static List<Step<ClassCountUpdate>> script() {
        List<Step<ClassCountUpdate>> s = new ArrayList<>();
        s.addAll(updatesAt(10_000));
        s.addAll(updatesAt(20_000));
        s.add(watermark(20_000));
        s.addAll(updatesAt(30_000));
        s.add(watermark(30_000));
        s.add(watermark(40_000));
        s.addAll(updatesAt(50_000));
        s.add(watermark(50_000));
        return s;
    }

    @Test
    void publishesOneTablePerBoundaryWithIncreasingVersionsAndBruteForceCounts() throws Exception {
        assertThat(updatesAt(40_000)).as("fixture: no update at 40 s").isEmpty();
        try (var h = harness()) {
            h.open();
            List<Step<ClassCountUpdate>> script = script();
            int firstWatermark = script.indexOf(watermark(20_000));
            Harnesses.feed(h, script.subList(0, firstWatermark));
            assertThat(values(h)).as("tables wait for the watermark").isEmpty();
            assertThat(h.numEventTimeTimers()).as("boundaries 10 s and 20 s").isEqualTo(2);
            Harnesses.feed(h, script.subList(firstWatermark, script.size()));

            List<ClassWeights> tables = values(h);
            assertThat(tables).extracting(ClassWeights::getVersion).containsExactly(1L, 2L, 3L, 4L);
            assertThat(tables)
                    .extracting(t -> t.getComputedAt().toEpochMilli())
                    .as("no table at 40 s: nothing changed")
                    .containsExactly(10_000L, 20_000L, 30_000L, 50_000L);
            assertThat(Harnesses.output(h))
                    .filteredOn(Emitted.class::isInstance)
                    .extracting(e -> ((Emitted) e).timestamp)
                    .containsExactly(10_000L, 20_000L, 30_000L, 50_000L);
            for (ClassWeights table : tables) {
                assertMatchesBruteForce(table);
            }

            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(keysWithState(h, WeightTableFunction.PENDING))
                    .as("applied updates are removed")
                    .isEmpty();
            assertThat(h.numKeyedStateEntries())
                    .as(
                            "the table itself stays by design: the TTL'd class counts and the"
                                    + " version of the single key")
                    .isEqualTo(2);
        }
    }

    private static void assertMatchesBruteForce(ClassWeights table) {
        long boundary = table.getComputedAt().toEpochMilli();
        Map<String, Double> counts = countsAt(boundary);
        double total = counts.values().stream().mapToDouble(Double::doubleValue).sum();
        int k = counts.size();
        assertThat(table.getStrategy()).isEqualTo("INVERSE");
        assertThat(table.getHalfLifeMillis()).isEqualTo(HALF_LIFE.millis());
        assertThat(table.getClasses())
                .extracting(ClassWeight::getClassKey)
                .as("classes of table %d", table.getVersion())
                .containsExactlyElementsOf(counts.keySet());
        double maxWeight = 0;
        for (ClassWeight c : table.getClasses()) {
            double n = counts.get(c.getClassKey());
            assertThat(c.getCount())
                    .as("count of %s at %d", c.getClassKey(), boundary)
                    .isCloseTo(n, within(1e-9 * n));
            double w = total / (k * n);
            assertThat(c.getWeight())
                    .as("inverse weight of %s", c.getClassKey())
                    .isCloseTo(w, within(1e-9 * w));
            maxWeight = Math.max(maxWeight, w);
        }
        assertThat(table.getTotalCount()).isCloseTo(total, within(1e-9 * total));
        assertThat(table.getFallbackWeight()).isCloseTo(maxWeight, within(1e-9 * maxWeight));
    }

    @Test
    void snapshotThenRestoreContinuesTheVersions() throws Exception {
        Harnesses.Run expected =
                Harnesses.uninterrupted(WeightTableFunctionTest::harness, script());
        assertThat(expected.main()).filteredOn(Emitted.class::isInstance).hasSize(4);
        for (int split = 1; split < script().size(); split++) {
            assertSameOutput(
                    Harnesses.restoredAfter(split, WeightTableFunctionTest::harness, script()),
                    expected);
        }
    }
}
