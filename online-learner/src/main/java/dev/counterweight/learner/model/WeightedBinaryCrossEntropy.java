package dev.counterweight.learner.model;

import dev.counterweight.core.weighting.DelayedFeedback;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Binary cross-entropy with per-example weights that scale score and gradient exactly once, so an
 * example with weight {@code k} contributes exactly what {@code k} copies with weight 1 would.
 *
 * <p><b>Where the weights come from.</b> The per-example weights travel in the label mask array
 * (shape {@code [batch, 1]}) of the output layer, the only per-example array that DL4J hands to a
 * loss function. This loss multiplies the mask into the per-example score and into the gradient
 * once each. It must sit in a {@code LossLayer}, which passes its input to the loss unmasked: an
 * {@code OutputLayer} (and DL4J's own {@code LossBinaryXENT}) would also multiply the mask into the
 * pre-output, which for real-valued masks changes the forward pass and compounds the weight.
 *
 * <p><b>Sums and means.</b> {@link #computeScoreArray} holds {@code w_i * loss_i}; {@link
 * #computeGradient} is the gradient of their sum, {@code w_i * dloss_i/dz}, like every DL4J loss.
 * {@link #computeScore} with {@code average = true} divides by the total weight {@code sum(w_i)}
 * (the number of rows without a mask) rather than by the row count, so the weighted mean too is
 * invariant under replacing a weight-{@code k} example by {@code k} copies.
 *
 * <p><b>Activations.</b> With a sigmoid activation the loss is computed from the logit {@code z} in
 * the stable form {@code max(z, 0) - y z + log(1 + exp(-|z|))} with gradient {@code sigmoid(z) -
 * y}: exact for any logit, no clipping. Any other activation (typically identity, for an output
 * that already is a probability, such as the ESMM product {@code p_ctr * p_cvr}) is evaluated
 * generically: the probability is clipped to {@code [clipEps, 1 - clipEps]} and the gradient is the
 * exact derivative of that clipped loss, zero where clipping is active.
 *
 * <p><b>Fake-negative weighting.</b> Created with {@link #withFakeNegativeWeighting}, the loss also
 * multiplies each element's loss and gradient by the FNW importance weight {@link
 * DelayedFeedback#fnwWeight}{@code (f, y, q)} (derivation there): {@code 1 + q f} for a positive,
 * {@code (1 − f)(1 + q f) / (1 − f + q f)} for a negative, where {@code f} is the probability of
 * the same forward pass (the sigmoid of the logit, or the clipped output of another activation) and
 * {@code q} the late share of conversions. As in Ktena et al. the weight is a constant of the step
 * (gradient stopped): the gradient is {@code w_i · v_i · dloss_i/dz}, the gradient of the loss with
 * the FNW weights {@code v_i} frozen at their values, not of {@code v(z) · loss(z)}. The FNW weight
 * multiplies the per-example (class) weight, so a weight-{@code k} example still counts as {@code
 * k} copies; {@link #computeScore} still divides by the total per-example weight.
 *
 * <p>Labels may be soft (in [0, 1]). Serialises to DL4J's JSON configuration through its {@code
 * clipEps}, {@code fnw} and {@code lateShare} properties, so networks using it save and load with
 * {@code ModelSerializer}; a configuration written before FNW existed reads as FNW off. Immutable.
 */
public final class WeightedBinaryCrossEntropy implements ILossFunction {

    private static final long serialVersionUID = 1L;

    /** Default clipping of probabilities for non-sigmoid activations. */
    public static final double DEFAULT_CLIP_EPSILON = 1e-7;

    @JsonProperty("clipEps")
    private final double clipEps;

    @JsonProperty("fnw")
    private final boolean fnw;

    @JsonProperty("lateShare")
    private final double lateShare;

    /** Creates the loss with {@link #DEFAULT_CLIP_EPSILON}. */
    public WeightedBinaryCrossEntropy() {
        this(DEFAULT_CLIP_EPSILON);
    }

    /**
     * Creates the loss without fake-negative weighting.
     *
     * @param clipEps probabilities from non-sigmoid activations are clipped to {@code [clipEps, 1 -
     *     clipEps]}; in (0, 0.5)
     * @throws IllegalArgumentException if {@code clipEps} is out of range
     */
    public WeightedBinaryCrossEntropy(double clipEps) {
        this(clipEps, false, 0.0);
    }

    /**
     * Creates the loss.
     *
     * @param clipEps probabilities from non-sigmoid activations are clipped to {@code [clipEps, 1 -
     *     clipEps]}; in (0, 0.5)
     * @param fnw whether to apply fake-negative weighting
     * @param lateShare the share {@code q} of conversions that arrive after the window, in [0, 1];
     *     used only with {@code fnw}
     * @throws IllegalArgumentException if {@code clipEps} or {@code lateShare} is out of range
     */
    @JsonCreator
    public WeightedBinaryCrossEntropy(
            @JsonProperty("clipEps") double clipEps,
            @JsonProperty("fnw") boolean fnw,
            @JsonProperty("lateShare") double lateShare) {
        if (!(clipEps > 0 && clipEps < 0.5)) {
            throw new IllegalArgumentException("clipEps must be in (0, 0.5), was " + clipEps);
        }
        DelayedFeedback.checkLateShare(lateShare, "lateShare");
        this.clipEps = clipEps;
        this.fnw = fnw;
        this.lateShare = fnw ? lateShare : 0.0;
    }

    /**
     * Returns the loss with fake-negative weighting for late share {@code q} (Ktena et al.: {@code
     * q = 1}).
     *
     * @throws IllegalArgumentException if {@code q} is not in [0, 1]
     */
    public static WeightedBinaryCrossEntropy withFakeNegativeWeighting(double q) {
        return new WeightedBinaryCrossEntropy(DEFAULT_CLIP_EPSILON, true, q);
    }

    /** Returns the clipping epsilon for non-sigmoid activations. */
    public double clipEps() {
        return clipEps;
    }

    /** Returns whether fake-negative weighting is on. */
    public boolean fakeNegativeWeighting() {
        return fnw;
    }

    /** Returns the late share {@code q} of the fake-negative weighting (0 when it is off). */
    public double lateShare() {
        return lateShare;
    }

    /**
     * Returns {@code sum_i w_i * loss_i}, divided by {@code sum_i w_i} when {@code average} (0 if
     * the total weight is 0).
     *
     * @param labels labels, {@code [batch, n]}
     * @param preOutput pre-activation output, same shape
     * @param activationFn the output activation
     * @param mask per-example weights, {@code [batch, 1]}; null means weight 1
     * @param average whether to return the weighted mean instead of the weighted sum
     */
    @Override
    public double computeScore(
            INDArray labels,
            INDArray preOutput,
            IActivation activationFn,
            INDArray mask,
            boolean average) {
        double sum =
                computeScoreArray(labels, preOutput, activationFn, mask).sumNumber().doubleValue();
        if (!average) {
            return sum;
        }
        double total = mask == null ? preOutput.size(0) : mask.sumNumber().doubleValue();
        return total > 0 ? sum / total : 0.0;
    }

    /**
     * Returns the weighted per-example losses {@code w_i * loss_i}, shape {@code [batch, 1]}, where
     * {@code loss_i} sums over the {@code n} output columns.
     */
    @Override
    public INDArray computeScoreArray(
            INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        INDArray weights = weightColumn(labels, preOutput, mask);
        INDArray y = labels.castTo(preOutput.dataType());
        INDArray elements = elementLoss(y, preOutput, activationFn);
        if (fnw) {
            elements.muli(fakeNegativeWeights(y, preOutput, activationFn));
        }
        INDArray perExample = elements.sum(true, 1);
        return weights == null ? perExample : perExample.muli(weights);
    }

    /**
     * Returns {@code d(sum_i w_i * loss_i) / d preOutput}, shape of {@code preOutput}: each row's
     * gradient is multiplied by its weight once.
     */
    @Override
    public INDArray computeGradient(
            INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        INDArray weights = weightColumn(labels, preOutput, mask);
        INDArray y = labels.castTo(preOutput.dataType());
        INDArray gradient;
        if (activationFn instanceof ActivationSigmoid) {
            gradient = Transforms.sigmoid(preOutput, true).subi(y);
        } else {
            INDArray output = activationFn.getActivation(preOutput.dup(), true);
            INDArray p = clip(output.dup());
            // dL/dp = (p - y) / (p (1 - p)) inside the clipping range, 0 where the clip is active.
            INDArray dLdp = p.sub(y).divi(p.mul(p.rsub(1.0)));
            INDArray inside =
                    output.gt(clipEps)
                            .castTo(output.dataType())
                            .muli(output.lt(1.0 - clipEps).castTo(output.dataType()));
            dLdp.muli(inside);
            gradient = activationFn.backprop(preOutput.dup(), dLdp).getFirst();
        }
        if (fnw) {
            // A constant of the step: no derivative of the weight itself (stopped gradient).
            gradient.muli(fakeNegativeWeights(y, preOutput, activationFn));
        }
        return weights == null ? gradient : gradient.muliColumnVector(weights);
    }

    @Override
    public Pair<Double, INDArray> computeGradientAndScore(
            INDArray labels,
            INDArray preOutput,
            IActivation activationFn,
            INDArray mask,
            boolean average) {
        return Pair.of(
                computeScore(labels, preOutput, activationFn, mask, average),
                computeGradient(labels, preOutput, activationFn, mask));
    }

    @Override
    public String name() {
        return "WeightedBinaryCrossEntropy";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WeightedBinaryCrossEntropy other
                && Double.compare(clipEps, other.clipEps) == 0
                && fnw == other.fnw
                && Double.compare(lateShare, other.lateShare) == 0;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Double.hashCode(clipEps) + Boolean.hashCode(fnw))
                + Double.hashCode(lateShare);
    }

    @Override
    public String toString() {
        return "WeightedBinaryCrossEntropy(clipEps="
                + clipEps
                + (fnw ? ", fnw, lateShare=" + lateShare : "")
                + ")";
    }

    /**
     * The FNW weight of every element, shape of {@code z}, from this forward pass's probabilities;
     * computed on the heap with the one definition in {@code core}.
     */
    private INDArray fakeNegativeWeights(INDArray y, INDArray z, IActivation activationFn) {
        INDArray f =
                activationFn instanceof ActivationSigmoid
                        ? Transforms.sigmoid(z, true)
                        : clip(activationFn.getActivation(z.dup(), true));
        double[] probabilities = f.dup('c').reshape(f.length()).toDoubleVector();
        double[] labels = y.dup('c').reshape(y.length()).toDoubleVector();
        double[] weights = new double[probabilities.length];
        for (int i = 0; i < weights.length; i++) {
            // Rounding in float can leave a probability a hair outside [0, 1].
            double p = Math.min(1.0, Math.max(0.0, probabilities[i]));
            weights[i] = DelayedFeedback.fnwWeight(p, labels[i], lateShare);
        }
        return Nd4j.createFromArray(weights).reshape(z.shape()).castTo(z.dataType());
    }

    /** Unweighted element-wise loss, shape of {@code z}. */
    private INDArray elementLoss(INDArray y, INDArray z, IActivation activationFn) {
        if (activationFn instanceof ActivationSigmoid) {
            // softplus(z) - y z, written so that exp never overflows.
            INDArray softplusTail =
                    Transforms.log1p(Transforms.exp(Transforms.abs(z, true).negi(), false), false);
            return Transforms.relu(z, true).subi(y.mul(z)).addi(softplusTail);
        }
        INDArray p = clip(activationFn.getActivation(z.dup(), true));
        INDArray logP = Transforms.log(p, true).muli(y);
        INDArray logOneMinusP = Transforms.log(p.rsub(1.0), false).muli(y.rsub(1.0));
        return logP.addi(logOneMinusP).negi();
    }

    private INDArray clip(INDArray p) {
        return Transforms.max(Transforms.min(p, 1.0 - clipEps, false), clipEps, false);
    }

    /** Checks shapes and returns the weights as a column of the pre-output's type, or null. */
    private static INDArray weightColumn(INDArray labels, INDArray preOutput, INDArray mask) {
        if (!labels.equalShapes(preOutput)) {
            throw new IllegalArgumentException(
                    "labels and preOutput must have equal shapes, were "
                            + labels.shapeInfoToString()
                            + " and "
                            + preOutput.shapeInfoToString());
        }
        if (mask == null) {
            return null;
        }
        long rows = preOutput.size(0);
        if (mask.length() != rows || (mask.rank() == 2 && mask.size(1) != 1)) {
            throw new IllegalArgumentException(
                    "the mask must hold one weight per example (shape ["
                            + rows
                            + ", 1]), was "
                            + mask.shapeInfoToString());
        }
        DataType type = preOutput.dataType();
        return mask.reshape(rows, 1).castTo(type);
    }
}
