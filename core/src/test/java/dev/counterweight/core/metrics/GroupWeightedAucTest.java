package dev.counterweight.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GroupWeightedAucTest {

    record Obs(String group, double score, boolean label, double classWeight, double rate) {}

    /** The label-free weights computed group by group from lists, then an O(n²) pairwise AUC. */
    static double bruteForce(List<Obs> window) {
        Map<String, List<Obs>> byGroup = new HashMap<>();
        for (Obs o : window) {
            byGroup.computeIfAbsent(o.group(), g -> new ArrayList<>()).add(o);
        }
        Map<String, Double> mean = new HashMap<>();
        byGroup.forEach(
                (g, list) -> {
                    double num = 0;
                    double den = 0;
                    for (Obs o : list) {
                        num += o.classWeight() / o.rate();
                        den += 1 / o.rate();
                    }
                    mean.put(g, num / den);
                });
        double numerator = 0;
        double positives = 0;
        double negatives = 0;
        for (Obs p : window) {
            double wp = mean.get(p.group()) / p.rate();
            if (p.label()) {
                positives += wp;
            } else {
                negatives += wp;
            }
            if (!p.label()) {
                continue;
            }
            for (Obs n : window) {
                if (n.label()) {
                    continue;
                }
                double pair = wp * mean.get(n.group()) / n.rate();
                if (p.score() > n.score()) {
                    numerator += pair;
                } else if (p.score() == n.score()) {
                    numerator += pair / 2;
                }
            }
        }
        return numerator / (positives * negatives);
    }

    @Test
    void matchesBruteForceOverASlidingWindow() {
        SplittableRandom random = new SplittableRandom(7);
        int capacity = 150;
        GroupWeightedAuc auc = new GroupWeightedAuc(capacity);
        List<Obs> all = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            String group = "cat=" + random.nextInt(6);
            boolean label = random.nextDouble() < 0.3;
            // Ties on purpose (scores on a coarse grid), label-dependent class weights and
            // down-sampled negatives, as the job stamps them.
            double score = Math.floor(random.nextDouble() * 20) / 20;
            double classWeight = label ? 0.5 + random.nextDouble() * 4 : random.nextDouble();
            double rate = label ? 1.0 : 0.3;
            Obs o = new Obs(group, score, label, classWeight, rate);
            all.add(o);
            auc.add(o.group(), o.score(), o.label(), o.classWeight(), o.rate());
            if (i % 37 == 5) {
                List<Obs> window = all.subList(Math.max(0, all.size() - capacity), all.size());
                assertThat(auc.auc()).isCloseTo(bruteForce(window), within(1e-12));
                assertThat(auc.count()).isEqualTo(window.size());
            }
        }
    }

    @Test
    void withoutClassWeightsOrSamplingItIsTheUnweightedAuc() {
        SplittableRandom random = new SplittableRandom(3);
        GroupWeightedAuc auc = new GroupWeightedAuc(500);
        WindowedBinaryMetrics plain = new WindowedBinaryMetrics(500);
        for (int i = 0; i < 400; i++) {
            double score = random.nextDouble();
            boolean label = random.nextDouble() < score;
            auc.add("cat=" + random.nextInt(9), score, label, 1.0, 1.0);
            plain.add(score, label);
        }
        assertThat(auc.auc()).isCloseTo(plain.auc(false), within(1e-12));
    }

    /**
     * The mechanism behind the learner's old {@code ctr.auc.weighted}: pair weights from class
     * weights of label-dependent classes ({@code cat|y}). The scorer is the best one that knows
     * only the category: each category's click rate. Its AUC under any weights is a sum over
     * category pairs, computed here in closed form from the category counts, {@code Σ P+(a) P−(b)
     * H(s_a − s_b)} with {@code P±(c)} the weighted share of the positives (negatives) in category
     * c and {@code H} the step function (1/2 at a tie).
     */
    @Test
    void labelDependentWeightsChooseThePairsAndTheAucOfTheCategoryOracle() {
        int categories = 8;
        int[] exposures = new int[categories];
        int[] clicks = new int[categories];
        for (int c = 0; c < categories; c++) {
            exposures[c] = 4000 / (c + 1); // Zipf-like volumes
            clicks[c] = (int) Math.round(exposures[c] * (0.02 + 0.03 * c)); // rates 2%..23%
        }
        double[] rate = new double[categories];
        for (int c = 0; c < categories; c++) {
            rate[c] = (double) clicks[c] / exposures[c];
        }

        // Inverse class frequency: w(c, y) = 1 / n(c, y). Both weighted mixtures are uniform over
        // the categories, so the category oracle scores exactly 1/2.
        double[][] inverse = new double[categories][2];
        // Over-corrected: w(c, y) = n(c, y)^-1.5, which favours the positives of the categories
        // with few clicks (low rates): the oracle falls below 1/2.
        double[][] overInverse = new double[categories][2];
        for (int c = 0; c < categories; c++) {
            int negatives = exposures[c] - clicks[c];
            inverse[c][0] = 1.0 / negatives;
            inverse[c][1] = 1.0 / clicks[c];
            overInverse[c][0] = Math.pow(negatives, -1.5);
            overInverse[c][1] = Math.pow(clicks[c], -1.5);
        }

        for (double[][] table : List.of(inverse, overInverse)) {
            WindowedBinaryMetrics trainingWeights = new WindowedBinaryMetrics(1_000_000);
            GroupWeightedAuc labelFree = new GroupWeightedAuc(1_000_000);
            for (int c = 0; c < categories; c++) {
                for (int i = 0; i < exposures[c]; i++) {
                    boolean click = i < clicks[c];
                    double w = table[c][click ? 1 : 0];
                    trainingWeights.add(rate[c], click, w);
                    labelFree.add("cat=" + c, rate[c], click, w, 1.0);
                }
            }
            // Old metric: pair weight = product of the label-dependent class weights.
            double[] positiveShare = new double[categories];
            double[] negativeShare = new double[categories];
            // New metric: each category's exposures weighted by its mean class weight.
            double[] positiveShareLabelFree = new double[categories];
            double[] negativeShareLabelFree = new double[categories];
            for (int c = 0; c < categories; c++) {
                int negatives = exposures[c] - clicks[c];
                positiveShare[c] = table[c][1] * clicks[c];
                negativeShare[c] = table[c][0] * negatives;
                double mean = (positiveShare[c] + negativeShare[c]) / exposures[c];
                positiveShareLabelFree[c] = mean * clicks[c];
                negativeShareLabelFree[c] = mean * negatives;
            }
            double old = closedForm(rate, positiveShare, negativeShare);
            double fixed = closedForm(rate, positiveShareLabelFree, negativeShareLabelFree);
            assertThat(trainingWeights.auc(true)).isCloseTo(old, within(1e-9));
            assertThat(labelFree.auc()).isCloseTo(fixed, within(1e-9));
            // Re-weighting whole categories keeps each category's click rate, so the oracle that
            // orders categories by their rate stays above chance.
            assertThat(fixed).isGreaterThan(0.6);
            if (table == inverse) {
                assertThat(old).isCloseTo(0.5, within(1e-9));
            } else {
                assertThat(old).isLessThan(0.45);
            }
        }
    }

    private static double closedForm(double[] score, double[] positive, double[] negative) {
        double num = 0;
        double p = 0;
        double n = 0;
        for (int a = 0; a < score.length; a++) {
            p += positive[a];
            n += negative[a];
            for (int b = 0; b < score.length; b++) {
                double step = score[a] > score[b] ? 1 : score[a] == score[b] ? 0.5 : 0;
                num += positive[a] * negative[b] * step;
            }
        }
        return num / (p * n);
    }

    @Test
    void undefinedWithoutBothLabelsAndRejectsBadInput() {
        GroupWeightedAuc auc = new GroupWeightedAuc(4);
        assertThat(auc.auc()).isNaN();
        auc.add("cat=1", 0.2, true, 1.0, 1.0);
        assertThat(auc.auc()).isNaN();
        assertThatThrownBy(() -> auc.add("cat=1", Double.NaN, false, 1.0, 1.0))
                .hasMessageContaining("score must be finite");
        assertThatThrownBy(() -> auc.add("cat=1", 0.1, false, -1.0, 1.0))
                .hasMessageContaining("class weight must be finite and non-negative");
        assertThatThrownBy(() -> auc.add("cat=1", 0.1, false, 1.0, 0.0))
                .hasMessageContaining("sampling rate must be in (0, 1]");
        assertThatThrownBy(() -> new GroupWeightedAuc(0))
                .hasMessageContaining("capacity must be positive");
        assertThat(auc.count()).isEqualTo(1);
    }
}
