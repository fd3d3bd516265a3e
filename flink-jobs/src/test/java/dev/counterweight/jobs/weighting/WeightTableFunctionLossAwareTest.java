package dev.counterweight.jobs.weighting;

import static dev.counterweight.jobs.weighting.Harnesses.assertSameOutput;
import static dev.counterweight.jobs.weighting.Harnesses.element;
import static dev.counterweight.jobs.weighting.Harnesses.keysWithState;
import static dev.counterweight.jobs.weighting.Harnesses.second;
import static dev.counterweight.jobs.weighting.Harnesses.values;
import static dev.counterweight.jobs.weighting.Harnesses.watermark;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.counterweight.avro.ClassLoss;
import dev.counterweight.avro.ClassLossEntry;
import dev.counterweight.avro.ClassWeight;
import dev.counterweight.avro.ClassWeights;
import dev.counterweight.core.decay.HalfLife;
import dev.counterweight.core.weighting.LossAwareConfig;
import dev.counterweight.core.weighting.WeightingConfig;
import dev.counterweight.core.weighting.WeightingStrategy;
import dev.counterweight.jobs.weighting.Harnesses.Emitted;
import dev.counterweight.jobs.weighting.Harnesses.Step;
import dev.counterweight.jobs.weighting.internal.ClassCountUpdate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * Loss-aware weights in the global weight table on RocksDB: class-loss windows folded into the
 * smoothed ratios as they arrive, applied at the next boundary, checked against weights worked out
 * by hand; and the same output after a snapshot-then-restore at every step.
 */
class WeightTableFunctionLossAwareTest {

    private static final WeightingConfig INVERSE =
            new WeightingConfig(WeightingStrategy.INVERSE, 0.999, 0.01, 100.0, true);
    private static final LossAwareConfig LOSS_AWARE =
            new LossAwareConfig(1.0, 0.3, 0.5, 2.0, 5, true);
    private static final Map<String, Double> COUNTS = Map.of("a", 90.0, "b", 9.0, "c", 1.0);

    private static KeyedTwoInputStreamOperatorTestHarness<
                    Integer, ClassCountUpdate, ClassLoss, ClassWeights>
            harness(LossAwareConfig lossAware) throws Exception {
        var h =
                Harnesses.strict(
                        new KeyedTwoInputStreamOperatorTestHarness<>(
                                new KeyedCoProcessOperator<>(
                                        new WeightTableFunction(
                                                INVERSE,
                                                HalfLife.NONE,
                                                Duration.ofDays(7),
                                                0,
                                                lossAware)),
                                (ClassCountUpdate u) -> 0,
                                (ClassLoss l) -> 0,
                                Types.INT));
        h.setStateBackend(new EmbeddedRocksDBStateBackend());
        return h;
    }

    private static KeyedTwoInputStreamOperatorTestHarness<
                    Integer, ClassCountUpdate, ClassLoss, ClassWeights>
            lossAware() throws Exception {
        return harness(LOSS_AWARE);
    }

    /** Every class's (undecayed) count, re-sent at {@code boundary}. */
    private static List<Step<ClassCountUpdate>> countsAt(long boundary) {
        List<Step<ClassCountUpdate>> out = new ArrayList<>();
        COUNTS.forEach(
                (k, n) ->
                        out.add(element(new ClassCountUpdate(k, n, boundary, boundary), boundary)));
        return out;
    }

    /** A class-loss window: key, mean loss, samples, key, mean loss, samples, ... */
    private static Step<ClassCountUpdate> lossWindow(double overall, Object... entries) {
        List<ClassLossEntry> classes = new ArrayList<>();
        for (int i = 0; i < entries.length; i += 3) {
            classes.add(
                    new ClassLossEntry(
                            (String) entries[i],
                            ((Number) entries[i + 1]).doubleValue(),
                            ((Number) entries[i + 2]).longValue()));
        }
        ClassLoss loss =
                ClassLoss.newBuilder()
                        .setModelVersion(1)
                        .setWindowEnd(Instant.EPOCH)
                        .setSamples(100)
                        .setOverallMeanLoss(overall)
                        .setClasses(classes)
                        .build();
        return second(loss, 0);
    }

