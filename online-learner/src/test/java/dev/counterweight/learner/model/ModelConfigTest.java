package dev.counterweight.learner.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ModelConfigTest {

    private static ModelConfig config(
            int userVocab, int denseFeatures, int[] bottom, int towerWidth) {
        return new ModelConfig(
                userVocab, 100, 10, 8, denseFeatures, bottom, towerWidth, 1e-3, 1L, false, 0);
    }

    @Test
    void namesTheOffendingField() {
        assertThatThrownBy(() -> config(0, 1, new int[] {4}, 2))
                .hasMessageContaining("userVocab must be in [1, 16777216], was 0");
        assertThatThrownBy(() -> config(ModelConfig.MAX_VOCABULARY + 1, 1, new int[] {4}, 2))
                .hasMessageContaining("userVocab");
        assertThatThrownBy(() -> config(10, -1, new int[] {4}, 2))
                .hasMessageContaining("denseFeatures must not be negative");
        assertThatThrownBy(() -> config(10, 1, new int[0], 2))
                .hasMessageContaining("bottomLayers must name at least one layer");
        assertThatThrownBy(() -> config(10, 1, new int[] {4, 0}, 2))
                .hasMessageContaining("bottomLayers[1] must be positive");
        assertThatThrownBy(() -> config(10, 1, new int[] {4}, 0))
                .hasMessageContaining("towerWidth must be positive");
        assertThatThrownBy(
                        () -> new ModelConfig(1, 1, 1, 1, 1, new int[] {1}, 1, 0.0, 1L, false, 0))
                .hasMessageContaining("learningRate must be finite and positive");
        assertThatThrownBy(() -> new ModelConfig(1, 1, 1, 1, 1, new int[] {1}, 1, 0.1, 1L, true, 1))
                .hasMessageContaining("experts must be at least 2 when mmoe is true");
        assertThatThrownBy(() -> new ModelConfig(1, 1, 1, 1, 1, null, 1, 0.1, 1L, false, 0))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("bottomLayers");
    }

    @Test
    void copiesTheLayerWidths() {
        int[] widths = {8, 4};
        ModelConfig config = config(10, 1, widths, 2);
        widths[0] = 99;
        config.bottomLayers()[1] = 99;

        assertThat(config.bottomLayers()).containsExactly(8, 4);
        assertThat(config).isEqualTo(config(10, 1, new int[] {8, 4}, 2));
        assertThat(config.hashCode()).isEqualTo(config(10, 1, new int[] {8, 4}, 2).hashCode());
    }

    @Test
    void encodingRoundTrips() {
        ModelConfig config =
                new ModelConfig(7, 8, 9, 3, 2, new int[] {5, 4}, 6, 0.1 / 3, -5L, true, 4);

        assertThat(ModelConfig.decode(config.encode())).isEqualTo(config);
    }

    @Test
    void fingerprintDependsOnTheFeatureSchemaOnly() {
        ModelConfig base = config(10, 2, new int[] {4}, 2);

        assertThat(base.featureFingerprint()).matches("fs1-[0-9a-f]{16}");
        assertThat(config(10, 2, new int[] {16, 8}, 5).featureFingerprint())
                .isEqualTo(base.featureFingerprint());
        assertThat(config(11, 2, new int[] {4}, 2).featureFingerprint())
                .isNotEqualTo(base.featureFingerprint());
        assertThat(config(10, 3, new int[] {4}, 2).featureFingerprint())
                .isNotEqualTo(base.featureFingerprint());
    }
}
