package dev.counterweight.core.weighting;

import static dev.counterweight.core.weighting.WeightingStrategy.EFFECTIVE_NUMBER;
import static dev.counterweight.core.weighting.WeightingStrategy.INVERSE;
import static dev.counterweight.core.weighting.WeightingStrategy.NONE;
import static dev.counterweight.core.weighting.WeightingStrategy.SQRT_INVERSE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class WeightTableTest {

    private static final Map<String, Double> SMALL = Map.of("a", 90.0, "b", 9.0, "c", 1.0);

    private static WeightingConfig unclipped(WeightingStrategy s, double beta, boolean norm) {
        return new WeightingConfig(s, beta, Double.MIN_VALUE, Double.MAX_VALUE, norm);
    }

    private static void assertWeights(WeightTable t, double a, double b, double c) {
        assertThat(t.weightOf("a")).isCloseTo(a, within(Math.abs(a) * 1e-13));
        assertThat(t.weightOf("b")).isCloseTo(b, within(Math.abs(b) * 1e-13));
        assertThat(t.weightOf("c")).isCloseTo(c, within(Math.abs(c) * 1e-13));
    }

    @Test
    void noneGivesUnitWeights() {
        assertWeights(WeightTable.compute(1, SMALL, unclipped(NONE, 0.5, false)), 1, 1, 1);
        assertWeights(WeightTable.compute(1, SMALL, unclipped(NONE, 0.5, true)), 1, 1, 1);
    }

    @Test
    void inverseClosedForm() {
        // N = 100, K = 3: w_c = 100 / (3 n_c), which already has count-weighted mean 1.
        double[] expected = {100.0 / 270, 100.0 / 27, 100.0 / 3};
        for (boolean norm : new boolean[] {false, true}) {
            WeightTable t = WeightTable.compute(1, SMALL, unclipped(INVERSE, 0.5, norm));
            assertWeights(t, expected[0], expected[1], expected[2]);
        }
    }

    @Test
    void sqrtInverseClosedForm() {
        double a = Math.sqrt(100.0 / 270);
        double b = Math.sqrt(100.0 / 27);
        double c = Math.sqrt(100.0 / 3);
        assertWeights(WeightTable.compute(1, SMALL, unclipped(SQRT_INVERSE, 0.5, false)), a, b, c);
        // Σ n_c sqrt(N / (K n_c)) = sqrt(N / K) Σ sqrt(n_c) = sqrt(100 / 3) (sqrt(90) + 3 + 1).
        double scale = 100 / (Math.sqrt(100.0 / 3) * (Math.sqrt(90) + 4));
        assertWeights(
                WeightTable.compute(1, SMALL, unclipped(SQRT_INVERSE, 0.5, true)),
                a * scale,
                b * scale,
                c * scale);
    }

    @Test
    void effectiveNumberClosedForm() {
        double beta = 0.9;
        double ia = 0.1 / (1 - Math.pow(0.9, 90));
        double ib = 0.1 / (1 - Math.pow(0.9, 9));
        double ic = 1.0; // (1 − β) / (1 − β^1)
        double sum = ia + ib + ic;
        double a = 3 * ia / sum;
        double b = 3 * ib / sum;
        double c = 3 * ic / sum;
        assertWeights(
                WeightTable.compute(1, SMALL, unclipped(EFFECTIVE_NUMBER, beta, false)), a, b, c);
        double scale = 100 / (90 * a + 9 * b + c);
        assertWeights(
                WeightTable.compute(1, SMALL, unclipped(EFFECTIVE_NUMBER, beta, true)),
                a * scale,
                b * scale,
                c * scale);
    }

    /** Raw weights → clip → normalise, written independently of the production code. */
    private static Map<String, Double> reference(Map<String, Double> counts, WeightingConfig c) {
        List<String> keys = new ArrayList<>();
        for (Map.Entry<String, Double> e : counts.entrySet()) {
            if (e.getValue() > 0) {
                keys.add(e.getKey());
            }
        }
        int k = keys.size();
        double n = keys.stream().mapToDouble(counts::get).sum();
        double effectiveSum =
                keys.stream()
                        .mapToDouble(
                                key -> (1 - c.beta()) / (1 - Math.pow(c.beta(), counts.get(key))))
                        .sum();
        Map<String, Double> w = new HashMap<>();
        for (String key : keys) {
            double nc = counts.get(key);
            double raw =
                    switch (c.strategy()) {
                        case NONE -> 1.0;
                        case INVERSE -> n / (k * nc);
                        case SQRT_INVERSE -> 1 / Math.sqrt(k * nc / n);
                        case EFFECTIVE_NUMBER ->
                                k * ((1 - c.beta()) / (1 - Math.pow(c.beta(), nc))) / effectiveSum;
                    };
            w.put(key, Math.max(c.minWeight(), Math.min(c.maxWeight(), raw)));
        }
        if (c.normalise()) {
            double weighted = keys.stream().mapToDouble(key -> counts.get(key) * w.get(key)).sum();
            w.replaceAll((key, v) -> v * n / weighted);
        }
        return w;
    }

    private static Map<String, Double> randomCounts(SplittableRandom rnd) {
        Map<String, Double> counts = new LinkedHashMap<>();
        int k = 1 + rnd.nextInt(20);
        for (int i = 0; i < k; i++) {
            double count =
                    switch (rnd.nextInt(5)) {
                        case 0 -> 0.0;
                        case 1 -> -rnd.nextDouble();
                        case 2 -> (double) (1 + rnd.nextInt(100_000));
                        default -> Math.exp(rnd.nextDouble(-3, 12)); // decayed, non-integer
                    };
            counts.put("class-" + i, count);
        }
        return counts;
    }

    private static WeightingConfig randomConfig(SplittableRandom rnd, WeightingStrategy s) {
        double min = Math.exp(rnd.nextDouble(-6, 0));
        double max = min * Math.exp(rnd.nextDouble(0, 8));
        return new WeightingConfig(s, rnd.nextDouble(0.5, 0.9999), min, max, rnd.nextBoolean());
    }

    @Test
    void matchesIndependentComputationOnRandomTables() {
        SplittableRandom rnd = new SplittableRandom(17);
        for (int trial = 0; trial < 500; trial++) {
            Map<String, Double> counts = randomCounts(rnd);
            for (WeightingStrategy s : WeightingStrategy.values()) {
                WeightingConfig config =
                        rnd.nextBoolean()
                                ? randomConfig(rnd, s)
                                : unclipped(s, rnd.nextDouble(0.5, 0.9999), rnd.nextBoolean());
                WeightTable t = WeightTable.compute(trial, counts, config);
                Map<String, Double> expected = reference(counts, config);
                assertThat(t.entries().keySet())
                        .containsExactlyInAnyOrderElementsOf(expected.keySet());
                expected.forEach(
                        (key, w) -> {
                            assertThat(t.weightOf(key)).isCloseTo(w, within(w * 1e-9));
                            assertThat(t.entries().get(key).count()).isEqualTo(counts.get(key));
                        });
            }
        }
    }

    @Test
    void normalisedWeightsHaveCountWeightedMeanOne() {
        SplittableRandom rnd = new SplittableRandom(19);
        for (int trial = 0; trial < 500; trial++) {
            Map<String, Double> counts = randomCounts(rnd);
            for (WeightingStrategy s : WeightingStrategy.values()) {
                WeightingConfig r = randomConfig(rnd, s);
                WeightingConfig c =
                        new WeightingConfig(s, r.beta(), r.minWeight(), r.maxWeight(), true);
                WeightTable t = WeightTable.compute(trial, counts, c);
                if (t.size() == 0) {
                    continue;
                }
                double weighted = 0;
                for (ClassWeight cw : t.entries().values()) {
                    weighted += cw.count() * cw.weight();
                }
                assertThat(weighted / t.totalCount()).isCloseTo(1.0, within(1e-12));
            }
        }
    }

    @Test
    void clipsBeforeNormalising() {
        Map<String, Double> counts = Map.of("big", 1000.0, "rare", 1.0);
        // Raw INVERSE weights: big = 1001 / 2000 = 0.5005, rare = 1001 / 2 = 500.5.
        WeightTable clipped =
                WeightTable.compute(1, counts, new WeightingConfig(INVERSE, 0.5, 0.5, 10, false));
        assertThat(clipped.weightOf("big")).isCloseTo(0.5005, within(1e-15));
        assertThat(clipped.weightOf("rare")).isEqualTo(10.0);

        WeightTable normalised =
                WeightTable.compute(1, counts, new WeightingConfig(INVERSE, 0.5, 0.5, 10, true));
        double scale = 1001 / (1000 * 0.5005 + 10);
        assertThat(normalised.weightOf("big")).isCloseTo(0.5005 * scale, within(1e-12));
        assertThat(normalised.weightOf("rare")).isCloseTo(10 * scale, within(1e-12));
        // Normalising after clipping can leave the bounds but keeps the clipped ratio.
        assertThat(normalised.weightOf("rare")).isGreaterThan(10);
        assertThat(normalised.weightOf("rare") / normalised.weightOf("big"))
                .isCloseTo(10 / 0.5005, within(1e-9));

        WeightTable floor =
                WeightTable.compute(1, counts, new WeightingConfig(INVERSE, 0.5, 2, 3, false));
        assertThat(floor.weightOf("big")).isEqualTo(2.0);
        assertThat(floor.weightOf("rare")).isEqualTo(3.0);
    }

    @Test
    void unnormalisedWeightsStayWithinBounds() {
        SplittableRandom rnd = new SplittableRandom(23);
        for (int trial = 0; trial < 300; trial++) {
            Map<String, Double> counts = randomCounts(rnd);
            for (WeightingStrategy s : WeightingStrategy.values()) {
                WeightingConfig r = randomConfig(rnd, s);
                WeightingConfig c =
                        new WeightingConfig(s, r.beta(), r.minWeight(), r.maxWeight(), false);
                for (ClassWeight cw : WeightTable.compute(0, counts, c).entries().values()) {
                    assertThat(cw.weight()).isBetween(c.minWeight(), c.maxWeight());
                }
            }
        }
    }

    @Test
    void rarerClassNeverGetsSmallerWeight() {
        SplittableRandom rnd = new SplittableRandom(29);
        for (int trial = 0; trial < 300; trial++) {
            Map<String, Double> counts = randomCounts(rnd);
            for (WeightingStrategy s : List.of(INVERSE, SQRT_INVERSE, EFFECTIVE_NUMBER)) {
                WeightingConfig c =
                        rnd.nextBoolean()
                                ? randomConfig(rnd, s)
                                : unclipped(s, rnd.nextDouble(0.5, 0.9999), rnd.nextBoolean());
                List<ClassWeight> rows =
                        new ArrayList<>(WeightTable.compute(0, counts, c).entries().values());
                for (ClassWeight x : rows) {
                    for (ClassWeight y : rows) {
                        if (x.count() < y.count()) {
                            assertThat(x.weight()).isGreaterThanOrEqualTo(y.weight());
                        }
                    }
                }
            }
        }
    }

    @Test
    void effectiveNumberApproachesNoneAsBetaGoesToZero() {
        Map<String, Double> counts = Map.of("a", 1.0, "b", 7.5, "c", 12_345.0);
        WeightTable t = WeightTable.compute(0, counts, unclipped(EFFECTIVE_NUMBER, 1e-12, true));
        for (ClassWeight cw : t.entries().values()) {
            assertThat(cw.weight()).isCloseTo(1.0, within(1e-9));
        }
    }

    @Test
    void effectiveNumberApproachesInverseAsBetaGoesToOne() {
        SplittableRandom rnd = new SplittableRandom(31);
        for (int trial = 0; trial < 50; trial++) {
            Map<String, Double> counts = new HashMap<>();
            for (int i = 0; i < 10; i++) {
                counts.put("k" + i, rnd.nextDouble(0.5, 1000));
            }
            WeightTable effective =
                    WeightTable.compute(0, counts, unclipped(EFFECTIVE_NUMBER, 1 - 1e-9, true));
            WeightTable inverse = WeightTable.compute(0, counts, unclipped(INVERSE, 0.5, true));
            List<String> byEffective = new ArrayList<>(counts.keySet());
            byEffective.sort(
                    (x, y) -> Double.compare(effective.weightOf(x), effective.weightOf(y)));
            List<String> byInverse = new ArrayList<>(counts.keySet());
            byInverse.sort((x, y) -> Double.compare(inverse.weightOf(x), inverse.weightOf(y)));
            assertThat(byEffective).isEqualTo(byInverse);
            for (String key : counts.keySet()) {
                double w = inverse.weightOf(key);
                assertThat(effective.weightOf(key)).isCloseTo(w, within(w * 1e-5));
            }
        }
    }

    @Test
    void effectiveSampleSizeMatchesExpandedSamples() {
        SplittableRandom rnd = new SplittableRandom(37);
        for (int trial = 0; trial < 50; trial++) {
            Map<String, Double> counts = new HashMap<>();
            int k = 1 + rnd.nextInt(8);
            for (int i = 0; i < k; i++) {
                counts.put("k" + i, (double) (1 + rnd.nextInt(rnd.nextBoolean() ? 5 : 3000)));
            }
            for (WeightingStrategy s : WeightingStrategy.values()) {
                WeightTable t = WeightTable.compute(0, counts, randomConfig(rnd, s));
                EffectiveSampleSize expanded = new EffectiveSampleSize();
                double sum = 0;
                double sumSq = 0;
                for (Map.Entry<String, Double> e : counts.entrySet()) {
                    double w = t.weightOf(e.getKey());
                    for (int i = 0; i < e.getValue(); i++) {
                        expanded.add(w);
                        sum += w;
                        sumSq += w * w;
                    }
                }
                double expected = sum * sum / sumSq;
                assertThat(t.effectiveSampleSize()).isCloseTo(expected, within(expected * 1e-9));
                assertThat(expanded.value()).isCloseTo(expected, within(expected * 1e-9));
                assertThat(t.effectiveSampleSize())
                        .isLessThanOrEqualTo(t.totalCount() * (1 + 1e-12));
            }
        }
    }

    @Test
    void unitWeightsGiveFullEffectiveSampleSize() {
        WeightTable t = WeightTable.compute(0, SMALL, unclipped(NONE, 0.5, true));
        assertThat(t.effectiveSampleSize()).isCloseTo(100.0, within(1e-12));
    }

    @Test
    void imbalanceRatio() {
        assertThat(WeightTable.compute(0, SMALL, unclipped(NONE, 0.5, true)).imbalanceRatio())
                .isEqualTo(90.0);
        assertThat(
                        WeightTable.compute(0, Map.of("x", 3.5), unclipped(NONE, 0.5, true))
                                .imbalanceRatio())
                .isEqualTo(1.0);
        assertThat(WeightTable.compute(0, Map.of(), unclipped(NONE, 0.5, true)).imbalanceRatio())
                .isNaN();
    }

    @Test
    void unknownAndNonPositiveClassesGetTheLargestWeight() {
        Map<String, Double> counts = new HashMap<>(SMALL);
        counts.put("zero", 0.0);
        counts.put("negative", -4.0);
        WeightTable t = WeightTable.compute(0, counts, unclipped(INVERSE, 0.5, true));
        assertThat(t.entries()).containsOnlyKeys("a", "b", "c");
        assertThat(t.contains("zero")).isFalse();
        assertThat(t.fallbackWeight()).isEqualTo(t.weightOf("c"));
        assertThat(t.weightOf("zero")).isEqualTo(t.weightOf("c"));
        assertThat(t.weightOf("never-seen")).isEqualTo(t.weightOf("c"));
        assertThat(t.imbalanceRatio()).isEqualTo(90.0);
    }

    @Test
    void emptyTableFallsBackToOne() {
        WeightTable t =
                WeightTable.compute(
                        4, Map.of("zero", 0.0), WeightingConfig.defaults(EFFECTIVE_NUMBER));
        assertThat(t.size()).isZero();
        assertThat(t.weightOf("anything")).isEqualTo(1.0);
        assertThat(t.effectiveSampleSize()).isEqualTo(0.0);
        assertThat(t.totalCount()).isEqualTo(0.0);
    }

    @Test
    void carriesVersionAndStrategyAndIsImmutable() {
        WeightTable t = WeightTable.compute(42, SMALL, WeightingConfig.defaults(SQRT_INVERSE));
        assertThat(t.version()).isEqualTo(42);
        assertThat(t.strategy()).isEqualTo(SQRT_INVERSE);
        assertThat(t.entries().keySet()).containsExactly("a", "b", "c");
        assertThatThrownBy(() -> t.entries().put("d", new ClassWeight(1, 1)))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThat(WeightTable.compute(42, SMALL, WeightingConfig.defaults(SQRT_INVERSE)))
                .isEqualTo(t)
                .hasSameHashCodeAs(t);
        assertThat(t.toString()).contains("version=42");
    }

    @Test
    void rejectsInvalidCounts() {
        WeightingConfig c = WeightingConfig.defaults(INVERSE);
        Map<String, Double> nan = new HashMap<>();
        nan.put("x", Double.NaN);
        assertThatThrownBy(() -> WeightTable.compute(0, nan, c))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("classCounts[x]");
        Map<String, Double> nullValue = new HashMap<>();
        nullValue.put("x", null);
        assertThatThrownBy(() -> WeightTable.compute(0, nullValue, c))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("classCounts[x]");
        Map<String, Double> nullKey = new HashMap<>();
        nullKey.put(null, 1.0);
        assertThatThrownBy(() -> WeightTable.compute(0, nullKey, c))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new ClassWeight(0, 1)).hasMessageContaining("count");
        assertThatThrownBy(() -> new ClassWeight(1, Double.NaN)).hasMessageContaining("weight");
    }
}
