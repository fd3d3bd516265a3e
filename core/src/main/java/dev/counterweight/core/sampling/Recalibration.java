package dev.counterweight.core.sampling;

/**
 * Maps probabilities between the distribution a model was trained on and the true one.
 *
 * <p><b>Down-sampling.</b> Keeping negatives with probability {@code rate} multiplies the odds of a
 * positive by {@code 1 / rate}; a model trained on the down-sampled stream therefore predicts
 * {@code p} with {@code odds(p) = odds(p_true) / rate}, which {@link #recalibrate} inverts.
 *
 * <p><b>Class weights (prior correction).</b> Weighting every positive of a class by {@code w+} and
 * every negative by {@code w−} is, for the minimiser of the expected weighted log loss, the same as
 * drawing positives {@code w+} times and negatives {@code w−} times as often: at a point {@code x}
 * the weighted loss {@code w+ p log f + w− (1 − p) log(1 − f)} is minimised at {@code f = w+ p /
 * (w+ p + w− (1 − p))}, so {@code odds(f) = odds(p) · w+ / w−} and {@code odds(p) = odds(f) · w− /
 * w+} ({@link #undoClassWeights}). This is exact only where the weights depend on the label (and on
 * features the model sees); a weight that depends on {@code x} alone leaves the minimiser at {@code
 * p}. With three label classes ({@code none}, {@code click}, {@code purchase}) and the ESMM heads
 * CTR (click or purchase) and CTCVR (purchase), see {@link #undoLabelClassWeights}.
 *
 * <p><b>Delayed feedback.</b> A stream in which a share {@code q} of the conversions arrives late,
 * as a positive correction next to the window's negative, has positive rate {@code b = p / (1 + q
 * p)} ({@code dev.counterweight.core.weighting.DelayedFeedback} derives it); {@link
 * #fromFakeNegatives} inverts it (fake-negative calibration) and {@link #ctrWithoutCorrections}
 * removes the corrections' extra click rows from the CTR.
 */
public final class Recalibration {

    private Recalibration() {}

    /**
     * Converts a probability predicted under negative down-sampling to the true-distribution
     * probability: {@code p / (p + (1 − p) / rate)}.
     *
     * @param p the predicted probability, in [0, 1]
     * @param rate the negative keep rate, in (0, 1]; 1 gives the identity
     * @return the recalibrated probability, in [0, 1]
     * @throws IllegalArgumentException if {@code p} or {@code rate} is out of range
     */
    public static double recalibrate(double p, double rate) {
        checkProbability(p);
        DownSamplingConfig.checkRate(rate, "downsampling.rate");
        if (rate == 1) {
            // p + (1 - p) can round to 1 - ulp; no down-sampling must mean exactly no change.
            return p;
        }
        return p / (p + (1 - p) / rate);
    }

    /**
     * Converts a true-distribution probability to the one expected after negative down-sampling:
     * {@code p / (p + (1 − p) · rate)}, the inverse of {@link #recalibrate}.
     *
     * @param p the true probability, in [0, 1]
     * @param rate the negative keep rate, in (0, 1]
     * @return the down-sampled probability, in [0, 1]
     * @throws IllegalArgumentException if {@code p} or {@code rate} is out of range
     */
    public static double toSampled(double p, double rate) {
        checkProbability(p);
        DownSamplingConfig.checkRate(rate, "downsampling.rate");
        if (rate == 1) {
            return p;
        }
        return p / (p + (1 - p) * rate);
    }

    /**
     * The rate of positives in a stream with fake negatives: {@code p / (1 + q p)}, the inverse of
     * {@link #fromFakeNegatives}.
     *
     * @param p the true conversion probability, in [0, 1]
     * @param q the share of conversions that arrive after the window, in [0, 1]
     * @return the stream's positive rate, in [0, 1 / (1 + q)]
     */
    public static double toFakeNegatives(double p, double q) {
        checkProbability(p);
        checkShare(q);
        return p / (1 + q * p);
    }

    /**
     * Fake-negative calibration: the true conversion probability from a model trained naively on
     * the stream with fake negatives, {@code b / (1 − q b)}, clipped to [0, 1] (a prediction above
     * the stream's largest possible rate {@code 1 / (1 + q)} maps to 1).
     *
     * @param b the naively trained prediction, in [0, 1]
     * @param q the share of conversions that arrive after the window, in [0, 1]
     * @return the calibrated probability, in [0, 1]
     */
    public static double fromFakeNegatives(double b, double q) {
        checkProbability(b);
        checkShare(q);
        double denominator = 1 - q * b;
        if (denominator <= 0) {
            return 1.0;
        }
        return Math.min(1.0, b / denominator);
    }

