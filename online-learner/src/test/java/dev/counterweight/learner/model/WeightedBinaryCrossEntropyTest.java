package dev.counterweight.learner.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;

/** Numeric tests of the weighted loss against finite differences and a hand-written BCE. */
class WeightedBinaryCrossEntropyTest {

    private static final double[] LABELS = {1, 0, 1, 0, 1, 0, 0.3};
    private static final double[] WEIGHTS = {0.5, 2.0, 1.0, 0.0, 3.25, 1.5, 0.75};
    private static final double[] LOGITS = {-2.0, -0.7, 0.1, 0.4, 1.3, 3.5, -0.2};
    // Probabilities for the identity activation, well inside the clipping range.
    private static final double[] PROBABILITIES = {0.02, 0.3, 0.5, 0.64, 0.9, 0.97, 0.45};

    private final WeightedBinaryCrossEntropy loss = new WeightedBinaryCrossEntropy();

    @BeforeAll
    static void doublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterAll
    static void restorePrecision() {
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
    }

    @Test
    void gradientMatchesCentralDifferencesWithSigmoid() {
        assertGradientMatchesCentralDifferences(new ActivationSigmoid(), LOGITS);
    }

    @Test
    void gradientMatchesCentralDifferencesWithIdentityOnProbabilities() {
        assertGradientMatchesCentralDifferences(new ActivationIdentity(), PROBABILITIES);
    }

    @Test
    void unweightedScoreIsPlainBinaryCrossEntropy() {
        INDArray y = column(LABELS);
        double expectedSum = 0;
        double[] expectedGrad = new double[LOGITS.length];
        for (int i = 0; i < LOGITS.length; i++) {
            double p = 1 / (1 + Math.exp(-LOGITS[i]));
            expectedSum += -(LABELS[i] * Math.log(p) + (1 - LABELS[i]) * Math.log(1 - p));
            expectedGrad[i] = p - LABELS[i];
        }
        IActivation sigmoid = new ActivationSigmoid();

        assertThat(loss.computeScore(y, column(LOGITS), sigmoid, null, false))
                .isCloseTo(expectedSum, within(1e-12));
        assertThat(loss.computeScore(y, column(LOGITS), sigmoid, null, true))
                .isCloseTo(expectedSum / LOGITS.length, within(1e-12));
        assertThat(loss.computeGradient(y, column(LOGITS), sigmoid, null).toDoubleVector())
                .containsExactly(expectedGrad, within(1e-12));
        // Unit weights are the same as no weights.
        assertThat(loss.computeScore(y, column(LOGITS), sigmoid, column(ones()), false))
                .isCloseTo(expectedSum, within(1e-12));
    }

    @Test
    void identityOnProbabilitiesEqualsSigmoidOnLogits() {
        double[] logitsOfProbabilities = new double[PROBABILITIES.length];
        for (int i = 0; i < PROBABILITIES.length; i++) {
            double p = PROBABILITIES[i];
            logitsOfProbabilities[i] = Math.log(p / (1 - p));
        }
        INDArray y = column(LABELS);

        double viaIdentity =
                loss.computeScore(
                        y, column(PROBABILITIES), new ActivationIdentity(), column(WEIGHTS), false);
        double viaSigmoid =
                loss.computeScore(
                        y,
                        column(logitsOfProbabilities),
                        new ActivationSigmoid(),
                        column(WEIGHTS),
                        false);

        assertThat(viaIdentity).isCloseTo(viaSigmoid, within(1e-12));
    }

    @Test
    void weightScalesScoreAndGradientExactlyOnce() {
        INDArray y = column(LABELS);
        IActivation sigmoid = new ActivationSigmoid();
        double[] unitScores =
                loss.computeScoreArray(y, column(LOGITS), sigmoid, null).toDoubleVector();
        double[] unitGrad = loss.computeGradient(y, column(LOGITS), sigmoid, null).toDoubleVector();

        double[] scores =
                loss.computeScoreArray(y, column(LOGITS), sigmoid, column(WEIGHTS))
                        .toDoubleVector();
        double[] grad =
                loss.computeGradient(y, column(LOGITS), sigmoid, column(WEIGHTS)).toDoubleVector();

        for (int i = 0; i < WEIGHTS.length; i++) {
            assertThat(scores[i]).isCloseTo(WEIGHTS[i] * unitScores[i], within(1e-15));
            assertThat(grad[i]).isCloseTo(WEIGHTS[i] * unitGrad[i], within(1e-15));
        }
    }

