package dev.counterweight.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AucStandardErrorTest {

    @Test
    void matchesTheFormulaByHand() {
        // AUC 0.5, 10 positives and 10 negatives: Q1 = Q2 = 1/3, so
        // Var = (0.25 + 9/12 + 9/12) / 100 = 0.0175.
        assertThat(AucStandardError.hanleyMcNeil(0.5, 10, 10))
                .isCloseTo(Math.sqrt(0.0175), within(1e-12));
    }

    @Test
    void shrinksWithMorePositivesAndIsUndefinedWithoutThem() {
        double few = AucStandardError.hanleyMcNeil(0.55, 15, 9_000);
        double many = AucStandardError.hanleyMcNeil(0.55, 136, 9_000);

        assertThat(few).isGreaterThan(many).isPositive();
        assertThat(AucStandardError.hanleyMcNeil(0.55, 0, 9_000)).isNaN();
        assertThat(AucStandardError.hanleyMcNeil(Double.NaN, 5, 9_000)).isNaN();
        assertThat(AucStandardError.ofDifference(0.55, 0, 10, 0.6, 10, 10)).isNaN();
    }

    /**
     * The reference computed another way: the spread of the empirical AUC over many simulated
     * windows (exponential scores, positives shifted, so the true AUC is 2/3), by brute-force
     * pairwise counting. Hanley and McNeil derived their formula for this model, so it should agree
     * within the Monte Carlo error.
     */
    @Test
    void agreesWithTheSpreadOfSimulatedAucs() {
        SplittableRandom r = new SplittableRandom(11);
        int positives = 20;
        int negatives = 400;
        int windows = 2_000;
        double sum = 0;
        double sumSq = 0;
        for (int w = 0; w < windows; w++) {
            double[] pos = new double[positives];
            double[] neg = new double[negatives];
            for (int i = 0; i < positives; i++) {
                // Exponential with mean 2 vs mean 1: P(pos > neg) = 2/3.
                pos[i] = -2 * Math.log(1 - r.nextDouble());
            }
            for (int i = 0; i < negatives; i++) {
                neg[i] = -Math.log(1 - r.nextDouble());
            }
            double wins = 0;
            for (double p : pos) {
                for (double n : neg) {
                    wins += p > n ? 1 : p == n ? 0.5 : 0;
                }
            }
            double auc = wins / ((double) positives * negatives);
            sum += auc;
            sumSq += auc * auc;
        }
        double mean = sum / windows;
        double sd = Math.sqrt((sumSq - windows * mean * mean) / (windows - 1));

        assertThat(mean).isCloseTo(2.0 / 3, within(0.005));
        // The SD of a sample SD over 2,000 windows is about 1.6%: allow 8%.
        assertThat(AucStandardError.hanleyMcNeil(2.0 / 3, positives, negatives))
                .isCloseTo(sd, within(0.08 * sd));
        assertThat(
                        AucStandardError.ofDifference(
                                2.0 / 3, positives, negatives, 2.0 / 3, positives, negatives))
                .isCloseTo(
                        Math.sqrt(2) * AucStandardError.hanleyMcNeil(2.0 / 3, positives, negatives),
                        within(1e-12));
    }
}
