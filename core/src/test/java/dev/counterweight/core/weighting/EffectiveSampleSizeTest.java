package dev.counterweight.core.weighting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class EffectiveSampleSizeTest {

    @Test
    void equalWeightsGiveTheCount() {
        EffectiveSampleSize ess = new EffectiveSampleSize();
        for (int i = 0; i < 1000; i++) {
            ess.add(2.5);
        }
        assertThat(ess.value()).isCloseTo(1000.0, within(1e-9));
        assertThat(ess.count()).isEqualTo(1000);
    }

    @Test
    void matchesDirectFormulaAndMergesLikeOneAccumulator() {
        SplittableRandom rnd = new SplittableRandom(2);
        double[] w = new double[5000];
        EffectiveSampleSize all = new EffectiveSampleSize();
        EffectiveSampleSize left = new EffectiveSampleSize();
        EffectiveSampleSize right = new EffectiveSampleSize();
        for (int i = 0; i < w.length; i++) {
            w[i] = rnd.nextInt(10) == 0 ? 0.0 : Math.exp(rnd.nextGaussian() * 2);
            all.add(w[i]);
            (i % 3 == 0 ? left : right).add(w[i]);
        }
        double sum = 0;
        double sumSq = 0;
        for (double x : w) {
            sum += x;
            sumSq += x * x;
        }
        double expected = sum * sum / sumSq;
        assertThat(all.value()).isCloseTo(expected, within(expected * 1e-12));
        assertThat(left.merge(right)).isSameAs(left);
        assertThat(left.value()).isCloseTo(expected, within(expected * 1e-12));
        assertThat(left.count()).isEqualTo(w.length);
        assertThat(left.sum()).isCloseTo(sum, within(sum * 1e-12));
        assertThat(left.sumOfSquares()).isCloseTo(sumSq, within(sumSq * 1e-12));
    }

    @Test
    void oneDominantWeightGivesAboutOne() {
        EffectiveSampleSize ess = new EffectiveSampleSize();
        ess.add(1e9);
        for (int i = 0; i < 100; i++) {
            ess.add(1);
        }
        assertThat(ess.value()).isCloseTo(1.0, within(1e-6));
    }

    @Test
    void emptyOrZeroWeightsGiveZero() {
        EffectiveSampleSize ess = new EffectiveSampleSize();
        assertThat(ess.value()).isEqualTo(0.0);
        ess.add(0);
        assertThat(ess.value()).isEqualTo(0.0);
        assertThat(ess.count()).isEqualTo(1);
    }

    @Test
    void rejectsInvalidWeights() {
        EffectiveSampleSize ess = new EffectiveSampleSize();
        assertThatThrownBy(() -> ess.add(-1)).hasMessageContaining("weight");
        assertThatThrownBy(() -> ess.add(Double.NaN)).hasMessageContaining("weight");
        assertThatThrownBy(() -> ess.add(Double.POSITIVE_INFINITY)).hasMessageContaining("weight");
        assertThat(ess.count()).isZero();
    }
}
