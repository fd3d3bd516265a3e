package dev.counterweight.deploy.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The verdict's error estimate. */
class QualityReportTest {

    @Test
    void hanleyMcNeilStandardErrorMatchesTheFormulaByHand() {
        // AUC 0.5, 10 positives and 10 negatives: Q1 = Q2 = 1/3, so
        // Var = (0.25 + 9/12 + 9/12) / 100 = 0.0175.
        assertThat(QualityReport.hanleyMcNeilSe(0.5, 10, 10))
                .isCloseTo(Math.sqrt(0.0175), within(1e-12));
    }

    @Test
    void standardErrorShrinksWithMorePositivesAndIsUndefinedWithoutThem() {
        double few = QualityReport.hanleyMcNeilSe(0.55, 15, 9_000);
        double many = QualityReport.hanleyMcNeilSe(0.55, 136, 9_000);

        assertThat(few).isGreaterThan(many).isPositive();
        assertThat(QualityReport.hanleyMcNeilSe(0.55, 0, 9_000)).isNaN();
    }
}
