package dev.counterweight.experiments.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import dev.counterweight.core.attribution.ClassKeyMode;
import dev.counterweight.core.weighting.WeightTable;
import dev.counterweight.core.weighting.WeightingConfig;
import dev.counterweight.core.weighting.WeightingStrategy;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Prior correction inverts what weighting does to the optimum of a weighted log loss: a model that
 * fits weighted data exactly predicts p_w = p·w+ / (p·w+ + (1 − p)·w−), and calibration must give p
 * back.
 */
class PriorCorrectionTest {

    private static final WeightingConfig INVERSE =
            new WeightingConfig(WeightingStrategy.INVERSE, 0.999, 0.01, 100, true);

    @Test
    void undoesLabelDependentClassWeightsAndDownSampling() {
        // Category a: 900 none, 100 click, no purchase yet; INVERSE weights differ per class.
        WeightTable t =
                WeightTable.compute(
                        1, Map.of("cat=a|y=none", 900.0, "cat=a|y=click", 100.0), INVERSE);
        double wNone = t.weightOf("cat=a|y=none");
        double wClick = t.weightOf("cat=a|y=click");
        assertThat(wClick).isGreaterThan(wNone);
        double rate = 0.3;
        double p = 0.07;
        double wPlus = wClick;
        double wMinus = wNone * rate;
        double fitted = p * wPlus / (p * wPlus + (1 - p) * wMinus);
        PriorCorrection c = new PriorCorrection(ClassKeyMode.CATEGORY_LABEL, t, rate);
        assertThat(c.calibrate("a", 0, fitted, 0.01)[0]).isCloseTo(p, offset(1e-12));
    }

    @Test
    void ctcvrNegativesMixTheirClassesByCount() {
        WeightTable t =
                WeightTable.compute(
                        1,
                        Map.of(
                                "cat=a|y=none", 800.0,
                                "cat=a|y=click", 150.0,
                                "cat=a|y=purchase", 50.0),
                        INVERSE);
        double wMinus =
                (800 * t.weightOf("cat=a|y=none") + 150 * t.weightOf("cat=a|y=click")) / 950;
        double wPlus = t.weightOf("cat=a|y=purchase");
        double p = 0.01;
        double fitted = p * wPlus / (p * wPlus + (1 - p) * wMinus);
        PriorCorrection c = new PriorCorrection(ClassKeyMode.CATEGORY_LABEL, t, 1.0);
        assertThat(c.calibrate("a", 0, 0.1, fitted)[1]).isCloseTo(p, offset(1e-12));
    }

    @Test
    void aClassKeyWithoutTheLabelOnlyUndoesDownSampling() {
        WeightTable t = WeightTable.compute(1, Map.of("cat=a", 10.0, "cat=b", 990.0), INVERSE);
        PriorCorrection c = new PriorCorrection(ClassKeyMode.CATEGORY, t, 0.5);
        // odds × 0.5: 0.2 → odds 0.25 → 0.125 → p = 0.1111...
        assertThat(c.calibrate("a", 0, 0.2, 0.05)[0]).isCloseTo(0.125 / 1.125, offset(1e-12));
        PriorCorrection none = new PriorCorrection(ClassKeyMode.CATEGORY_LABEL, null, 1.0);
        assertThat(none.calibrate("a", 0, 0.2, 0.05)).containsExactly(0.2, 0.05);
    }
}
