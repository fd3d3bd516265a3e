package dev.counterweight.learner.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.counterweight.core.metrics.WindowedBinaryMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;

/** Tests of the DL4J ranking model in double precision on small networks. */
class Dl4jRankingModelTest {

    private static final ModelConfig SHARED_BOTTOM =
            new ModelConfig(20, 15, 6, 3, 2, new int[] {8, 6}, 4, 0.01, 11L, false, 0);
    private static final ModelConfig MMOE =
            new ModelConfig(20, 15, 6, 3, 2, new int[] {6}, 4, 0.01, 11L, true, 3);

    @TempDir Path dir;

    @BeforeAll
    static void doublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterAll
    static void restorePrecision() {
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
    }

    static Stream<ModelConfig> architectures() {
        return Stream.of(SHARED_BOTTOM, MMOE);
    }

    /**
     * After the start, the batch's weighted mean predicted CTR is its weighted click rate and the
     * clicked rows' weighted mean predicted CVR their weighted purchase rate, both recomputed here
     * by brute force from the scores.
     */
    @ParameterizedTest
    @MethodSource("architectures")
    void startsAtTheWeightedBaseRatesOfItsFirstBatch(ModelConfig config) {
        Batch unweighted = TestingBatches.random(config, 200, 5);
        float[] w = new float[200];
        SplittableRandom rnd = new SplittableRandom(9);
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (0.1 + 3 * rnd.nextDouble());
        }
        Batch batch = TestingBatches.withWeights(unweighted, w);
        Dl4jRankingModel model = Dl4jRankingModel.create(config);

        model.startAtBaseRates(batch);

