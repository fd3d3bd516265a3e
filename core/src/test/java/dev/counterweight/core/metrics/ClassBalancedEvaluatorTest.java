package dev.counterweight.core.metrics;

import static dev.counterweight.core.metrics.WindowedBinaryMetricsTest.bruteForceAuc;
import static dev.counterweight.core.metrics.WindowedBinaryMetricsTest.directEce;
import static dev.counterweight.core.metrics.WindowedBinaryMetricsTest.directLogLoss;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.counterweight.core.metrics.MetricsReport.BinaryMetrics;
import dev.counterweight.core.metrics.WindowedBinaryMetricsTest.Obs;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ClassBalancedEvaluatorTest {

    private static final double[] CLASS_FREQUENCIES = {0.6, 0.25, 0.1, 0.04, 0.009, 0.001};

    private static String randomClass(SplittableRandom rnd) {
        double u = rnd.nextDouble();
        for (int c = 0; c < CLASS_FREQUENCIES.length; c++) {
            u -= CLASS_FREQUENCIES[c];
            if (u < 0) {
                return "class-" + c;
            }
        }
        return "class-0";
    }

    @Test
    void perClassAndMacroMetricsMatchManualComputation() {
        SplittableRandom rnd = new SplittableRandom(61);
        ClassBalancedEvaluator evaluator = new ClassBalancedEvaluator(100_000);
        List<Obs> all = new ArrayList<>();
        Map<String, List<Obs>> byClass = new TreeMap<>();
        for (int i = 0; i < 3000; i++) {
            String key = randomClass(rnd);
            double score = Math.round(rnd.nextDouble() * 20) / 20.0;
            boolean label = rnd.nextDouble() < score;
            double weight = rnd.nextDouble(0.5, 3);
            evaluator.add(key, score, label, weight);
            Obs o = new Obs(score, label, weight);
            all.add(o);
            byClass.computeIfAbsent(key, k -> new ArrayList<>()).add(o);
        }
        MetricsReport report = evaluator.report();
        assertMetrics(report.overall(), all);
        assertThat(report.perClass().keySet()).containsExactlyElementsOf(byClass.keySet());
        byClass.forEach((key, obs) -> assertMetrics(report.perClass().get(key), obs));

        for (boolean weighted : new boolean[] {false, true}) {
            double aucSum = 0;
            int aucClasses = 0;
            double lossSum = 0;
            double eceSum = 0;
            for (List<Obs> obs : byClass.values()) {
                double auc = bruteForceAuc(obs, weighted);
                if (!Double.isNaN(auc)) {
                    aucSum += auc;
                    aucClasses++;
                }
                lossSum += directLogLoss(obs, weighted);
                eceSum += directEce(obs, 10, weighted);
            }
            assertThat(report.macroAuc(weighted)).isCloseTo(aucSum / aucClasses, within(1e-12));
            assertThat(report.macroLogLoss(weighted))
                    .isCloseTo(lossSum / byClass.size(), within(1e-12));
            assertThat(report.macroEce(weighted)).isCloseTo(eceSum / byClass.size(), within(1e-12));
        }
    }

    private static void assertMetrics(BinaryMetrics m, List<Obs> obs) {
        assertThat(m.count()).isEqualTo(obs.size());
        assertThat(m.positives()).isEqualTo(obs.stream().filter(Obs::label).count());
        assertClose(m.aucUnweighted(), bruteForceAuc(obs, false));
        assertClose(m.aucWeighted(), bruteForceAuc(obs, true));
        assertClose(m.logLossUnweighted(), directLogLoss(obs, false));
        assertClose(m.logLossWeighted(), directLogLoss(obs, true));
        assertClose(m.eceUnweighted(), directEce(obs, 10, false));
        assertClose(m.eceWeighted(), directEce(obs, 10, true));
    }

    private static void assertClose(double actual, double expected) {
        if (Double.isNaN(expected)) {
            assertThat(actual).isNaN();
        } else {
            assertThat(actual).isCloseTo(expected, within(1e-12));
        }
    }

    /** Adds n observations whose AUC is 1 (perfect) or 0 (reversed). */
    private static void addRanked(ClassBalancedEvaluator e, String key, int n, boolean perfect) {
        for (int i = 0; i < n; i++) {
            boolean positive = i % 2 == 0;
            double score = positive == perfect ? 0.9 : 0.1;
            e.add(key, score, positive, 1.0);
        }
    }

    @Test
    void tailMacroAucAveragesTheLeastFrequentClasses() {
        ClassBalancedEvaluator e = new ClassBalancedEvaluator(1000);
        addRanked(e, "head", 400, true); // AUC 1
        addRanked(e, "torso", 100, true); // AUC 1
        addRanked(e, "tail-b", 10, false); // AUC 0
        addRanked(e, "tail-a", 10, true); // AUC 1, ties tail-b on count, wins on key
        for (int i = 0; i < 3; i++) {
            e.add("positives-only", 0.5, true, 1.0); // rarest, but AUC undefined
        }
        MetricsReport r = e.report();
        assertThat(r.perClass().get("positives-only").aucUnweighted()).isNaN();
        assertThat(r.macroAuc(false)).isCloseTo(3.0 / 4, within(1e-15));
        assertThat(r.tailMacroAuc(0.25)).isEqualTo(1.0); // tail-a only
        assertThat(r.tailMacroAuc(0.5)).isEqualTo(0.5); // tail-a, tail-b
        assertThat(r.tailMacroAuc(0.75, true)).isCloseTo(2.0 / 3, within(1e-15));
        assertThat(r.tailMacroAuc(1.0)).isEqualTo(r.macroAuc(false));
        assertThat(r.tailMacroAuc(1e-9)).isEqualTo(1.0); // at least one class
        assertThat(e.tailMacroAuc(0.5)).isEqualTo(0.5);
        assertThatThrownBy(() -> r.tailMacroAuc(0)).hasMessageContaining("fraction");
        assertThatThrownBy(() -> r.tailMacroAuc(1.5)).hasMessageContaining("fraction");
    }

    @Test
    void rareClassWindowOutlivesTheOverallWindow() {
        ClassBalancedEvaluator e = new ClassBalancedEvaluator(50);
        addRanked(e, "rare", 10, false);
        addRanked(e, "common", 200, true);
        MetricsReport r = e.report();
        assertThat(r.overall().count()).isEqualTo(50);
        assertThat(r.overall().aucUnweighted()).isEqualTo(1.0);
        assertThat(r.perClass().get("rare").count()).isEqualTo(10);
        assertThat(r.perClass().get("rare").aucUnweighted()).isEqualTo(0.0);
        assertThat(r.perClass().get("common").count()).isEqualTo(50);
        assertThat(r.recentCounts()).containsEntry("rare", 0L).containsEntry("common", 50L);
        // The class that has left the recent traffic counts as the least frequent.
        assertThat(r.tailMacroAuc(0.5)).isEqualTo(0.0);
    }

    @Test
    void recentCountsTrackTheOverallWindow() {
        SplittableRandom rnd = new SplittableRandom(67);
        int capacity = 200;
        ClassBalancedEvaluator e = new ClassBalancedEvaluator(capacity);
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 1234; i++) {
            String key = randomClass(rnd);
            keys.add(key);
            e.add(key, rnd.nextDouble(), rnd.nextBoolean(), 1.0);
        }
        Map<String, Long> expected = new TreeMap<>();
        for (String key : keys) {
            expected.put(key, 0L);
        }
        for (String key : keys.subList(keys.size() - capacity, keys.size())) {
            expected.merge(key, 1L, Long::sum);
        }
        assertThat(e.report().recentCounts()).isEqualTo(expected);
    }

    @Test
    void emptyEvaluatorReportsNaN() {
        MetricsReport r = new ClassBalancedEvaluator(10).report();
        assertThat(r.overall().count()).isZero();
        assertThat(r.overall().aucUnweighted()).isNaN();
        assertThat(r.perClass()).isEmpty();
        assertThat(r.macroAuc(false)).isNaN();
        assertThat(r.macroLogLoss(true)).isNaN();
        assertThat(r.tailMacroAuc(0.5)).isNaN();
    }

    @Test
    void rejectedObservationLeavesEvaluatorUnchanged() {
        ClassBalancedEvaluator e = new ClassBalancedEvaluator(10);
        assertThatThrownBy(() -> e.add("x", Double.NaN, true, 1.0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> e.add("x", 0.5, true, -1.0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> e.add(null, 0.5, true, 1.0))
                .isInstanceOf(NullPointerException.class);
        assertThat(e.report().perClass()).isEmpty();
        assertThat(e.report().overall().count()).isZero();
        assertThatThrownBy(() -> new ClassBalancedEvaluator(0)).hasMessageContaining("capacity");
        assertThatThrownBy(() -> new ClassBalancedEvaluator(10, 0)).hasMessageContaining("eceBins");
    }

    @Test
    void reportIsImmutable() {
        ClassBalancedEvaluator e = new ClassBalancedEvaluator(10);
        e.add("a", 0.4, true, 1.0);
        MetricsReport r = e.report();
        assertThatThrownBy(() -> r.perClass().clear())
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> r.recentCounts().clear())
                .isInstanceOf(UnsupportedOperationException.class);
        e.add("b", 0.4, true, 1.0);
        assertThat(r.perClass()).containsOnlyKeys("a");
        assertThatThrownBy(() -> new BinaryMetrics(1, 2, 0, 0, 0, 0, 0, 0, 0, 0.5, 1, 0))
                .hasMessageContaining("positives");
    }
}
