package dev.counterweight.core.weighting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.counterweight.core.decay.DecayedCount;
import dev.counterweight.core.decay.HalfLife;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The class-count rule: samples staged by update boundary and folded in at the boundary give, at
 * every boundary, the decayed count of exactly the samples closed at or before it, checked against
 * the direct sum of 2^(-(boundary - closedAt) / halfLife) over those samples.
 */
class ClassCountingTest {

    private static final long INTERVAL = 10_000;
    private static final HalfLife HALF_LIFE = HalfLife.of(Duration.ofSeconds(30));
    private static final WeightingConfig INVERSE =
            new WeightingConfig(WeightingStrategy.INVERSE, 0.999, 0.01, 100.0, true);

    private record Closed(String classKey, long closedAt) {}

    @Test
    void boundaryOfIsTheFirstMultipleOfTheIntervalAtOrAfterATime() {
        assertThat(ClassCounting.boundaryOf(0, INTERVAL)).isZero();
        assertThat(ClassCounting.boundaryOf(1, INTERVAL)).isEqualTo(10_000);
        assertThat(ClassCounting.boundaryOf(10_000, INTERVAL)).isEqualTo(10_000);
        assertThat(ClassCounting.boundaryOf(10_001, INTERVAL)).isEqualTo(20_000);
        assertThat(ClassCounting.boundaryOf(-1, INTERVAL)).isZero();
        assertThat(ClassCounting.boundaryOf(-10_001, INTERVAL)).isEqualTo(-10_000);
    }

    @Test
    void aNonPositiveIntervalIsRefusedNamingTheOption() {
        assertThatThrownBy(() -> new ClassCounting(HALF_LIFE, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("weights.update-interval");
    }

    @Test
    void stagedAndFoldedCountsAreTheDirectDecayedSumAtEveryBoundary() {
        ClassCounting counting = new ClassCounting(HALF_LIFE, INTERVAL);
        for (int seed = 0; seed < 20; seed++) {
            Random random = new Random(seed);
            List<Closed> samples = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                // Coarse times: many samples on a boundary, many in one interval.
                long t = random.nextInt(40) * 2_500L + (random.nextBoolean() ? 0 : 1);
                samples.add(new Closed("c" + random.nextInt(5), t));
            }
            // The operators' way: count each sample into its (boundary, class) staged value in
            // arrival (random) order, then fold the boundaries in time order.
            TreeMap<Long, Map<String, DecayedCount>> staged = new TreeMap<>();
            for (Closed s : samples) {
                Map<String, DecayedCount> at =
                        staged.computeIfAbsent(
                                counting.boundaryOf(s.closedAt()), b -> new HashMap<>());
                at.put(s.classKey(), counting.count(at.get(s.classKey()), s.closedAt()));
            }
            Map<String, DecayedCount> counts = new HashMap<>();
            long version = 0;
            for (Map.Entry<Long, Map<String, DecayedCount>> b : staged.entrySet()) {
                b.getValue().forEach((k, v) -> counts.put(k, counting.fold(counts.get(k), v)));
                WeightTable table =
                        ClassCounting.tableAt(
                                ++version, b.getKey(), counts.entrySet(), HALF_LIFE, INVERSE, null);
                Map<String, Double> expected = directSums(samples, b.getKey());
                WeightTable reference = WeightTable.compute(version, expected, INVERSE);
                assertThat(table.version()).isEqualTo(version);
                assertThat(table.entries().keySet()).isEqualTo(expected.keySet());
                for (String k : expected.keySet()) {
                    assertThat(table.entries().get(k).count())
                            .as("class %s at %s", k, b.getKey())
                            .isCloseTo(expected.get(k), within(1e-9));
                    assertThat(table.entries().get(k).weight())
                            .as("weight of class %s at %s", k, b.getKey())
                            .isCloseTo(reference.entries().get(k).weight(), within(1e-9));
                }
            }
        }
    }

    @Test
    void aClassCountedOneSampleAtATimeIsTheDirectDecayedSum() {
        ClassCounting counting = new ClassCounting(HALF_LIFE, INTERVAL);
        Random random = new Random(3);
        List<Closed> samples = new ArrayList<>();
        DecayedCount running = null;
        for (int i = 0; i < 200; i++) {
            Closed s = new Closed("c", random.nextInt(200_000));
            samples.add(s);
            running = counting.count(running, s.closedAt());
        }
        long at = 250_000;
        assertThat(running.valueAt(at, HALF_LIFE))
                .isCloseTo(directSums(samples, at).get("c"), within(1e-9));
    }

    private static Map<String, Double> directSums(List<Closed> samples, long boundary) {
        Map<String, Double> out = new TreeMap<>();
        for (Closed s : samples) {
            if (s.closedAt() <= boundary) {
                out.merge(
                        s.classKey(),
                        Math.pow(2, -(boundary - s.closedAt()) / (double) HALF_LIFE.millis()),
                        Double::sum);
            }
        }
        return out;
    }
}