    @Test
    void averageDividesByTotalWeight() {
        INDArray y = column(LABELS);
        IActivation sigmoid = new ActivationSigmoid();
        double totalWeight = 0;
        for (double w : WEIGHTS) {
            totalWeight += w;
        }

        double sum = loss.computeScore(y, column(LOGITS), sigmoid, column(WEIGHTS), false);
        double mean = loss.computeScore(y, column(LOGITS), sigmoid, column(WEIGHTS), true);

        assertThat(mean).isCloseTo(sum / totalWeight, within(1e-15));
        assertThat(loss.computeScore(y, column(LOGITS), sigmoid, column(new double[7]), true))
                .isZero();
    }

    @Test
    void sigmoidLossIsFiniteForExtremeLogits() {
        INDArray y = column(new double[] {1, 0, 0, 1});
        INDArray z = column(new double[] {-800, 800, -800, 800});

        double[] scores =
                loss.computeScoreArray(y, z, new ActivationSigmoid(), null).toDoubleVector();

        assertThat(scores).containsExactly(new double[] {800, 800, 0, 0}, within(1e-12));
    }

    @Test
    void gradientIsZeroWhereProbabilitiesAreClipped() {
        INDArray y = column(new double[] {1, 0});
        INDArray p = column(new double[] {1e-9, 1 - 1e-9});

        double[] grad = loss.computeGradient(y, p, new ActivationIdentity(), null).toDoubleVector();
        double[] scores =
                loss.computeScoreArray(y, p, new ActivationIdentity(), null).toDoubleVector();

        assertThat(grad).containsExactly(new double[] {0.0, 0.0}, within(0.0));
        assertThat(scores)
                .containsExactly(new double[] {-Math.log(1e-7), -Math.log(1e-7)}, within(1e-9));
    }

