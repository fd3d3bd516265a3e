package dev.counterweight.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class WindowedBinaryMetricsTest {

    record Obs(double score, boolean label, double weight) {}

    /** O(n²) pairwise AUC: ties count 1/2, pairs weighted by w+ · w−. */
    static double bruteForceAuc(List<Obs> obs, boolean weighted) {
        double numerator = 0;
        double positiveWeight = 0;
        double negativeWeight = 0;
        for (Obs o : obs) {
            double w = weighted ? o.weight() : 1;
            if (o.label()) {
                positiveWeight += w;
            } else {
                negativeWeight += w;
            }
        }
        for (Obs p : obs) {
            if (!p.label()) {
                continue;
            }
            for (Obs n : obs) {
                if (n.label()) {
                    continue;
                }
                double pair = weighted ? p.weight() * n.weight() : 1;
                if (p.score() > n.score()) {
                    numerator += pair;
                } else if (p.score() == n.score()) {
                    numerator += pair / 2;
                }
            }
        }
        return numerator / (positiveWeight * negativeWeight);
    }

    static double directLogLoss(List<Obs> obs, boolean weighted) {
        double sum = 0;
        double total = 0;
        for (Obs o : obs) {
            double p = Math.min(1 - 1e-15, Math.max(1e-15, o.score()));
            double w = weighted ? o.weight() : 1;
            sum += w * (o.label() ? -Math.log(p) : -Math.log(1 - p));
            total += w;
        }
        return sum / total;
    }

    /** ECE written literally: per-bin mean score and mean label, weighted by bin mass. */
    static double directEce(List<Obs> obs, int bins, boolean weighted) {
        double total = 0;
        for (Obs o : obs) {
            total += weighted ? o.weight() : 1;
        }
        double ece = 0;
        for (int b = 0; b < bins; b++) {
            double mass = 0;
            double scores = 0;
            double labels = 0;
            for (Obs o : obs) {
                int bin = o.score() >= 1 ? bins - 1 : (int) (o.score() * bins);
                if (bin != b) {
                    continue;
                }
                double w = weighted ? o.weight() : 1;
                mass += w;
                scores += w * o.score();
                labels += o.label() ? w : 0;
            }
            if (mass > 0) {
                ece += mass / total * Math.abs(scores / mass - labels / mass);
            }
        }
        return ece;
    }

    static List<Obs> randomObs(SplittableRandom rnd, int n, boolean ties) {
        List<Obs> obs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double score = rnd.nextDouble();
            if (ties) {
                score = Math.round(score * 10) / 10.0;
            }
            // Labels correlated with score so AUCs are away from 1/2.
            boolean label = rnd.nextDouble() < 0.2 + 0.6 * score;
            double weight = rnd.nextInt(10) == 0 ? 0.0 : rnd.nextDouble(0.1, 5);
            obs.add(new Obs(score, label, weight));
        }
        return obs;
    }

    static WindowedBinaryMetrics windowOf(int capacity, List<Obs> obs) {
        WindowedBinaryMetrics w = new WindowedBinaryMetrics(capacity);
        for (Obs o : obs) {
            w.add(o.score(), o.label(), o.weight());
        }
        return w;
    }

    private static void assertMatchesDirect(WindowedBinaryMetrics w, List<Obs> window) {
        for (boolean weighted : new boolean[] {false, true}) {
            assertThat(w.auc(weighted))
                    .as("auc weighted=%s", weighted)
                    .isCloseTo(bruteForceAuc(window, weighted), within(1e-12));
            assertThat(w.logLoss(weighted))
                    .isCloseTo(directLogLoss(window, weighted), within(1e-12));
            for (int bins : new int[] {1, 7, 10, 15}) {
                assertThat(w.calibrationError(bins, weighted))
                        .as("ece bins=%s weighted=%s", bins, weighted)
                        .isCloseTo(directEce(window, bins, weighted), within(1e-12));
            }
        }
        assertThat(w.count()).isEqualTo(window.size());
        assertThat(w.positives()).isEqualTo(window.stream().filter(Obs::label).count());
    }

    @Test
    void matchesDirectComputationOnRandomData() {
        SplittableRandom rnd = new SplittableRandom(41);
        for (int trial = 0; trial < 10; trial++) {
            boolean ties = trial % 2 == 0;
            List<Obs> obs = randomObs(rnd, 50 + rnd.nextInt(1200), ties);
            assertMatchesDirect(windowOf(5000, obs), obs);
        }
    }

    /**
     * The AUC as computed before the primitive sort: a stable sort of boxed ring-buffer slot
     * indices by score, then the same tie-group walk. {@code added} is every observation added, in
     * order, to a window of {@code capacity}; the k-th one sits in slot {@code k % capacity}.
     */
    static double boxedSortAuc(List<Obs> added, int capacity, boolean weighted) {
        int size = Math.min(capacity, added.size());
        Obs[] slots = new Obs[size];
        for (int k = 0; k < added.size(); k++) {
            Obs o = added.get(k);
            slots[k % capacity] = new Obs(o.score() + 0.0, o.label(), o.weight());
        }
        Integer[] order = new Integer[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(slots[a].score(), slots[b].score()));
        double negativeBelow = 0;
        double positiveTotal = 0;
        double numerator = 0;
        int i = 0;
        while (i < size) {
            double groupScore = slots[order[i]].score();
            double groupPositive = 0;
            double groupNegative = 0;
            for (; i < size && slots[order[i]].score() == groupScore; i++) {
                Obs o = slots[order[i]];
                double w = weighted ? o.weight() : 1.0;
                if (o.label()) {
                    groupPositive += w;
                } else {
                    groupNegative += w;
                }
            }
            numerator += groupPositive * (negativeBelow + 0.5 * groupNegative);
            negativeBelow += groupNegative;
            positiveTotal += groupPositive;
        }
        return numerator / (positiveTotal * negativeBelow);
    }

    @Test
    void aucIsBitForBitTheBoxedSortResult() {
        SplittableRandom rnd = new SplittableRandom(53);
        for (int trial = 0; trial < 40; trial++) {
            int capacity = 1 + rnd.nextInt(trial < 20 ? 64 : 3000);
            List<Obs> added = randomObs(rnd, 2 + rnd.nextInt(2 * capacity + 2), trial % 2 == 0);
            if (trial % 4 == 1) {
                // Signed zeros and many exact ties.
                added.replaceAll(o -> new Obs(o.score() < 0.3 ? -0.0 : 0.0, o.label(), o.weight()));
            }
            WindowedBinaryMetrics w = windowOf(capacity, added);
            for (boolean weighted : new boolean[] {false, true}) {
                double expected = boxedSortAuc(added, capacity, weighted);
                assertThat(Double.doubleToLongBits(w.auc(weighted)))
                        .as(
                                "trial %s, capacity %s, weighted=%s: %s",
                                trial, capacity, weighted, expected)
                        .isEqualTo(Double.doubleToLongBits(expected));
            }
        }
    }

    @Test
    void windowKeepsOnlyTheLastCapacityObservations() {
        SplittableRandom rnd = new SplittableRandom(43);
        int capacity = 500;
        List<Obs> all = randomObs(rnd, capacity + 337, true);
        WindowedBinaryMetrics w = new WindowedBinaryMetrics(capacity);
        for (int i = 0; i < all.size(); i++) {
            Obs o = all.get(i);
            w.add(o.score(), o.label(), o.weight());
            if (i % 97 == 0 || i == all.size() - 1) {
                assertMatchesDirect(w, all.subList(Math.max(0, i + 1 - capacity), i + 1));
            }
        }
        assertThat(w.count()).isEqualTo(capacity);
        assertThat(w.capacity()).isEqualTo(capacity);
    }

    @Test
    void integerWeightsEqualDuplicatedObservations() {
        SplittableRandom rnd = new SplittableRandom(47);
        WindowedBinaryMetrics weighted = new WindowedBinaryMetrics(10_000);
        WindowedBinaryMetrics duplicated = new WindowedBinaryMetrics(10_000);
        for (int i = 0; i < 400; i++) {
            double score = Math.round(rnd.nextDouble() * 20) / 20.0;
            boolean label = rnd.nextDouble() < score;
            int copies = 1 + rnd.nextInt(4);
            weighted.add(score, label, copies);
            for (int c = 0; c < copies; c++) {
                duplicated.add(score, label);
            }
        }
        assertThat(weighted.auc(true)).isCloseTo(duplicated.auc(false), within(1e-12));
        assertThat(weighted.logLoss(true)).isCloseTo(duplicated.logLoss(false), within(1e-12));
        assertThat(weighted.calibrationError(10, true))
                .isCloseTo(duplicated.calibrationError(10, false), within(1e-12));
        assertThat(weighted.meanScore(true)).isCloseTo(duplicated.meanScore(false), within(1e-12));
        assertThat(weighted.meanLabel(true)).isCloseTo(duplicated.meanLabel(false), within(1e-12));
        assertThat(weighted.totalWeight()).isEqualTo((double) duplicated.count());
    }

    @Test
    void perfectReversedAndTiedRankings() {
        WindowedBinaryMetrics perfect = new WindowedBinaryMetrics(10);
        WindowedBinaryMetrics reversed = new WindowedBinaryMetrics(10);
        WindowedBinaryMetrics tied = new WindowedBinaryMetrics(10);
        for (int i = 0; i < 10; i++) {
            double score = i / 10.0;
            perfect.add(score, i >= 6, 1 + i);
            reversed.add(score, i < 4, 1 + i);
            tied.add(0.5, i % 2 == 0, 1 + i);
        }
        for (boolean weighted : new boolean[] {false, true}) {
            assertThat(perfect.auc(weighted)).isEqualTo(1.0);
            assertThat(reversed.auc(weighted)).isEqualTo(0.0);
            assertThat(tied.auc(weighted)).isEqualTo(0.5);
        }
    }

    @Test
    void negativeZeroTiesWithZero() {
        WindowedBinaryMetrics w = new WindowedBinaryMetrics(4);
        w.add(-0.0, true);
        w.add(0.0, false);
        assertThat(w.auc(false)).isEqualTo(0.5);
    }

    @Test
    void aucIsUndefinedWithoutBothLabels() {
        WindowedBinaryMetrics w = new WindowedBinaryMetrics(5);
        assertThat(w.auc(false)).isNaN();
        assertThat(w.logLoss(false)).isNaN();
        assertThat(w.calibrationError(10, false)).isNaN();
        assertThat(w.meanScore(false)).isNaN();
        for (int i = 0; i < 5; i++) {
            w.add(0.1 * i, true);
        }
        assertThat(w.auc(false)).isNaN();
        assertThat(w.auc(true)).isNaN();
        for (int i = 0; i < 5; i++) {
            w.add(0.1 * i, false);
        }
        // The positives have all been evicted.
        assertThat(w.positives()).isZero();
        assertThat(w.auc(false)).isNaN();
        w.add(0.9, true, 0.0);
        // Both labels present, but the positives carry no weight.
        assertThat(w.auc(false)).isEqualTo(1.0);
        assertThat(w.auc(true)).isNaN();
    }

    @Test
    void singleObservation() {
        WindowedBinaryMetrics w = new WindowedBinaryMetrics(1);
        w.add(0.8, true, 2.0);
        assertThat(w.auc(false)).isNaN();
        assertThat(w.logLoss(false)).isCloseTo(-Math.log(0.8), within(1e-15));
        assertThat(w.logLoss(true)).isCloseTo(-Math.log(0.8), within(1e-15));
        assertThat(w.calibrationError(10, false)).isCloseTo(0.2, within(1e-15));
        assertThat(w.meanScore(true)).isEqualTo(0.8);
        assertThat(w.meanLabel(false)).isEqualTo(1.0);
        w.add(0.3, false, 1.0);
        assertThat(w.count()).isEqualTo(1);
        assertThat(w.positives()).isZero();
        assertThat(w.logLoss(false)).isCloseTo(-Math.log(0.7), within(1e-15));
    }

    @Test
    void logLossClipsExtremeScores() {
        WindowedBinaryMetrics w = new WindowedBinaryMetrics(4);
        w.add(0.0, true);
        assertThat(w.logLoss(false)).isCloseTo(-Math.log(1e-15), within(1e-9));
        WindowedBinaryMetrics v = new WindowedBinaryMetrics(4);
        v.add(1.0, false);
        assertThat(v.logLoss(false)).isCloseTo(-Math.log(1e-15), within(1e-3)).isFinite();
        v.add(1.0, true);
        assertThat(v.logLoss(false)).isFinite();
    }

    @Test
    void calibrationBinsIncludeTheUpperEdge() {
        WindowedBinaryMetrics w = new WindowedBinaryMetrics(4);
        w.add(1.0, true);
        w.add(0.95, false);
        // One bin [0.9, 1.0]: mean score 0.975, mean label 0.5.
        assertThat(w.calibrationError(10, false)).isCloseTo(0.475, within(1e-15));
        assertThat(w.calibrationError(1, false)).isCloseTo(0.475, within(1e-15));
        assertThat(w.calibrationError(2, false)).isCloseTo(0.475, within(1e-15));
    }

    @Test
    void meansMatchDirectLoops() {
        SplittableRandom rnd = new SplittableRandom(53);
        List<Obs> obs = randomObs(rnd, 300, false);
        WindowedBinaryMetrics w = windowOf(1000, obs);
        for (boolean weighted : new boolean[] {false, true}) {
            double total = 0;
            double score = 0;
            double label = 0;
            for (Obs o : obs) {
                double x = weighted ? o.weight() : 1;
                total += x;
                score += x * o.score();
                label += o.label() ? x : 0;
            }
            assertThat(w.meanScore(weighted)).isCloseTo(score / total, within(1e-12));
            assertThat(w.meanLabel(weighted)).isCloseTo(label / total, within(1e-12));
        }
    }

    @Test
    void rejectsNonFiniteScoresAndBadWeightsWithoutChangingTheWindow() {
        WindowedBinaryMetrics w = new WindowedBinaryMetrics(3);
        w.add(0.2, true);
        for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY, -1 / 0.0}) {
            assertThatThrownBy(() -> w.add(bad, false))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("score");
        }
        assertThatThrownBy(() -> w.add(0.5, false, -1)).hasMessageContaining("weight");
        assertThatThrownBy(() -> w.add(0.5, false, Double.NaN)).hasMessageContaining("weight");
        assertThat(w.count()).isEqualTo(1);
        assertThat(w.positives()).isEqualTo(1);
        assertThatThrownBy(() -> w.calibrationError(0, false)).hasMessageContaining("bins");
        assertThatThrownBy(() -> new WindowedBinaryMetrics(0)).hasMessageContaining("capacity");
    }
}
