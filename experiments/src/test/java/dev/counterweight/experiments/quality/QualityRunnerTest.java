package dev.counterweight.experiments.quality;

import static org.assertj.core.api.Assertions.assertThat;

import dev.counterweight.connectors.dataset.SyntheticEventGenerator;
import dev.counterweight.core.weighting.WeightingStrategy;
import dev.counterweight.experiments.offline.OfflineAttribution;
import dev.counterweight.experiments.offline.OfflineAttribution.AttributedSample;
import dev.counterweight.experiments.quality.QualityRunner.Result;
import dev.counterweight.experiments.quality.QualityRunner.Settings;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Loss-aware weights and SMOTE-style augmentation in the in-JVM replay, cheaply: a seeded synthetic
 * stream of 6,000 exposures (20 Zipf categories) and batches of 64, so the learner's class-loss
 * cadence (every 10 batches) publishes several windows.
 */
class QualityRunnerTest {

    private static QualityRunner runner;

    @BeforeAll
    static void prepare() {
        List<AttributedSample> samples =
                OfflineAttribution.attribute(
                        SyntheticEventGenerator.generate(
                                SyntheticEventGenerator.Config.defaults(5).withExposures(6_000)),
                        OfflineAttribution.Settings.jobDefaults());
        Settings d = Settings.defaults(5);
        runner =
                new QualityRunner(
                        samples,
                        new Settings(
                                d.classKey(),
                                d.weightHalfLife(),
                                d.updateIntervalMillis(),
                                d.minWeight(),
                                d.maxWeight(),
                                64,
                                d.holdOutFraction(),
                                1,
                                5,
                                d.model()));
    }

    @Test
    void lossAwareFoldsTheLearnersClassLossIntoTheTables() {
        Result plain = runner.run(ExperimentConfig.of(WeightingStrategy.SQRT_INVERSE));
        Result lossAware =
                runner.run(ExperimentConfig.of(WeightingStrategy.SQRT_INVERSE).withLossAware());

        assertThat(plain.lossWindows()).isZero();
        int batches = (int) Math.ceil(runner.trainingSamples() / 64.0);
        assertThat(lossAware.lossWindows())
                .as("one window every %d batches", QualityRunner.CLASS_LOSS_EVERY_BATCHES)
                .isEqualTo(batches / QualityRunner.CLASS_LOSS_EVERY_BATCHES);
        assertThat(lossAware.trainedRows()).isEqualTo(plain.trainedRows());
        assertThat(lossAware.effectiveSampleSize())
                .as("the multipliers changed the stamped weights")
                .isNotEqualTo(plain.effectiveSampleSize());
        assertThat(lossAware.name()).isEqualTo("SQRT_INVERSE + loss-aware");
        assertFinite(lossAware);
    }

    @Test
    void smoteAddsSyntheticRowsThatAreNeverEvaluated() {
        Result none = runner.run(ExperimentConfig.of(WeightingStrategy.NONE));
        Result smote = runner.run(ExperimentConfig.of(WeightingStrategy.NONE).withSmote());

        assertThat(smote.syntheticRows()).isPositive();
        assertThat(smote.trainedRows()).isEqualTo(none.trainedRows() + smote.syntheticRows());
        assertThat(smote.progressive().count())
                .as("synthetic rows are excluded from progressive evaluation")
                .isEqualTo(none.progressive().count());
        assertThat(smote.holdOut().count()).isEqualTo(none.holdOut().count());
        assertThat(smote.maxWeight()).isEqualTo(1.0);
        assertThat(smote.minWeight())
                .as("a minority sample's weight is split over it and its synthetic companions")
                .isEqualTo(1.0 / ExperimentConfig.OVERSAMPLE_COPIES);
        assertThat(smote.holdOut().ctrLogLoss()).isNotEqualTo(none.holdOut().ctrLogLoss());
        assertFinite(smote);
    }

    @Test
    void theExperimentsLearningRateReplacesOnlyTheModelsRate() {
        Settings learnerDefault = Settings.defaults(5);
        Settings experiment = Settings.defaults(5, 0.01);

        assertThat(learnerDefault.model().learningRate())
                .isEqualTo(QualityRunner.defaultModel().learningRate());
        assertThat(experiment.model().learningRate()).isEqualTo(0.01);
        assertThat(experiment.model().seed()).isEqualTo(5);
        assertThat(experiment.batchSize()).isEqualTo(learnerDefault.batchSize());
        assertThat(experiment.model().bottomLayers())
                .isEqualTo(learnerDefault.model().bottomLayers());
    }

    private static void assertFinite(Result r) {
        assertThat(r.holdOut().ctrAuc()).as(r.name()).isFinite();
        assertThat(r.holdOut().ctrLogLoss()).as(r.name()).isFinite();
        assertThat(r.progressive().ctrAuc()).as(r.name()).isFinite();
        assertThat(r.effectiveSampleSize()).as(r.name()).isPositive().isFinite();
    }
}
