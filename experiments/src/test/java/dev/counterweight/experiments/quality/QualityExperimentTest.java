package dev.counterweight.experiments.quality;

import static org.assertj.core.api.Assertions.assertThat;

import dev.counterweight.avro.EventType;
import dev.counterweight.avro.UserEvent;
import dev.counterweight.connectors.dataset.KnownAnswerConfig;
import dev.counterweight.core.metrics.KnownAnswerEvaluation;
import dev.counterweight.core.weighting.WeightingStrategy;
import dev.counterweight.experiments.offline.OfflineAttribution.AttributedSample;
import dev.counterweight.experiments.quality.QualityExperiment.Outcome;
import dev.counterweight.experiments.quality.QualityRunner.Metrics;
import dev.counterweight.experiments.quality.QualityRunner.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The quality experiment in --quick mode on a small slice: finite metrics, weights that differ. */
class QualityExperimentTest {

    @TempDir Path dir;

    @Test
    void quickRunHasFiniteMetricsAndWeightingChangesTheWeights() throws Exception {
        List<String> progress = new ArrayList<>();
        Outcome o =
                QualityExperiment.run(
                        -1,
                        List.of(7L),
                        QualityExperiment.DEFAULT_LEARNING_RATE,
                        true,
                        progress::add);

        assertThat(o.results()).hasSize(QualityExperiment.quickConfigs().size());
        assertThat(o.codeVersion()).isNotBlank();
        for (Result r : o.results().stream().map(SeededResult::first).toList()) {
            assertFinite(r.name() + " progressive", r.progressive());
            // The quick slice's short tail may hold no purchase: CTCVR there can be undefined.
            assertFiniteCtr(r.name() + " held-out", r.holdOut());
            assertThat(r.effectiveSampleSize()).as(r.name()).isPositive().isFinite();
        }
        assertFiniteCtr("offline", o.offline().first().holdOut());
        assertFiniteCtr("reference", o.reference().first().holdOut());

        Result none = byStrategy(o, WeightingStrategy.NONE);
        Result inverse = byStrategy(o, WeightingStrategy.INVERSE);
        // Without weighting every row weighs 1: ESS is the row count.
        assertThat(none.minWeight()).isEqualTo(1.0);
        assertThat(none.maxWeight()).isEqualTo(1.0);
        assertThat(none.essFraction()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
        // The job's stamping gives INVERSE rows different weights, which costs effective size.
        assertThat(inverse.maxWeight()).isGreaterThan(inverse.minWeight());
        assertThat(inverse.essFraction()).isLessThan(none.essFraction() - 0.01);
        assertThat(inverse.holdOut().ctrLogLoss()).isNotEqualTo(none.holdOut().ctrLogLoss());
        // SMOTE trains extra synthetic rows for the smallest classes, splitting their weight.
        Result smote = byName(o, "NONE + SMOTE×" + ExperimentConfig.OVERSAMPLE_COPIES);
        assertThat(smote.syntheticRows()).isPositive();
        assertThat(smote.trainedRows()).isEqualTo(none.trainedRows() + smote.syntheticRows());
        assertThat(smote.minWeight()).isLessThan(none.minWeight());
        assertThat(smote.holdOut().count()).isEqualTo(none.holdOut().count());
        // Loss-aware folds the learner's class losses into the tables: its weights differ from
        // the plain strategy's, not just from NONE's.
        Result lossAware = byName(o, "SQRT_INVERSE + loss-aware");
        assertThat(lossAware.lossWindows()).isPositive();
        assertThat(lossAware.maxWeight()).isGreaterThan(lossAware.minWeight());
        assertThat(lossAware.essFraction()).isLessThan(none.essFraction() - 0.01);

        // The importance report follows the job-default run: its own accumulation of the trained
        // rows agrees with the runner's effective-sample-size accumulator and row count.
        assertThat(o.importance()).isNotNull();
        var importance = o.importance().rows();
        Result tracked = byName(o, QualityExperiment.importanceConfig().name());
        assertThat(importance.rows()).isEqualTo(tracked.trainedRows());
        var ess = importance.essSeries();
        assertThat(ess.get(ess.size() - 1).cumulativeFraction())
                .isCloseTo(tracked.essFraction(), org.assertj.core.data.Offset.offset(1e-6));
        // The report sees the weights as trained (float), the runner's bounds are doubles.
        assertThat(importance.weightQuantile(0))
                .isCloseTo(
                        tracked.minWeight(), org.assertj.core.data.Percentage.withPercentage(1e-4));
        assertThat(importance.weightQuantile(1))
                .isCloseTo(
                        tracked.maxWeight(), org.assertj.core.data.Percentage.withPercentage(1e-4));
        assertThat(importance.topRows()).hasSize(QualityExperiment.IMPORTANCE_TOP_ROWS);
        assertThat(importance.topRows().get(0).importance()).isPositive().isFinite();

        List<Path> files =
                QualityReport.write(o, dir.resolve("QUALITY.md"), dir.resolve("plots"), "cmd");
        for (Path f : files) {
            assertThat(Files.size(f)).as(f.toString()).isPositive();
        }
        assertThat(files)
                .contains(
                        dir.resolve("plots").resolve(ImportanceReport.FILE),
                        dir.resolve("plots").resolve(ImportanceReport.HISTOGRAM_PNG),
                        dir.resolve("plots").resolve(ImportanceReport.LOSS_PNG));
        assertThat(Files.readString(dir.resolve("QUALITY.md")))
                .contains(
                        "## Verdict",
                        "plots/" + QualityReport.AUC_PNG,
                        "seeds | 7 ",
                        "(plots/" + ImportanceReport.FILE + ")");
        assertThat(Files.readString(dir.resolve("plots").resolve(ImportanceReport.FILE)))
                .contains(
                        "## Rows with the highest loss-based importance",
                        "(../QUALITY.md)",
                        importance.topRows().get(0).sampleId());
    }

    @Test
    void quickKnownAnswerRunComputesTheCeilingAndFiniteMetrics() {
        KnownAnswerConfig config =
                KnownAnswerConfig.defaults(5).toBuilder().exposures(12_000).build();
        List<String> progress = new ArrayList<>();
        var o =
                QualityExperiment.runKnownAnswer(
                        config,
                        List.of(7L),
                        QualityExperiment.DEFAULT_LEARNING_RATE,
                        true,
                        QualityExperiment.quickKnownAnswerConfigs(),
                        progress::add);

        assertThat(o.results()).hasSize(QualityExperiment.quickKnownAnswerConfigs().size());
        assertThat(o.evaluated()).isPositive().isLessThanOrEqualTo(o.holdOutSamples());
        List<Result> all = new ArrayList<>();
        o.results().forEach(r -> all.add(r.first()));
        all.add(o.reference().first());
        double ceiling = o.reference().first().knownAnswer().ctr().overall().ceilingAuc();
        // The true probabilities rank the clicks better than chance.
        assertThat(ceiling).isGreaterThan(0.5).isLessThanOrEqualTo(1.0);
        for (Result r : all) {
            var k = r.knownAnswer();
            assertThat(k).as(r.name()).isNotNull();
            // Every run is judged on the same held-out exposures: one ceiling.
            assertThat(k.ctr().overall().ceilingAuc()).as(r.name()).isEqualTo(ceiling);
            assertThat(k.ctr().overall().samples()).isEqualTo(o.evaluated());
            for (double v :
                    new double[] {
                        k.ctr().overall().auc(),
                        k.ctr().overall().liftCaptured(),
                        k.ctr().overall().ece(),
                        k.ctrRawEce(),
                        k.ctcvr().overall().auc(),
                        k.ctcvr().overall().ceilingAuc(),
                        k.ctcvr().overall().ece(),
                        k.ctcvrRawEce(),
                        k.ctr(KnownAnswerEvaluation.Group.HEAD).auc(),
                        k.ctr(KnownAnswerEvaluation.Group.TORSO).auc(),
                        k.ctr(KnownAnswerEvaluation.Group.HEAD).ceilingAuc(),
                        k.ctr(KnownAnswerEvaluation.Group.TORSO).ceilingAuc()
                    }) {
                assertThat(v).as(r.name()).isFinite();
            }
        }
        // NONE without down-sampling has no prior correction, but the calibration map fitted on
        // its progressive window changes its scores: calibrated and raw ECE differ.
        var none = o.results().get(0).first().knownAnswer();
        assertThat(none.ctr().overall().ece()).isNotEqualTo(none.ctrRawEce());
        // INVERSE's weights are undone: its calibrated scores differ from its raw ones.
        var inverse = o.results().get(1).first().knownAnswer();
        assertThat(inverse.ctr().overall().ece()).isNotEqualTo(inverse.ctrRawEce());

        String md = KnownAnswerReport.markdown(o, "cmd");
        assertThat(md.indexOf("## Verdict rules"))
                .isPositive()
                .isLessThan(md.indexOf("## Held-out, against the truth"));
        assertThat(md).contains("**ceiling**", "**deviation**", QualityRunner.REFERENCE_NAME);
    }

    @Test
    void trainsAndEvaluatesOnlyOnWindowsThatClosedInsideTheData() {
        // Four exposures 10 minutes apart, the last event at minute 30: under the job's default
        // 30-minute window only the first one's window closed before the data ended. The others'
        // labels are censored (a return after minute 30 could not be seen) and must not be used.
        List<UserEvent> events = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            events.add(exposure("item" + i, Duration.ofMinutes(10L * i)));
        }

        List<AttributedSample> samples = QualityExperiment.samples(events);

        assertThat(samples).extracting(AttributedSample::itemId).containsExactly("item0");
    }

