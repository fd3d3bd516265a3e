package dev.counterweight.core.weighting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class WeightingConfigTest {

    private static WeightingConfig config(
            WeightingStrategy s, double beta, double min, double max) {
        return new WeightingConfig(s, beta, min, max, true);
    }

    @Test
    void rejectsInvalidMinWeight() {
        WeightingStrategy s = WeightingStrategy.INVERSE;
        assertThatThrownBy(() -> config(s, 0.9, 0, 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("weights.min")
                .hasMessageContaining("was 0.0");
        assertThatThrownBy(() -> config(s, 0.9, -1, 10)).hasMessageContaining("weights.min");
        assertThatThrownBy(() -> config(s, 0.9, Double.NaN, 10))
                .hasMessageContaining("weights.min");
        assertThatThrownBy(() -> config(s, 0.9, Double.POSITIVE_INFINITY, 10))
                .hasMessageContaining("weights.min");
    }

    @Test
    void rejectsInvalidMaxWeight() {
        WeightingStrategy s = WeightingStrategy.SQRT_INVERSE;
        assertThatThrownBy(() -> config(s, 0.9, 1, Double.POSITIVE_INFINITY))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("weights.max");
        assertThatThrownBy(() -> config(s, 0.9, 1, Double.NaN)).hasMessageContaining("weights.max");
        assertThatThrownBy(() -> config(s, 0.9, 2, 1))
                .hasMessageContaining("weights.max must be >= weights.min");
    }

    @Test
    void betaIsValidatedOnlyForEffectiveNumber() {
        WeightingStrategy s = WeightingStrategy.EFFECTIVE_NUMBER;
        for (double beta : new double[] {0, 1, -0.5, 1.5, Double.NaN}) {
            assertThatThrownBy(() -> config(s, beta, 0.1, 10))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("weights.beta");
        }
        assertThat(config(WeightingStrategy.INVERSE, Double.NaN, 0.1, 10).beta()).isNaN();
        assertThat(config(s, 0.5, 1, 1).minWeight()).isEqualTo(1.0);
    }

    @Test
    void rejectsNullStrategy() {
        assertThatThrownBy(() -> config(null, 0.9, 1, 2))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("weights.strategy");
    }

    @Test
    void defaultsAreValid() {
        WeightingConfig c = WeightingConfig.defaults(WeightingStrategy.EFFECTIVE_NUMBER);
        assertThat(c.beta()).isEqualTo(WeightingConfig.DEFAULT_BETA);
        assertThat(c.minWeight()).isLessThan(c.maxWeight());
        assertThat(c.normalise()).isTrue();
    }
}
