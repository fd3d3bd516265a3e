package dev.counterweight.learner.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BatchTest {

    private static Batch batch(float[] click, float[] conversion, float[] weight) {
        int n = click.length;
        return new Batch(
                new int[n], new int[n], new int[n], new float[n][1], click, conversion, weight);
    }

    @Test
    void reportsSizeWidthAndTotalWeight() {
        Batch batch = batch(new float[] {1, 0}, new float[] {1, 0}, new float[] {0.5f, 2f});

        assertThat(batch.size()).isEqualTo(2);
        assertThat(batch.denseFeatures()).isEqualTo(1);
        assertThat(batch.totalWeight()).isEqualTo(2.5);
    }

    @Test
    void rejectsConversionWithoutClick() {
        assertThatThrownBy(() -> batch(new float[] {0}, new float[] {1}, new float[] {1}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("conversionLabel[0] = 1.0 exceeds clickLabel[0] = 0.0");
    }

    @Test
    void rejectsBadWeightsLabelsAndShapes() {
        assertThatThrownBy(() -> batch(new float[] {1}, new float[] {0}, new float[] {-1}))
                .hasMessageContaining("weight[0] must be finite and non-negative");
        assertThatThrownBy(() -> batch(new float[] {1}, new float[] {0}, new float[] {Float.NaN}))
                .hasMessageContaining("weight[0]");
        assertThatThrownBy(() -> batch(new float[] {2}, new float[] {0}, new float[] {1}))
                .hasMessageContaining("clickLabel[0] must be in [0, 1]");
        assertThatThrownBy(() -> batch(new float[] {1, 0}, new float[] {0}, new float[] {1, 1}))
                .hasMessageContaining("conversionLabel has 1 rows but userIdx has 2");
        assertThatThrownBy(() -> batch(new float[0], new float[0], new float[0]))
                .hasMessageContaining("must not be empty");
        assertThatThrownBy(
                        () ->
                                new Batch(
                                        new int[] {-1},
                                        new int[1],
                                        new int[1],
                                        new float[1][0],
                                        new float[1],
                                        new float[1],
                                        new float[] {1}))
                .hasMessageContaining("userIdx[0] must not be negative");
        assertThatThrownBy(
                        () ->
                                new Batch(
                                        new int[2],
                                        new int[2],
                                        new int[2],
                                        new float[][] {{1}, {1, 2}},
                                        new float[2],
                                        new float[2],
                                        new float[] {1, 1}))
                .hasMessageContaining("dense[1] has 2 features but dense[0] has 1");
    }

    @Test
    void unlabeledBatchHasUnitWeights() {
        Batch batch =
                Batch.unlabeled(
                        new int[] {1, 2}, new int[] {3, 4}, new int[] {0, 0}, new float[2][0]);

        assertThat(batch.weight()).containsExactly(1f, 1f);
        assertThat(batch.clickLabel()).containsExactly(0f, 0f);
    }
}
