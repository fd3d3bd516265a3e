package dev.counterweight.core.attribution;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ClassKeyModeTest {

    @Test
    void keysNameCategoryLabelAndPopularity() {
        assertThat(ClassKeyMode.CATEGORY.keyOf("7", true, false, 0)).isEqualTo("cat=7");
        assertThat(ClassKeyMode.CATEGORY_LABEL.keyOf("7", true, false, 0))
                .isEqualTo("cat=7|y=click");
        assertThat(ClassKeyMode.CATEGORY_LABEL.keyOf("7", true, true, 0))
                .isEqualTo("cat=7|y=purchase");
        assertThat(ClassKeyMode.LABEL.keyOf("7", false, false, 0)).isEqualTo("y=none");
        assertThat(ClassKeyMode.POPULARITY.keyOf("7", false, false, 6)).isEqualTo("pop=2");
    }

    @Test
    void evaluationGroupDropsTheLabel() {
        assertThat(ClassKeyMode.evaluationGroup("cat=7|y=click")).isEqualTo("cat=7");
        assertThat(ClassKeyMode.evaluationGroup("cat=7")).isEqualTo("cat=7");
        assertThat(ClassKeyMode.evaluationGroup("y=none")).isEqualTo("all");
        assertThat(ClassKeyMode.evaluationGroup("pop=3")).isEqualTo("pop=3");
        for (ClassKeyMode mode : ClassKeyMode.values()) {
            // Samples of one category with different labels share a group.
            assertThat(ClassKeyMode.evaluationGroup(mode.keyOf("c", true, true, 5)))
                    .isEqualTo(ClassKeyMode.evaluationGroup(mode.keyOf("c", false, false, 5)));
        }
    }

    @Test
    void popularityBucketIsFloorLog2OfOnePlusExposures() {
        for (int e = 0; e < 5_000; e++) {
            int expected = (int) Math.floor(Math.log(1 + e) / Math.log(2) + 1e-12);
            assertThat(ClassKeyMode.popularityBucket(e)).as("exposures %d", e).isEqualTo(expected);
        }
        assertThat(ClassKeyMode.popularityBucket(Double.NaN)).isZero();
        assertThat(ClassKeyMode.popularityBucket(-3)).isZero();
    }
}