        Scores scores = model.score(batch);
        double total = 0;
        double clicks = 0;
        double purchases = 0;
        double predictedClicks = 0;
        double predictedPurchases = 0;
        for (int i = 0; i < 200; i++) {
            double click = batch.clickLabel()[i];
            total += w[i];
            clicks += w[i] * click;
            purchases += w[i] * batch.conversionLabel()[i];
            predictedClicks += w[i] * scores.ctr()[i];
            predictedPurchases += w[i] * click * scores.cvr()[i];
        }
        assertThat(predictedClicks / total).isCloseTo((clicks + 0.5) / (total + 1), within(1e-9));
        assertThat(predictedPurchases / clicks)
                .isCloseTo((purchases + 0.5) / (clicks + 1), within(1e-9));
    }

    @Test
    void aBatchWithoutClicksLeavesTheConversionBiasAlone() {
        Batch noClicks = TestingBatches.random(SHARED_BOTTOM, 50, 3);
        java.util.Arrays.fill(noClicks.clickLabel(), 0f);
        java.util.Arrays.fill(noClicks.conversionLabel(), 0f);
        Dl4jRankingModel model = Dl4jRankingModel.create(SHARED_BOTTOM);
        double cvrBias = model.outputBias("cvr_logit");
        model.startAtBaseRates(noClicks);
        // No clicks: the CTR target is the smoothed 0.5 / 51; the CVR head is untouched.
        assertThat(mean(model.score(noClicks).ctr())).isCloseTo(0.5 / 51, within(1e-9));
        assertThat(model.outputBias("cvr_logit")).isEqualTo(cvrBias);
    }

    private static double mean(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return sum / values.length;
    }

    @Test
    void embeddingTablesKeepTheirVocabularySizes() {
        ComputationGraph graph = Dl4jRankingModel.create(SHARED_BOTTOM).graph();

        assertThat(graph.getLayer("user_emb").getParam("W").shape()).containsExactly(20, 3);
        assertThat(graph.getLayer("item_emb").getParam("W").shape()).containsExactly(15, 3);
        assertThat(graph.getLayer("category_emb").getParam("W").shape()).containsExactly(6, 3);
        long embeddings = (20 + 15 + 6) * 3;
        long bottom = (3 * 3 + 2) * 8 + 8 + 8 * 6 + 6;
        long towers = 2 * ((6 * 4 + 4) + (4 + 1));
        assertThat(graph.numParams()).isEqualTo(embeddings + bottom + towers);
        assertThat(graph.params().dataType()).isEqualTo(DataType.DOUBLE);
    }

    @ParameterizedTest
    @MethodSource("architectures")
    void weightedGraphPassesGradientCheck(ModelConfig config) {
        Dl4jRankingModel model = Dl4jRankingModel.create(config, new Sgd(1.0));
        Batch batch =
                TestingBatches.withWeights(
                        TestingBatches.random(config, 6, 3L), 0.5f, 2f, 1f, 0f, 3f, 1.25f);
        MultiDataSet data = model.toDataSet(batch);

        boolean passed =
                GradientCheckUtil.checkGradients(
                        new GradientCheckUtil.GraphConfig()
                                .net(model.graph())
                                .inputs(data.getFeatures())
                                .labels(data.getLabels())
                                .labelMask(data.getLabelsMaskArrays())
                                .epsilon(1e-6)
                                .maxRelError(1e-6)
                                .minAbsoluteError(1e-10)
                                .exitOnFirstError(true));

        assertThat(passed).isTrue();
    }

    @ParameterizedTest
    @MethodSource("architectures")
    void stepOnWeightTwoEqualsStepOnTwoCopies(ModelConfig config) {
        int k = 2;
        Batch weighted =
                TestingBatches.withWeights(
                        TestingBatches.random(config, 5, 5L), 0.5f, 1.5f, 2f, 1f, 0.25f);
        Batch duplicated = TestingBatches.withRowDuplicated(weighted, k, 1f);
        Dl4jRankingModel a = Dl4jRankingModel.create(config, new Sgd(0.5));
        Dl4jRankingModel b = Dl4jRankingModel.create(config, new Sgd(0.5));
        double[] initial = a.graph().params().toDoubleVector();
        assertThat(b.graph().params().toDoubleVector()).isEqualTo(initial);

        a.train(weighted);
        b.train(duplicated);

        double[] pa = a.graph().params().toDoubleVector();
        double[] pb = b.graph().params().toDoubleVector();
        double largestStep = 0;
        double largestDifference = 0;
        double largestParam = 0;
        for (int i = 0; i < pa.length; i++) {
            largestStep = Math.max(largestStep, Math.abs(pa[i] - initial[i]));
            largestDifference = Math.max(largestDifference, Math.abs(pa[i] - pb[i]));
            largestParam = Math.max(largestParam, Math.abs(pa[i]));
        }
        assertThat(largestStep).as("the step must move the parameters").isGreaterThan(1e-4);
        assertThat(largestDifference / largestStep).isLessThanOrEqualTo(1e-10);
        assertThat(largestDifference / largestParam).isLessThanOrEqualTo(1e-10);
    }

    @Test
    void weightOneIsNotEquivalentToTwoCopies() {
        Batch single = TestingBatches.random(SHARED_BOTTOM, 5, 5L);
        Batch duplicated = TestingBatches.withRowDuplicated(single, 2, 1f);
        Dl4jRankingModel a = Dl4jRankingModel.create(SHARED_BOTTOM, new Sgd(0.5));
        Dl4jRankingModel b = Dl4jRankingModel.create(SHARED_BOTTOM, new Sgd(0.5));

        a.train(single);
        b.train(duplicated);

        assertThat(a.graph().params().toDoubleVector())
                .isNotEqualTo(b.graph().params().toDoubleVector());
    }

    @ParameterizedTest
    @MethodSource("architectures")
    void ctcvrIsTheProductOfCtrAndCvr(ModelConfig config) {
        Dl4jRankingModel model = Dl4jRankingModel.create(config);
        Batch batch = TestingBatches.random(config, 16, 9L);
        model.train(batch);

        Scores scores = model.score(batch);

        assertThat(scores.size()).isEqualTo(16);
        for (int i = 0; i < scores.size(); i++) {
            assertThat(scores.ctr()[i]).isStrictlyBetween(0.0, 1.0);
            assertThat(scores.cvr()[i]).isStrictlyBetween(0.0, 1.0);
            assertThat(scores.ctcvr()[i])
                    .isCloseTo(scores.ctr()[i] * scores.cvr()[i], within(1e-15));
        }
    }

    @Test
    void scoringDoesNotTrain() {
        Dl4jRankingModel model = Dl4jRankingModel.create(SHARED_BOTTOM);
        Batch batch = TestingBatches.random(SHARED_BOTTOM, 8, 4L);
        double[] before = model.graph().params().toDoubleVector();

        Scores first = model.score(batch);
        Scores second = model.score(batch);

        assertThat(model.iterations()).isZero();
        assertThat(model.graph().params().toDoubleVector()).isEqualTo(before);
        assertThat(second.ctr()).isEqualTo(first.ctr());
    }

    @ParameterizedTest
    @MethodSource("architectures")
    void savedModelLoadsWithEqualScoresAndMetadata(ModelConfig config) throws IOException {
        Dl4jRankingModel model = Dl4jRankingModel.create(config);
        for (int step = 0; step < 3; step++) {
            model.train(TestingBatches.random(config, 16, step));
        }
        Batch probe = TestingBatches.random(config, 32, 99L);
        Path file = dir.resolve("model.zip");

        model.save(file);
        RankingModel loaded = RankingModel.load(file);

        Scores expected = model.score(probe);
        Scores actual = loaded.score(probe);
        assertThat(actual.ctr()).isEqualTo(expected.ctr());
        assertThat(actual.cvr()).isEqualTo(expected.cvr());
        assertThat(actual.ctcvr()).isEqualTo(expected.ctcvr());
        assertThat(loaded.iterations()).isEqualTo(3);
        assertThat(loaded.featureFingerprint()).isEqualTo(model.featureFingerprint());
        assertThat(((Dl4jRankingModel) loaded).config()).isEqualTo(config);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).as("no temporary file is left behind").containsExactly(file);
        }
    }

    @Test
    void fakeNegativeWeightingChangesTheStepAndSurvivesSaveAndLoad() throws IOException {
        ModelConfig config = ModelConfig.sharedBottom(20, 30, 5, 4, 3, new int[] {8}, 4);
        Dl4jRankingModel plain = Dl4jRankingModel.create(config, false, 0.5);
        Dl4jRankingModel fnw = Dl4jRankingModel.create(config, true, 0.5);
        assertThat(fnw.parameterVector()).isEqualTo(plain.parameterVector());
        assertThat(plain.conversionLoss()).isEqualTo(new WeightedBinaryCrossEntropy());
        Batch batch = TestingBatches.random(config, 64, 5L);

        plain.train(batch);
        fnw.train(batch);

        assertThat(fnw.parameterVector()).isNotEqualTo(plain.parameterVector());
        Path file = dir.resolve("fnw.zip");
        fnw.save(file);
        Dl4jRankingModel loaded = Dl4jRankingModel.load(file);
        assertThat(loaded.conversionLoss())
                .isEqualTo(WeightedBinaryCrossEntropy.withFakeNegativeWeighting(0.5));
        Batch next = TestingBatches.random(config, 64, 6L);
        fnw.train(next);
        loaded.train(next);
        assertThat(loaded.parameterVector()).isEqualTo(fnw.parameterVector());
    }

    @ParameterizedTest
    @EnumSource(
            value = DataType.class,
            names = {"FLOAT", "DOUBLE"})
    void trainingResumesBitExactlyFromSavedModel(DataType precision) throws IOException {
        int total = 6;
        int before = 3;
        Nd4j.setDefaultDataTypes(precision, precision);
        Dl4jRankingModel continuous;
        Dl4jRankingModel interrupted;
        try {
            continuous = Dl4jRankingModel.create(SHARED_BOTTOM);
            interrupted = Dl4jRankingModel.create(SHARED_BOTTOM);
        } finally {
            Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        }
        assertThat(continuous.graph().params().dataType()).isEqualTo(precision);
        for (int step = 0; step < before; step++) {
            continuous.train(TestingBatches.random(SHARED_BOTTOM, 16, step));
            interrupted.train(TestingBatches.random(SHARED_BOTTOM, 16, step));
        }
        Path file = dir.resolve("checkpoint.zip");
        interrupted.save(file);
        Dl4jRankingModel resumed = Dl4jRankingModel.load(file);

        for (int step = before; step < total; step++) {
            continuous.train(TestingBatches.random(SHARED_BOTTOM, 16, step));
            resumed.train(TestingBatches.random(SHARED_BOTTOM, 16, step));
        }

        assertThat(resumed.graph().params().dataType()).isEqualTo(precision);
        assertThat(resumed.iterations()).isEqualTo(total);
        assertThat(resumed.graph().params().toDoubleVector())
                .isEqualTo(continuous.graph().params().toDoubleVector());
        assertThat(resumed.graph().getUpdater().getStateViewArray().toDoubleVector())
                .isEqualTo(continuous.graph().getUpdater().getStateViewArray().toDoubleVector());
    }

    static Stream<Arguments> architecturesInBothPrecisions() {
        return architectures()
                .flatMap(
                        config ->
                                Stream.of(DataType.FLOAT, DataType.DOUBLE)
                                        .map(precision -> Arguments.of(config, precision)));
    }

    @ParameterizedTest
    @MethodSource("architecturesInBothPrecisions")
    void scoreAndTrainGivesThePreStepScoresAndTheSameStep(ModelConfig config, DataType precision) {
        Nd4j.setDefaultDataTypes(precision, precision);
        Dl4jRankingModel separate;
        Dl4jRankingModel fused;
        try {
            separate = Dl4jRankingModel.create(config);
            fused = Dl4jRankingModel.create(config);
        } finally {
            Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        }

        for (int step = 0; step < 4; step++) {
            Batch batch = TestingBatches.random(config, 16, step);
            Scores expected = separate.score(batch);
            separate.train(batch);

            Scores actual = fused.scoreAndTrain(batch);

            assertThat(actual.ctr()).as("ctr, step %s", step).isEqualTo(expected.ctr());
            assertThat(actual.cvr()).as("cvr, step %s", step).isEqualTo(expected.cvr());
            assertThat(actual.ctcvr()).as("ctcvr, step %s", step).isEqualTo(expected.ctcvr());
        }
        assertThat(fused.iterations()).isEqualTo(4);
        assertThat(fused.parameterVector()).isEqualTo(separate.parameterVector());
        assertThat(fused.updaterStateVector()).isEqualTo(separate.updaterStateVector());
    }

    /**
     * A batch whose forward pass overflows (a 3e38 dense input in float, what the learner's
     * validation keeps out) is refused by both entry points; the model is left exactly as before,
     * parameters, Adam moments and iteration count, so later steps equal those of a model that
     * never saw the batch, bit for bit.
     */
    @ParameterizedTest
    @MethodSource("architectures")
    void stepWithNonFiniteLossOrGradientIsNotApplied(ModelConfig config) {
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        Dl4jRankingModel guarded;
        Dl4jRankingModel reference;
        try {
            guarded = Dl4jRankingModel.create(config);
            reference = Dl4jRankingModel.create(config);
        } finally {
            Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        }
        for (int step = 0; step < 2; step++) {
            guarded.scoreAndTrain(TestingBatches.random(config, 16, step));
            reference.scoreAndTrain(TestingBatches.random(config, 16, step));
        }
        double[] params = guarded.parameterVector();
        double[] moments = guarded.updaterStateVector();
        Batch poisoned = TestingBatches.random(config, 16, 99L);
        poisoned.dense()[3][0] = 3e38f;
        poisoned.dense()[5][1] = -3e38f;

        assertThatThrownBy(() -> guarded.scoreAndTrain(poisoned))
                .isInstanceOf(NonFiniteStepException.class)
                .hasMessageMatching("(loss is|gradient L2 norm is) (NaN|Infinity|-Infinity)");
        assertThatThrownBy(() -> guarded.train(poisoned))
                .isInstanceOf(NonFiniteStepException.class);

        assertThat(guarded.iterations()).isEqualTo(2);
        assertThat(guarded.parameterVector()).isEqualTo(params);
        assertThat(guarded.updaterStateVector()).isEqualTo(moments);
        for (int step = 2; step < 5; step++) {
            Batch batch = TestingBatches.random(config, 16, step);
            assertThat(guarded.scoreAndTrain(batch).ctr())
                    .as("step %s", step)
                    .isEqualTo(reference.scoreAndTrain(batch).ctr());
        }
        assertThat(guarded.iterations()).isEqualTo(5);
        assertThat(guarded.parameterVector()).isEqualTo(reference.parameterVector());
        assertThat(guarded.updaterStateVector()).isEqualTo(reference.updaterStateVector());
        assertThat(java.util.Arrays.stream(guarded.parameterVector())).allMatch(Double::isFinite);
    }

    @Test
    void loadedModelScoresFromItsTrainingStepToo() throws IOException {
        Dl4jRankingModel model = Dl4jRankingModel.create(SHARED_BOTTOM);
        model.train(TestingBatches.random(SHARED_BOTTOM, 16, 1L));
        Path file = dir.resolve("model.zip");
        model.save(file);
        RankingModel loaded = RankingModel.load(file);
        Batch batch = TestingBatches.random(SHARED_BOTTOM, 16, 2L);
        Scores expected = model.score(batch);

        Scores actual = loaded.scoreAndTrain(batch);

        assertThat(actual.ctr()).isEqualTo(expected.ctr());
        assertThat(actual.ctcvr()).isEqualTo(expected.ctcvr());
        assertThat(loaded.iterations()).isEqualTo(2);
    }

    @Test
    void scoreAndTrainOnZeroWeightScoresWithoutAStep() {
        Dl4jRankingModel model = Dl4jRankingModel.create(SHARED_BOTTOM);
        Batch batch =
                TestingBatches.withWeights(TestingBatches.random(SHARED_BOTTOM, 3, 1L), 0, 0, 0);
        double[] before = model.parameterVector();
        Scores expected = model.score(batch);

        Scores actual = model.scoreAndTrain(batch);

        assertThat(actual.ctr()).isEqualTo(expected.ctr());
        assertThat(model.iterations()).isZero();
        assertThat(model.parameterVector()).isEqualTo(before);
    }

    @Test
    void learnsClickSignalFromCategoryAndDenseFeature() {
        ModelConfig config =
                new ModelConfig(50, 50, 10, 4, 2, new int[] {16}, 8, 0.01, 3L, false, 0);
        Dl4jRankingModel model = Dl4jRankingModel.create(config);
        SplittableRandom rnd = new SplittableRandom(2024);
        for (int step = 0; step < 300; step++) {
            model.train(TestingBatches.learnableSignal(config, 64, rnd));
        }

        Batch holdout = TestingBatches.learnableSignal(config, 2000, rnd);
        Scores scores = model.score(holdout);
        WindowedBinaryMetrics ctr = new WindowedBinaryMetrics(holdout.size());
        for (int i = 0; i < holdout.size(); i++) {
            ctr.add(scores.ctr()[i], holdout.clickLabel()[i] == 1f);
        }

        assertThat(model.iterations()).isEqualTo(300);
        assertThat(ctr.auc(false)).isGreaterThan(0.65);
    }

    @Test
    void batchWithZeroTotalWeightTakesNoStep() {
        Dl4jRankingModel model = Dl4jRankingModel.create(SHARED_BOTTOM);
        double[] before = model.graph().params().toDoubleVector();

        model.train(
                TestingBatches.withWeights(TestingBatches.random(SHARED_BOTTOM, 3, 1L), 0, 0, 0));

        assertThat(model.iterations()).isZero();
        assertThat(model.graph().params().toDoubleVector()).isEqualTo(before);
    }

    @Test
    void modelWithoutDenseFeaturesTrainsAndScores() {
        ModelConfig config = new ModelConfig(10, 10, 4, 2, 0, new int[] {4}, 3, 0.01, 1L, false, 0);
        Dl4jRankingModel model = Dl4jRankingModel.create(config);
        Batch batch = TestingBatches.random(config, 8, 2L);

        model.train(batch);

        assertThat(model.iterations()).isEqualTo(1);
        assertThat(model.score(batch).size()).isEqualTo(8);
    }

    @Test
    void rejectsIdsOutsideTheVocabulary() {
        Dl4jRankingModel model = Dl4jRankingModel.create(SHARED_BOTTOM);
        Batch batch = TestingBatches.random(SHARED_BOTTOM, 2, 1L);
        batch.itemIdx()[1] = 15;

        assertThatThrownBy(() -> model.train(batch))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("itemIdx[1] = 15")
                .hasMessageContaining("itemVocab = 15");
    }

    @Test
    void rejectsBatchWithOtherDenseWidth() {
        Dl4jRankingModel model = Dl4jRankingModel.create(SHARED_BOTTOM);
        Batch batch =
                Batch.unlabeled(
                        new int[] {1}, new int[] {1}, new int[] {1}, new float[][] {{1, 2, 3}});

        assertThatThrownBy(() -> model.score(batch))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("denseFeatures = 2");
    }

    @Test
    void loadRejectsFileWithoutModelConfiguration() throws IOException {
        Path file = dir.resolve("plain-dl4j.zip");
        org.deeplearning4j.util.ModelSerializer.writeModel(
                Dl4jRankingModel.create(SHARED_BOTTOM).graph(), file.toFile(), true);

        assertThatThrownBy(() -> Dl4jRankingModel.load(file))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("not a Counterweight model file");
    }
}