    @Test
    void rejectsMaskWithoutOneWeightPerExample() {
        INDArray y = column(LABELS);

        assertThatThrownBy(
                        () ->
                                loss.computeGradient(
                                        y,
                                        column(LOGITS),
                                        new ActivationSigmoid(),
                                        Nd4j.ones(DataType.DOUBLE, 3, 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("one weight per example");
    }

    @Test
    void rejectsClipEpsilonOutsideRange() {
        assertThatThrownBy(() -> new WeightedBinaryCrossEntropy(0.0))
                .hasMessageContaining("clipEps must be in (0, 0.5)");
        assertThatThrownBy(() -> new WeightedBinaryCrossEntropy(0.5))
                .hasMessageContaining("clipEps");
    }

    @Test
    void survivesTheGraphJsonRoundTrip() {
        ModelConfig config = new ModelConfig(5, 5, 3, 2, 1, new int[] {4}, 3, 0.01, 7L, false, 0);
        ComputationGraphConfiguration conf = Dl4jRankingModel.buildGraph(config, new Sgd(0.1));

        ComputationGraphConfiguration restored =
                ComputationGraphConfiguration.fromJson(conf.toJson());

        LossLayer ctr =
                (LossLayer)
                        ((org.deeplearning4j.nn.conf.graph.LayerVertex)
                                        restored.getVertices().get(Dl4jRankingModel.CTR_OUTPUT))
                                .getLayerConf()
                                .getLayer();
        assertThat(ctr.getLossFn()).isEqualTo(new WeightedBinaryCrossEntropy());
        assertThat(restored).isEqualTo(conf);
    }

    @Test
    void fnwGradientIsTheGradientWithTheWeightsFrozenInDouble() {
        assertFnwGradientWithFrozenWeights(new ActivationSigmoid(), LOGITS, DataType.DOUBLE, 1e-6);
        assertFnwGradientWithFrozenWeights(
                new ActivationIdentity(), PROBABILITIES, DataType.DOUBLE, 1e-6);
    }

    @Test
    void fnwGradientIsTheGradientWithTheWeightsFrozenInFloat() {
        assertFnwGradientWithFrozenWeights(new ActivationSigmoid(), LOGITS, DataType.FLOAT, 1e-4);
        assertFnwGradientWithFrozenWeights(
                new ActivationIdentity(), PROBABILITIES, DataType.FLOAT, 1e-4);
    }

    @Test
    void fnwGradientStopsAtTheWeights() {
        // The gradient of v(z) * loss(z) differs from the frozen one: the check above can fail.
        WeightedBinaryCrossEntropy fnw = WeightedBinaryCrossEntropy.withFakeNegativeWeighting(1.0);
        IActivation sigmoid = new ActivationSigmoid();
        INDArray y = column(LABELS);
        double[] analytic = fnw.computeGradient(y, column(LOGITS), sigmoid, null).toDoubleVector();
        double h = 1e-6;
        double[] plus = LOGITS.clone();
        double[] minus = LOGITS.clone();
        plus[4] += h;
        minus[4] -= h;
        double[] onlyFour = new double[LOGITS.length];
        onlyFour[4] = 1;
        double unfrozen =
                (fnw.computeScore(y, column(plus), sigmoid, column(onlyFour), false)
                                - fnw.computeScore(
                                        y, column(minus), sigmoid, column(onlyFour), false))
                        / (2 * h);
        assertThat(Math.abs(unfrozen - analytic[4])).isGreaterThan(1e-3);
    }

    @Test
    void fnwWeightTwoEqualsADuplicate() {
        WeightedBinaryCrossEntropy fnw = WeightedBinaryCrossEntropy.withFakeNegativeWeighting(0.4);
        for (IActivation activation :
                new IActivation[] {new ActivationSigmoid(), new ActivationIdentity()}) {
            double[] at = activation instanceof ActivationSigmoid ? LOGITS : PROBABILITIES;
            double[] twice = new double[at.length * 2];
            double[] labelsTwice = new double[at.length * 2];
            for (int i = 0; i < at.length; i++) {
                twice[2 * i] = at[i];
                twice[2 * i + 1] = at[i];
                labelsTwice[2 * i] = LABELS[i];
                labelsTwice[2 * i + 1] = LABELS[i];
            }
            double[] two = new double[at.length];
            java.util.Arrays.fill(two, 2.0);
            double weighted =
                    fnw.computeScore(column(LABELS), column(at), activation, column(two), false);
            double duplicated =
                    fnw.computeScore(column(labelsTwice), column(twice), activation, null, false);
            assertThat(weighted).isCloseTo(duplicated, within(1e-12));
            assertThat(fnw.computeScore(column(LABELS), column(at), activation, column(two), true))
                    .isCloseTo(
                            fnw.computeScore(
                                    column(labelsTwice), column(twice), activation, null, true),
                            within(1e-12));
            double[] g2 =
                    fnw.computeGradient(column(LABELS), column(at), activation, column(two))
                            .toDoubleVector();
            double[] g1 =
                    fnw.computeGradient(column(labelsTwice), column(twice), activation, null)
                            .toDoubleVector();
            for (int i = 0; i < at.length; i++) {
                assertThat(g2[i]).isCloseTo(g1[2 * i] + g1[2 * i + 1], within(1e-12));
            }
        }
    }

    @Test
    void fnwSurvivesJsonAndOlderConfigurationsReadAsFnwOff() throws Exception {
        ModelConfig config = new ModelConfig(5, 5, 3, 2, 1, new int[] {4}, 3, 0.01, 7L, false, 0);
        WeightedBinaryCrossEntropy fnw = WeightedBinaryCrossEntropy.withFakeNegativeWeighting(0.3);
        ComputationGraphConfiguration conf = Dl4jRankingModel.buildGraph(config, new Sgd(0.1), fnw);
        ComputationGraphConfiguration restored =
                ComputationGraphConfiguration.fromJson(conf.toJson());
        assertThat(restored).isEqualTo(conf);
        LossLayer ctcvr =
                (LossLayer)
                        ((org.deeplearning4j.nn.conf.graph.LayerVertex)
                                        restored.getVertices().get(Dl4jRankingModel.CTCVR_OUTPUT))
                                .getLayerConf()
                                .getLayer();
        assertThat(ctcvr.getLossFn()).isEqualTo(fnw);

        // A configuration written before FNW existed has only clipEps.
        String json = conf.toJson();
        String old =
                json.replaceAll("\\s*\"fnw\"\\s*:\\s*(true|false)\\s*,?", "")
                        .replaceAll(",?\\s*\"lateShare\"\\s*:\\s*[0-9.Ee-]+", "");
        assertThat(old).doesNotContain("lateShare").doesNotContain("\"fnw\"");
        ComputationGraphConfiguration older = ComputationGraphConfiguration.fromJson(old);
        LossLayer olderCtcvr =
                (LossLayer)
                        ((org.deeplearning4j.nn.conf.graph.LayerVertex)
                                        older.getVertices().get(Dl4jRankingModel.CTCVR_OUTPUT))
                                .getLayerConf()
                                .getLayer();
        assertThat(olderCtcvr.getLossFn()).isEqualTo(new WeightedBinaryCrossEntropy());
    }

    /**
     * The FNW loss's analytic gradient against central differences of the plain loss whose
     * per-example weights are the class weights times the FNW weights frozen at the base point
     * (computed here by hand from the probabilities, in double).
     */
    private static void assertFnwGradientWithFrozenWeights(
            IActivation activation, double[] at, DataType type, double tolerance) {
        double q = 0.6;
        WeightedBinaryCrossEntropy fnw = WeightedBinaryCrossEntropy.withFakeNegativeWeighting(q);
        WeightedBinaryCrossEntropy plain = new WeightedBinaryCrossEntropy();
        INDArray y = column(LABELS).castTo(type);
        INDArray at32 = column(at).castTo(type);
        double[] analytic =
                fnw.computeGradient(y, at32, activation, column(WEIGHTS).castTo(type))
                        .toDoubleVector();
        double[] base = at32.toDoubleVector(); // the point the analytic gradient was taken at
        double[] frozen = new double[at.length];
        for (int i = 0; i < at.length; i++) {
            double f =
                    activation instanceof ActivationSigmoid
                            ? 1 / (1 + Math.exp(-base[i]))
                            : Math.min(
                                    1 - WeightedBinaryCrossEntropy.DEFAULT_CLIP_EPSILON,
                                    Math.max(
                                            WeightedBinaryCrossEntropy.DEFAULT_CLIP_EPSILON,
                                            base[i]));
            double positive = 1 + q * f;
            double negative = (1 - f) * (1 + q * f) / (1 - f + q * f);
            frozen[i] = WEIGHTS[i] * (LABELS[i] * positive + (1 - LABELS[i]) * negative);
        }
        INDArray yDouble = column(LABELS);
        INDArray frozenMask = column(frozen);
        double h = 1e-6;
        for (int i = 0; i < at.length; i++) {
            double[] plus = base.clone();
            double[] minus = base.clone();
            plus[i] += h;
            minus[i] -= h;
            double numeric =
                    (plain.computeScore(yDouble, column(plus), activation, frozenMask, false)
                                    - plain.computeScore(
                                            yDouble, column(minus), activation, frozenMask, false))
                            / (2 * h);
            if (WEIGHTS[i] == 0) {
                assertThat(analytic[i]).as("gradient of a zero-weight example").isZero();
                continue;
            }
            double scale = Math.max(Math.abs(numeric), Math.abs(analytic[i]));
            assertThat(Math.abs(numeric - analytic[i]) / scale)
                    .as("%s relative error at example %d", type, i)
                    .isLessThan(tolerance);
        }
    }

    private void assertGradientMatchesCentralDifferences(IActivation activation, double[] at) {
        INDArray y = column(LABELS);
        INDArray mask = column(WEIGHTS);
        double[] analytic = loss.computeGradient(y, column(at), activation, mask).toDoubleVector();
        double h = 1e-6;
        for (int i = 0; i < at.length; i++) {
            double[] plus = at.clone();
            double[] minus = at.clone();
            plus[i] += h;
            minus[i] -= h;
            double numeric =
                    (loss.computeScore(y, column(plus), activation, mask, false)
                                    - loss.computeScore(y, column(minus), activation, mask, false))
                            / (2 * h);
            double scale = Math.max(Math.abs(numeric), Math.abs(analytic[i]));
            if (WEIGHTS[i] == 0) {
                assertThat(analytic[i]).as("gradient of a zero-weight example").isZero();
                assertThat(numeric).isCloseTo(0.0, within(1e-9));
            } else {
                assertThat(Math.abs(numeric - analytic[i]) / scale)
                        .as("relative error at example %d", i)
                        .isLessThan(1e-6);
            }
        }
    }

    private static double[] ones() {
        double[] ones = new double[LABELS.length];
        java.util.Arrays.fill(ones, 1.0);
        return ones;
    }

    private static INDArray column(double[] values) {
        return Nd4j.createFromArray(values.clone()).reshape(values.length, 1);
    }
}
