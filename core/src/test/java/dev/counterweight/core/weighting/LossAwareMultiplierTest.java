package dev.counterweight.core.weighting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class LossAwareMultiplierTest {

    private static final String[] CLASSES = {"a", "b", "c", "d", "e"};

    /** One window of the learner's class-loss topic. */
    private record Window(double overall, Map<String, double[]> classes) {}

    private static List<Window> randomWindows(long seed, int n) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Window> out = new ArrayList<>();
        for (int w = 0; w < n; w++) {
            Map<String, double[]> classes = new TreeMap<>();
            for (String c : CLASSES) {
                if (random.nextInt(4) > 0) {
                    // {mean loss, samples}; some windows too small to count
                    classes.put(c, new double[] {random.nextDouble(0, 3), random.nextInt(0, 12)});
                }
            }
            double overall = random.nextInt(10) == 0 ? 0.0 : random.nextDouble(0.2, 1.5);
            out.add(new Window(overall, classes));
        }
        return out;
    }

    /**
     * Brute force: the usable ratios x_1..x_k of a class, then the closed form of the moving
     * average started at 1, {@code (1−α)^k + Σ_j α (1−α)^(k−j) x_j}.
     */
    private static Map<String, Double> bruteForceRatios(List<Window> windows, LossAwareConfig c) {
        Map<String, Double> out = new TreeMap<>();
        for (String key : CLASSES) {
            List<Double> xs = new ArrayList<>();
            for (Window w : windows) {
                double[] e = w.classes().get(key);
                if (e != null && e[1] >= c.minSamples() && w.overall() > 0) {
                    xs.add(e[0] / w.overall());
                }
            }
            if (xs.isEmpty()) {
                continue;
            }
            int k = xs.size();
            double a = c.smoothing();
            double r = Math.pow(1 - a, k);
            for (int j = 1; j <= k; j++) {
                r += a * Math.pow(1 - a, k - j) * xs.get(j - 1);
            }
            out.put(key, r);
        }
        return out;
    }

    private static LossAwareMultiplier fed(List<Window> windows, LossAwareConfig c) {
        LossAwareMultiplier m = new LossAwareMultiplier(c);
        for (Window w : windows) {
            w.classes().forEach((k, e) -> m.observe(k, e[0], (long) e[1], w.overall()));
            m.windowObserved();
        }
        return m;
    }

    @Test
    void ratiosAndMultipliersMatchTheClosedFormOfTheMovingAverage() {
        for (long seed = 1; seed <= 20; seed++) {
            LossAwareConfig c = new LossAwareConfig(0.7, 0.25, 0.6, 1.8, 4, true);
            List<Window> windows = randomWindows(seed, 30);
            LossAwareMultiplier m = fed(windows, c);
            Map<String, Double> expected = bruteForceRatios(windows, c);
            assertThat(m.ratios().keySet()).isEqualTo(expected.keySet());
            assertThat(m.observations()).isEqualTo(30);
            for (String key : CLASSES) {
                Double r = expected.get(key);
                if (r == null) {
                    assertThat(m.multiplierOf(key)).as("never observed: %s", key).isEqualTo(1.0);
                    continue;
                }
                assertThat(m.ratios().get(key)).isCloseTo(r, within(1e-12));
                double mult = Math.exp(0.7 * Math.log(r));
                mult = mult < 0.6 ? 0.6 : (mult > 1.8 ? 1.8 : mult);
                assertThat(m.multiplierOf(key)).isCloseTo(mult, within(1e-12));
            }
        }
    }

    @Test
    void unknownClassesAndStrengthZeroGiveOne() {
        LossAwareConfig zero = new LossAwareConfig(0.0, 1.0, 0.5, 2.0, 1, false);
        LossAwareMultiplier m = new LossAwareMultiplier(zero);
        m.observe("a", 5.0, 10, 1.0);
        assertThat(m.ratios()).containsEntry("a", 5.0);
        assertThat(m.multiplierOf("a")).isEqualTo(1.0);
        assertThat(m.multiplierOf("never-seen")).isEqualTo(1.0);
    }

    @Test
    void unusableObservationsLeaveTheRatio() {
        LossAwareMultiplier m = new LossAwareMultiplier(LossAwareConfig.defaults());
        assertThat(m.observe("a", 2.0, 4, 1.0)).as("4 < min-samples 5").isFalse();
        assertThat(m.observe("a", Double.NaN, 50, 1.0)).isFalse();
        assertThat(m.observe("a", 2.0, 50, 0.0)).isFalse();
        assertThat(m.ratios()).isEmpty();
        assertThat(m.observe("a", 2.0, 5, 1.0)).isTrue();
        // 0.7 * 1 + 0.3 * 2
        assertThat(m.ratios().get("a")).isCloseTo(1.3, within(1e-15));
        assertThat(m.observe("a", 2.0, 50, Double.POSITIVE_INFINITY)).isFalse();
        assertThat(m.ratios().get("a")).isCloseTo(1.3, within(1e-15));
    }

    @Test
    void applyPreservesTheCountWeightedSumWhenAsked() {
        SplittableRandom random = new SplittableRandom(3);
        for (boolean preserve : new boolean[] {true, false}) {
            LossAwareConfig c = new LossAwareConfig(1.0, 1.0, 0.25, 4.0, 1, preserve);
            LossAwareMultiplier m = new LossAwareMultiplier(c);
            String[] keys = {"a", "b", "c", "unknown"};
            double[] losses = {0.2, 1.0, 3.0};
            for (int i = 0; i < 3; i++) {
                m.observe(keys[i], losses[i], 10, 1.0);
            }
            double[] counts = new double[4];
            double[] weights = new double[4];
            for (int i = 0; i < 4; i++) {
                counts[i] = random.nextDouble(1, 100);
                weights[i] = random.nextDouble(0.1, 10);
            }
            double[] original = weights.clone();
            m.apply(keys, counts, weights);
            // multipliers: 0.25 (0.2 clipped), 1, 3, 1 (unknown)
            double[] mult = {0.25, 1.0, 3.0, 1.0};
            double before = 0;
            double after = 0;
            for (int i = 0; i < 4; i++) {
                before += counts[i] * original[i];
                after += counts[i] * original[i] * mult[i];
            }
            double scale = preserve ? before / after : 1.0;
            for (int i = 0; i < 4; i++) {
                assertThat(weights[i])
                        .isCloseTo(original[i] * mult[i] * scale, within(1e-12 * weights[i]));
            }
        }
    }

    @Test
    void weightTableAppliesMultipliersBeforeClipAndNormalise() {
        Map<String, Double> counts = Map.of("a", 90.0, "b", 9.0, "c", 1.0);
        LossAwareConfig c = new LossAwareConfig(1.0, 1.0, 0.5, 2.0, 1, true);
        LossAwareMultiplier m = new LossAwareMultiplier(c);
        m.observe("a", 1.5, 100, 1.0); // 1.5
        m.observe("c", 0.1, 100, 1.0); // 0.5 after clipping
        WeightingConfig inverse =
                new WeightingConfig(WeightingStrategy.INVERSE, 0.9, 0.1, 8.0, true);
        WeightTable t = WeightTable.compute(7, counts, inverse, m);

        // By hand: raw inverse 100/(3n), times multipliers, rescaled to the same Σ n w, clipped to
        // [0.1, 8], normalised to mean 1.
        Map<String, Double> w = new HashMap<>();
        Map<String, Double> mult = Map.of("a", 1.5, "b", 1.0, "c", 0.5);
        double before = 0;
        double after = 0;
        for (var e : counts.entrySet()) {
            double raw = 100.0 / (3 * e.getValue());
            before += e.getValue() * raw;
            after += e.getValue() * raw * mult.get(e.getKey());
            w.put(e.getKey(), raw * mult.get(e.getKey()));
        }
        double sum = 0;
        for (var e : counts.entrySet()) {
            double v = Math.min(8.0, Math.max(0.1, w.get(e.getKey()) * before / after));
            w.put(e.getKey(), v);
            sum += e.getValue() * v;
        }
        for (String k : counts.keySet()) {
            double expected = w.get(k) * 100.0 / sum;
            assertThat(t.weightOf(k)).as(k).isCloseTo(expected, within(1e-12 * expected));
        }
        assertThat(t.version()).isEqualTo(7);
        assertThat(WeightTable.compute(7, counts, inverse, new LossAwareMultiplier(c)))
                .as("no observations: the plain table")
                .isEqualTo(WeightTable.compute(7, counts, inverse));
    }

    @Test
    void restoreKeepsOnlyUsableRatios() {
        LossAwareMultiplier m = new LossAwareMultiplier(LossAwareConfig.defaults());
        Map<String, Double> state = new HashMap<>();
        state.put("a", 1.7);
        state.put("b", Double.NaN);
        state.put("c", -1.0);
        m.restore(state);
        assertThat(m.ratios()).containsOnlyKeys("a");
        assertThat(m.multiplierOf("a")).isCloseTo(1.7, within(1e-15));
    }

    @Test
    void configNamesTheOptionKey() {
        assertThatThrownBy(() -> new LossAwareConfig(-1, 0.3, 0.5, 2, 5, true))
                .hasMessageContaining("weights.loss-aware.strength");
        assertThatThrownBy(() -> new LossAwareConfig(1, 0, 0.5, 2, 5, true))
                .hasMessageContaining("weights.loss-aware.smoothing");
        assertThatThrownBy(() -> new LossAwareConfig(1, 0.3, 1.5, 2, 5, true))
                .hasMessageContaining("weights.loss-aware.min");
        assertThatThrownBy(() -> new LossAwareConfig(1, 0.3, 0.5, 0.9, 5, true))
                .hasMessageContaining("weights.loss-aware.max");
        assertThatThrownBy(() -> new LossAwareConfig(1, 0.3, 0.5, 2, 0, true))
                .hasMessageContaining("weights.loss-aware.min-samples");
    }
}
