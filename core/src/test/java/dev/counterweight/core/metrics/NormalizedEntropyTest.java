package dev.counterweight.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class NormalizedEntropyTest {

    @Test
    void predictingTheBaseRateHasNormalizedEntropyOne() {
        // 37 positives in 400: a constant prediction of 37/400 has log loss H(37/400).
        WindowedBinaryMetrics w = new WindowedBinaryMetrics(400);
        for (int i = 0; i < 400; i++) {
            w.add(37.0 / 400, i < 37, 1.0);
        }
        assertThat(NormalizedEntropy.of(w.logLoss(false), 37, 363)).isCloseTo(1.0, within(1e-12));
        assertThat(NormalizedEntropy.ofRate(w.logLoss(true), w.meanLabel(true)))
                .isCloseTo(1.0, within(1e-12));
    }

    /**
     * A class-weighted model predicts the weighted base rate, not the raw one: against the weighted
     * rate its NE is 1, against the unweighted one it looks worse than a constant.
     */
    @Test
    void aConstantAtTheWeightedRateHasWeightedNormalizedEntropyOne() {
        WindowedBinaryMetrics w = new WindowedBinaryMetrics(1_000);
        // 50 positives weighted 9, 950 negatives weighted 1: weighted rate 450 / 1400.
        double weightedRate = 450.0 / 1400;
        for (int i = 0; i < 1_000; i++) {
            w.add(weightedRate, i < 50, i < 50 ? 9.0 : 1.0);
        }
        assertThat(w.meanLabel(true)).isCloseTo(weightedRate, within(1e-15));
        assertThat(NormalizedEntropy.ofRate(w.logLoss(true), w.meanLabel(true)))
                .isCloseTo(1.0, within(1e-12));
        assertThat(NormalizedEntropy.of(w.logLoss(false), 50, 950)).isGreaterThan(1.5);
    }

    @Test
    void entropyMatchesItsDefinitionInBits() {
        // H(1/2) = ln 2; H(1/4) = 2 - 3/4 log2(3) bits.
        assertThat(NormalizedEntropy.entropy(0.5)).isCloseTo(Math.log(2), within(1e-15));
        double bits = 2 - 0.75 * Math.log(3) / Math.log(2);
        assertThat(NormalizedEntropy.entropy(0.25) / Math.log(2)).isCloseTo(bits, within(1e-14));
        assertThat(NormalizedEntropy.entropy(0)).isZero();
        assertThat(NormalizedEntropy.entropy(1.5)).isNaN();
        assertThat(NormalizedEntropy.of(0.3, 0, 10)).isNaN();
    }

    /**
     * The same model on windows whose click rate differs: raw log loss follows the rate, NE stays.
     * A model that knows each sample's true probability p has expected log loss E[H(p)]; with p
     * uniform on [0, 2r] NE is the same function of r's shape for both windows up to the rate.
     */
    @Test
    void normalizedEntropyRemovesTheBaseRateThatRawLogLossFollows() {
        double[] ne = new double[2];
        double[] raw = new double[2];
        double[] rates = {0.04, 0.08};
        for (int k = 0; k < 2; k++) {
            Random random = new Random(11 + k);
            int n = 200_000;
            WindowedBinaryMetrics w = new WindowedBinaryMetrics(n);
            long positives = 0;
            for (int i = 0; i < n; i++) {
                double p = rates[k] * 2 * random.nextDouble();
                boolean y = random.nextDouble() < p;
                positives += y ? 1 : 0;
                w.add(p, y, 1.0);
            }
            raw[k] = w.logLoss(false);
            ne[k] = NormalizedEntropy.of(raw[k], positives, n - positives);
        }
        assertThat(raw[1] / raw[0]).isGreaterThan(1.5);
        assertThat(Math.abs(ne[1] - ne[0])).isLessThan(0.05);
    }

    /** The plug-in standard error against the spread of the mean over many independent windows. */
    @Test
    void logLossStandardErrorMatchesTheSpreadOverRepeatedWindows() {
        Random random = new Random(5);
        int windows = 400;
        int n = 2_000;
        double sum = 0;
        double sumSq = 0;
        double seSum = 0;
        for (int k = 0; k < windows; k++) {
            WindowedBinaryMetrics w = new WindowedBinaryMetrics(n);
            for (int i = 0; i < n; i++) {
                double p = 0.02 + 0.2 * random.nextDouble();
                w.add(p, random.nextDouble() < p, 1.0);
            }
            double l = w.logLoss(false);
            sum += l;
            sumSq += l * l;
            seSum += w.logLossStandardError(false);
        }
        double mean = sum / windows;
        double sd = Math.sqrt((sumSq - windows * mean * mean) / (windows - 1));
        // The spread's own estimate has a relative error of about 1/sqrt(2 * 400) = 3.5 %.
        assertThat(seSum / windows).isCloseTo(sd, within(0.12 * sd));
    }

    @Test
    void calibrationRatioAndItsStandardErrorByHand() {
        WindowedBinaryMetrics w = new WindowedBinaryMetrics(4);
        w.add(0.2, true, 2.0);
        w.add(0.2, false, 1.0);
        w.add(0.4, false, 1.0);
        w.add(0.4, true, 0.0);
        // Weighted: mean score (0.4 + 0.2 + 0.4 + 0) / 4 = 0.25; mean label 2 / 4 = 0.5.
        assertThat(w.calibrationRatio(true)).isCloseTo(0.5, within(1e-15));
        // sqrt(4 * 0.25 + 1 * 0.25 + 1 * 0.25 + 0) / 4 / 0.5 = sqrt(1.5) / 2.
        assertThat(w.calibrationLogRatioStandardError(true))
                .isCloseTo(Math.sqrt(1.5) / 2, within(1e-15));
        // Unweighted: mean score 0.3, mean label 0.5.
        assertThat(w.calibrationRatio(false)).isCloseTo(0.6, within(1e-15));
    }
}