    /** Table at 10 s without losses; a window; table at 20 s; a window alone; table at 30 s. */
    private static List<Step<ClassCountUpdate>> script() {
        List<Step<ClassCountUpdate>> s = new ArrayList<>(countsAt(10_000));
        s.add(watermark(10_000));
        // c has 3 samples: below min-samples 5, ignored.
        s.add(lossWindow(1.0, "a", 0.5, 50, "b", 1.0, 20, "c", 3.0, 3));
        s.addAll(countsAt(20_000));
        s.add(watermark(20_000));
        s.add(lossWindow(2.0, "a", 1.0, 50, "c", 8.0, 10));
        s.add(watermark(25_000));
        s.addAll(countsAt(30_000));
        s.add(watermark(30_000));
        return s;
    }

    /**
     * By hand: inverse weights 100 / (3 n), times clip(ratio, 0.5, 2), rescaled to the same Σ n w,
     * clipped to [0.01, 100] (no effect here), normalised to count-weighted mean 1.
     */
    private static Map<String, Double> expected(Map<String, Double> ratios) {
        Map<String, Double> w = new LinkedHashMap<>();
        double before = 0;
        double after = 0;
        for (String k : List.of("a", "b", "c")) {
            double n = COUNTS.get(k);
            double raw = 100.0 / (3 * n);
            double m = Math.min(2.0, Math.max(0.5, ratios.getOrDefault(k, 1.0)));
            before += n * raw;
            after += n * raw * m;
            w.put(k, raw * m);
        }
        double sum = 0;
        for (String k : w.keySet()) {
            w.put(k, w.get(k) * before / after);
            sum += COUNTS.get(k) * w.get(k);
        }
        for (String k : w.keySet()) {
            w.put(k, w.get(k) * 100.0 / sum);
        }
        return w;
    }

    private static void assertWeights(ClassWeights table, Map<String, Double> expected) {
        assertThat(table.getClasses()).hasSize(3);
        for (ClassWeight c : table.getClasses()) {
            double e = expected.get(c.getClassKey().toString());
            assertThat(c.getWeight())
                    .as("weight of %s in table %d", c.getClassKey(), table.getVersion())
                    .isCloseTo(e, within(1e-12 * e));
        }
    }

    @Test
    void lossWindowsChangeTheNextTableOnlyAndMatchTheHandComputedWeights() throws Exception {
        try (var h = lossAware()) {
            h.open();
            Harnesses.feed(h, script());
            List<ClassWeights> tables = values(h);
            assertThat(tables)
                    .extracting(t -> t.getComputedAt().toEpochMilli())
                    .as("a loss window alone publishes no table (none at 25 s)")
                    .containsExactly(10_000L, 20_000L, 30_000L);

            assertWeights(tables.get(0), expected(Map.of()));
            // a: 0.7 + 0.3 × 0.5/1; b: 0.7 + 0.3 × 1/1; c: too few samples
            Map<String, Double> second = Map.of("a", 0.85, "b", 1.0);
            assertWeights(tables.get(1), expected(second));
            // a: 0.7 × 0.85 + 0.3 × 1/2; c: 0.7 + 0.3 × 8/2 = 1.9; b unchanged
            Map<String, Double> third = Map.of("a", 0.745, "b", 1.0, "c", 1.9);
            assertWeights(tables.get(2), expected(third));
            assertThat(tables.get(1).getClasses().get(0).getWeight())
                    .as("a class with less than average loss loses weight")
                    .isLessThan(tables.get(0).getClasses().get(0).getWeight());

            assertThat(keysWithState(h, WeightTableFunction.LOSS_RATIOS)).containsExactly(0);
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void withLossAwareOffTheLossInputIsIgnored() throws Exception {
        try (var h = harness(null)) {
            h.open();
            Harnesses.feed(h, script());
            List<ClassWeights> tables = values(h);
            assertThat(tables).hasSize(3);
            for (ClassWeights t : tables) {
                assertWeights(t, expected(Map.of()));
            }
            assertThat(keysWithState(h, WeightTableFunction.LOSS_RATIOS)).isEmpty();
        }
    }

    @Test
    void snapshotThenRestoreKeepsTheRatios() throws Exception {
        Harnesses.Run expected =
                Harnesses.uninterrupted(WeightTableFunctionLossAwareTest::lossAware, script());
        assertThat(expected.main()).filteredOn(Emitted.class::isInstance).hasSize(3);
        for (int split = 1; split < script().size(); split++) {
            assertSameOutput(
                    Harnesses.restoredAfter(
                            split, WeightTableFunctionLossAwareTest::lossAware, script()),
                    expected);
        }
    }
}
