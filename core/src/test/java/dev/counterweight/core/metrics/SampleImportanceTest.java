package dev.counterweight.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link SampleImportance} against brute-force recomputation over the stored rows. */
class SampleImportanceTest {

    /** One row as the test generated it. */
    private record In(
            String id,
            String key,
            double weight,
            boolean synthetic,
            double ctr,
            boolean click,
            double ctcvr,
            boolean conv) {

        double loss() {
            return bce(ctr, click) + bce(ctcvr, conv);
        }
    }

    /** Log loss written out independently of the class under test. */
    private static double bce(double p, boolean y) {
        double q = Math.min(1 - 1e-15, Math.max(1e-15, p));
        return y ? -Math.log(q) : -Math.log(1 - q);
    }

    private static List<In> rows(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<In> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            // A skewed class distribution: class c with probability ~ 1/(c+1).
            int c = (int) Math.floor(Math.pow(20, r.nextDouble())) - 1;
            double w = Math.exp(r.nextGaussian());
            out.add(
                    new In(
                            "s" + i,
                            "c" + c,
                            w,
                            r.nextInt(10) == 0,
                            r.nextDouble(),
                            r.nextInt(5) == 0,
                            r.nextDouble() * 0.2,
                            r.nextInt(40) == 0));
        }
        return out;
    }

    private static SampleImportance feed(List<In> rows, int top, int window) {
        SampleImportance s = new SampleImportance(top, window);
        for (In x : rows) {
            s.add(x.id, x.key, x.weight, x.synthetic, x.ctr, x.click, x.ctcvr, x.conv);
        }
        return s;
    }

    @Test
    void classTotalsEqualBruteForceSumsHeaviestFirst() {
        List<In> rows = rows(5_000, 1);
        SampleImportance s = feed(rows, 10, 500);
        Map<String, Double> weight = new HashMap<>();
        Map<String, Long> count = new HashMap<>();
        for (In x : rows) {
            weight.merge(x.key, x.weight, Double::sum);
            count.merge(x.key, 1L, Long::sum);
        }
        var totals = s.classTotals();
        assertThat(totals).hasSize(weight.size());
        for (var t : totals) {
            assertThat(t.totalWeight()).isCloseTo(weight.get(t.classKey()), within(1e-9));
            assertThat(t.rows()).isEqualTo(count.get(t.classKey()));
        }
        for (int i = 1; i < totals.size(); i++) {
            assertThat(totals.get(i).totalWeight())
                    .isLessThanOrEqualTo(totals.get(i - 1).totalWeight());
        }
        double all = rows.stream().mapToDouble(In::weight).sum();
        assertThat(s.totalWeight()).isCloseTo(all, within(1e-9));
        // The heaviest k classes reach half the weight, k - 1 do not.
        int k = s.classesCarrying(0.5);
        double topK = totals.subList(0, k).stream().mapToDouble(t -> t.totalWeight()).sum();
        double topKMinus1 =
                totals.subList(0, k - 1).stream().mapToDouble(t -> t.totalWeight()).sum();
        assertThat(topK).isGreaterThanOrEqualTo(0.5 * all);
        assertThat(topKMinus1).isLessThan(0.5 * all);
    }

    @Test
    void essSeriesEqualsKishFormulaPerWindowAndCumulatively() {
        List<In> rows = rows(2_345, 2);
        SampleImportance s = feed(rows, 5, 1000);
        s.flush();
        var series = s.essSeries();
        assertThat(series)
                .extracting(SampleImportance.EssPoint::rows)
                .containsExactly(1000L, 2000L, 2345L);
        int[] ends = {1000, 2000, 2345};
        int from = 0;
        for (int w = 0; w < ends.length; w++) {
            assertThat(series.get(w).windowFraction())
                    .isCloseTo(kish(rows.subList(from, ends[w])), within(1e-12));
            assertThat(series.get(w).cumulativeFraction())
                    .isCloseTo(kish(rows.subList(0, ends[w])), within(1e-12));
            from = ends[w];
        }
        // Equal weights: ESS is every row.
        SampleImportance equal = new SampleImportance(1, 10);
        for (int i = 0; i < 10; i++) {
            equal.add("x" + i, "a", 2.5, false, 0.5, false, 0.1, false);
        }
        assertThat(equal.essSeries().get(0).windowFraction()).isCloseTo(1.0, within(1e-12));
    }

    private static double kish(List<In> rows) {
        double sum = 0;
        double sq = 0;
        for (In x : rows) {
            sum += x.weight;
            sq += x.weight * x.weight;
        }
        return sum * sum / sq / rows.size();
    }

    @Test
    void quantilesAndHistogramMatchTheSortedWeights() {
        List<In> rows = rows(1_001, 3);
        SampleImportance s = feed(rows, 5, 100);
        double[] sorted = rows.stream().mapToDouble(In::weight).sorted().toArray();
        assertThat(s.weightQuantile(0)).isEqualTo(sorted[0]);
        assertThat(s.weightQuantile(1)).isEqualTo(sorted[sorted.length - 1]);
        // Nearest rank: ceil(0.5 * 1001) = 501st smallest.
        assertThat(s.weightQuantile(0.5)).isEqualTo(sorted[500]);
        assertThat(s.weightQuantile(0.99)).isEqualTo(sorted[(int) Math.ceil(0.99 * 1001) - 1]);
        double[] edges = {0.1, 0.5, 1, 2, 5};
        long[] hist = s.weightHistogram(edges);
        long[] expected = new long[4];
        for (double w : sorted) {
            for (int b = 0; b < 4; b++) {
                boolean last = b == 3;
                if (w >= edges[b] && (w < edges[b + 1] || (last && w == edges[b + 1]))) {
                    expected[b]++;
                }
            }
        }
        assertThat(hist).containsExactly(expected);
        // A weight exactly on an inner edge opens the next bin; on the last edge it is counted.
        SampleImportance e = new SampleImportance(1, 10);
        e.add("a", "k", 1.0, false, 0.5, false, 0.5, false);
        e.add("b", "k", 5.0, false, 0.5, false, 0.5, false);
        assertThat(e.weightHistogram(edges)).containsExactly(0, 0, 1, 1);
        assertThatThrownBy(() -> e.weightHistogram(new double[] {1, 1}))
                .hasMessageContaining("strictly increasing");
        assertThatThrownBy(() -> e.weightQuantile(1.5)).hasMessageContaining("q must be in");
    }

    @Test
    void topRowsAreTheHighestWeightedLossesOfRealRows() {
        List<In> rows = rows(3_000, 4);
        SampleImportance s = feed(rows, 25, 300);
        List<In> real = new ArrayList<>(rows.stream().filter(x -> !x.synthetic).toList());
        real.sort(Comparator.comparingDouble((In x) -> x.weight * x.loss()).reversed());
        var top = s.topRows();
        assertThat(top).hasSize(25);
        for (int i = 0; i < 25; i++) {
            In want = real.get(i);
            var got = top.get(i);
            assertThat(got.sampleId()).isEqualTo(want.id);
            assertThat(got.importance()).isCloseTo(want.weight * want.loss(), within(1e-9));
            assertThat(got.gradientProxy())
                    .isCloseTo(
                            want.weight * Math.abs(want.ctr - (want.click ? 1 : 0)), within(1e-12));
            assertThat(got.position()).isEqualTo(rows.indexOf(want));
        }
    }

    @Test
    void tiesKeepTheEarlierRow() {
        SampleImportance s = new SampleImportance(2, 10);
        for (int i = 0; i < 5; i++) {
            s.add("r" + i, "k", 1.0, false, 0.3, true, 0.1, false);
        }
        assertThat(s.topRows())
                .extracting(SampleImportance.Row::sampleId)
                .containsExactly("r0", "r1");
    }

    @Test
    void lossTrendIsTheMeanOfRealRowsPerWindow() {
        List<In> rows = rows(1_000, 5);
        SampleImportance s = feed(rows, 5, 250);
        assertThat(s.lossWindowEnds()).containsExactly(250L, 500L, 750L, 1000L);
        var trends = s.lossTrend(List.of("c0", "c1", "missing"));
        for (int w = 0; w < 4; w++) {
            for (int c = 0; c < 2; c++) {
                String key = "c" + c;
                double sum = 0;
                int n = 0;
                for (In x : rows.subList(w * 250, (w + 1) * 250)) {
                    if (x.key.equals(key) && !x.synthetic) {
                        sum += x.loss();
                        n++;
                    }
                }
                assertThat(trends.get(c).meanLoss()[w]).isCloseTo(sum / n, within(1e-12));
            }
            assertThat(trends.get(2).meanLoss()[w]).isNaN();
            double all = 0;
            int n = 0;
            for (In x : rows.subList(w * 250, (w + 1) * 250)) {
                if (!x.synthetic) {
                    all += x.loss();
                    n++;
                }
            }
            assertThat(s.overallLossTrend()[w]).isCloseTo(all / n, within(1e-12));
        }
        double c0 = 0;
        int n0 = 0;
        for (In x : rows) {
            if (x.key.equals("c0") && !x.synthetic) {
                c0 += x.loss();
                n0++;
            }
        }
        assertThat(s.meanLoss().get("c0")).isCloseTo(c0 / n0, within(1e-12));
    }

    @Test
    void rejectsBadArguments() {
        assertThatThrownBy(() -> new SampleImportance(0, 1)).hasMessageContaining("topRows");
        assertThatThrownBy(() -> new SampleImportance(1, 0)).hasMessageContaining("windowRows");
        SampleImportance s = new SampleImportance(1, 1);
        assertThatThrownBy(() -> s.add("a", "k", -1, false, 0.5, false, 0.5, false))
                .hasMessageContaining("weight must be finite and non-negative");
        assertThat(s.weightQuantile(0.5)).isNaN();
        assertThat(s.classesCarrying(0.5)).isZero();
    }
}