    private static UserEvent exposure(String item, Duration at) {
        return UserEvent.newBuilder()
                .setEventId("e-" + item)
                .setUserId("u1")
                .setItemId(item)
                .setCategoryId("cat")
                .setType(EventType.IMPRESSION)
                .setEventTime(Instant.EPOCH.plus(at))
                .setFeatures(new ArrayList<>())
                .build();
    }

    private static Result byStrategy(Outcome o, WeightingStrategy s) {
        return o.results().stream()
                .filter(r -> r.config().strategy() == s && r.config().plain())
                .findFirst()
                .orElseThrow()
                .first();
    }

    private static Result byName(Outcome o, String name) {
        return o.results().stream()
                .filter(r -> r.name().equals(name))
                .findFirst()
                .orElseThrow()
                .first();
    }

    private static void assertFiniteCtr(String what, Metrics m) {
        assertThat(m.count()).as(what).isPositive();
        for (double v : new double[] {m.ctrAuc(), m.ctrMacroAuc(), m.ctrLogLoss(), m.ctrEce()}) {
            assertThat(v).as(what).isFinite();
        }
        assertThat(m.ctcvrLogLoss()).as(what).isFinite();
    }

    private static void assertFinite(String what, Metrics m) {
        assertThat(m.count()).as(what).isPositive();
        for (double v :
                new double[] {
                    m.ctrAuc(), m.ctcvrAuc(), m.ctrMacroAuc(), m.ctrTailAuc(),
                    m.ctrLogLoss(), m.ctcvrLogLoss(), m.ctrEce(), m.ctcvrEce()
                }) {
            assertThat(v).as(what).isFinite();
        }
    }
}