    /**
     * Removes the corrections from a naively trained CTR: every correction is also a click row, so
     * the stream's click rate is {@code b = (c + q p) / (1 + q p)} for the true click rate {@code
     * c} and conversion rate {@code p}; this returns {@code c = b (1 + q p) − q p}, clipped to
     * {@code [p, 1]} (a conversion is a click).
     *
     * @param b the naively trained CTR, in [0, 1]
     * @param p the true (calibrated) conversion probability, in [0, 1]
     * @param q the share of conversions that arrive after the window, in [0, 1]
     * @return the calibrated CTR, in [p, 1]
     */
    public static double ctrWithoutCorrections(double b, double p, double q) {
        checkProbability(b);
        checkProbability(p);
        checkShare(q);
        double c = b * (1 + q * p) - q * p;
        return Math.min(1.0, Math.max(p, c));
    }

    /**
     * Prior correction of one binary task: {@code odds(p) = odds(f) · w− / w+}, written as {@code f
     * w− / (f w− + (1 − f) w+)}.
     *
     * @param f the prediction of a model trained with the class weights, in [0, 1]
     * @param positiveWeight the weight {@code w+} of the class's positives; finite and positive
     * @param negativeWeight the weight {@code w−} of the class's negatives; finite and positive
     * @return the calibrated probability, in [0, 1]
     */
    public static double undoClassWeights(double f, double positiveWeight, double negativeWeight) {
        checkProbability(f);
        checkWeight(positiveWeight, "positiveWeight");
        checkWeight(negativeWeight, "negativeWeight");
        if (positiveWeight == negativeWeight) {
            return f;
        }
        double pos = f * negativeWeight;
        return pos / (pos + (1 - f) * positiveWeight);
    }

    /**
     * CTR and CTCVR probabilities, calibrated or not.
     *
     * @param ctr P(click)
     * @param ctcvr P(click and purchase)
     */
    public record TaskProbabilities(double ctr, double ctcvr) {}

    /**
     * Prior correction of the ESMM heads under class weights that depend on the label: the classes
     * {@code none} (no click), {@code click} (click, no purchase) and {@code purchase} carry
     * weights {@code w_n}, {@code w_c}, {@code w_p}. A model fitted to the weighted data estimates
     * the weighted class shares {@code r_l ∝ w_l s_l}: the CTR head {@code a = r_c + r_p}, the
     * CTCVR head {@code b = r_p}. Hence {@code s_n ∝ (1 − a) / w_n}, {@code s_c ∝ (a − b) / w_c},
     * {@code s_p ∝ b / w_p}; normalised, CTR = {@code s_c + s_p} and CTCVR = {@code s_p}. With
     * {@code w_c = w_p} the CTR is {@link #undoClassWeights}{@code (a, w_c, w_n)}.
     *
     * @param ctr the weighted model's CTR {@code a}, in [0, 1]
     * @param ctcvr the weighted model's CTCVR {@code b}, in [0, 1]; values above {@code a} are
     *     taken as {@code a}
     * @param noneWeight {@code w_n}; finite and positive
     * @param clickWeight {@code w_c}; finite and positive
     * @param purchaseWeight {@code w_p}; finite and positive
     * @return the calibrated CTR and CTCVR
     */
    public static TaskProbabilities undoLabelClassWeights(
            double ctr,
            double ctcvr,
            double noneWeight,
            double clickWeight,
            double purchaseWeight) {
        checkProbability(ctr);
        checkProbability(ctcvr);
        checkWeight(noneWeight, "noneWeight");
        checkWeight(clickWeight, "clickWeight");
        checkWeight(purchaseWeight, "purchaseWeight");
        double b = Math.min(ctcvr, ctr);
        double none = (1 - ctr) / noneWeight;
        double click = (ctr - b) / clickWeight;
        double purchase = b / purchaseWeight;
        double total = none + click + purchase;
        if (total == 0) {
            return new TaskProbabilities(ctr, b);
        }
        return new TaskProbabilities((click + purchase) / total, purchase / total);
    }

    private static void checkWeight(double w, String name) {
        if (!(w > 0) || Double.isInfinite(w)) {
            throw new IllegalArgumentException(name + " must be finite and positive, was " + w);
        }
    }

    private static void checkShare(double q) {
        if (!(q >= 0 && q <= 1)) {
            throw new IllegalArgumentException("q must be in [0, 1], was " + q);
        }
    }

    private static void checkProbability(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("p must be in [0, 1], was " + p);
        }
    }
}
