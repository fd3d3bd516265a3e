package dev.counterweight.core.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.counterweight.core.sampling.NegativeDownSampler.Decision;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NegativeDownSamplerTest {

    @Test
    void sameSeedAndIdGiveSameDecisionAcrossInstances() {
        NegativeDownSampler a = new NegativeDownSampler(DownSamplingConfig.uniform(0.3, 99));
        NegativeDownSampler b = new NegativeDownSampler(DownSamplingConfig.uniform(0.3, 99));
        for (int i = 0; i < 10_000; i++) {
            String id = "click-" + i;
            assertThat(a.decide(id, "shoes", true)).isEqualTo(b.decide(id, "shoes", true));
            assertThat(a.decide(id, "shoes", true)).isEqualTo(a.decide(id, "shoes", true));
        }
    }

    @Test
    void decisionMatchesHashThreshold() {
        NegativeDownSampler s = new NegativeDownSampler(DownSamplingConfig.uniform(0.25, 5));
        for (int i = 0; i < 1000; i++) {
            String id = "x" + i;
            boolean expected = StableHash.unitInterval(5, id) < 0.25;
            assertThat(s.decide(id, "c", true).keep()).isEqualTo(expected);
        }
    }

    @Test
    void differentSeedsGiveIndependentDecisions() {
        double rate = 0.5;
        NegativeDownSampler a = new NegativeDownSampler(DownSamplingConfig.uniform(rate, 1));
        NegativeDownSampler b = new NegativeDownSampler(DownSamplingConfig.uniform(rate, 2));
        int n = 20_000;
        int both = 0;
        for (int i = 0; i < n; i++) {
            String id = "id-" + i;
            if (a.decide(id, "c", true).keep() && b.decide(id, "c", true).keep()) {
                both++;
            }
        }
        // Independent seeds keep both with probability rate² = 1/4.
        double p = rate * rate;
        assertThat(Math.abs(both - n * p)).isLessThan(5 * Math.sqrt(n * p * (1 - p)));
    }

    @Test
    void keptFractionIsWithinBinomialBound() {
        for (double rate : new double[] {0.01, 0.1, 0.5, 0.9}) {
            NegativeDownSampler s = new NegativeDownSampler(DownSamplingConfig.uniform(rate, 7));
            int n = 200_000;
            int kept = 0;
            for (int i = 0; i < n; i++) {
                if (s.decide("sample-" + i, "c", true).keep()) {
                    kept++;
                }
            }
            assertThat(Math.abs(kept - n * rate))
                    .as("rate %s", rate)
                    .isLessThan(5 * Math.sqrt(n * rate * (1 - rate)));
        }
    }

    @Test
    void positivesAreAlwaysKeptWithRateOne() {
        NegativeDownSampler s = new NegativeDownSampler(DownSamplingConfig.uniform(0.01, 3));
        for (int i = 0; i < 1000; i++) {
            Decision d = s.decide("p" + i, "c", false);
            assertThat(d).isEqualTo(Decision.KEEP_POSITIVE);
            assertThat(d.weightMultiplier()).isEqualTo(1.0);
        }
    }

    @Test
    void perClassRatesApply() {
        Map<String, Double> rates = new HashMap<>();
        rates.put("rare", 1.0);
        rates.put("common", 0.05);
        NegativeDownSampler s = new NegativeDownSampler(new DownSamplingConfig(0.5, rates, 11));
        int keptCommon = 0;
        for (int i = 0; i < 10_000; i++) {
            assertThat(s.decide("n" + i, "rare", true)).isEqualTo(new Decision(true, 1.0));
            Decision d = s.decide("n" + i, "common", true);
            assertThat(d.rate()).isEqualTo(0.05);
            assertThat(d.weightMultiplier()).isEqualTo(20.0);
            keptCommon += d.keep() ? 1 : 0;
            assertThat(s.decide("n" + i, "other", true).rate()).isEqualTo(0.5);
        }
        assertThat(keptCommon).isBetween(500 - 5 * 22, 500 + 5 * 22);
        assertThat(s.config().perClassRate()).containsOnlyKeys("common", "rare");
    }

    @Test
    void rejectsInvalidRates() {
        for (double rate : new double[] {0, -0.1, 1.0001, Double.NaN}) {
            assertThatThrownBy(() -> DownSamplingConfig.uniform(rate, 0))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("downsampling.rate");
            assertThatThrownBy(() -> new DownSamplingConfig(0.5, Map.of("shoes", rate), 0))
                    .hasMessageContaining("downsampling.rate[shoes]");
            assertThatThrownBy(() -> new Decision(true, rate))
                    .hasMessageContaining("downsampling.rate");
        }
        assertThat(new DownSamplingConfig(1.0, null, 0).perClassRate()).isEmpty();
        assertThatThrownBy(
                        () ->
                                new NegativeDownSampler(DownSamplingConfig.uniform(1, 0))
                                        .decide(null, "c", true))
                .isInstanceOf(NullPointerException.class);
    }
}
