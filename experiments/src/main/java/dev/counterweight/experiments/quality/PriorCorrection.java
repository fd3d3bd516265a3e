package dev.counterweight.experiments.quality;

import dev.counterweight.core.attribution.ClassKeyMode;
import dev.counterweight.core.weighting.ClassWeight;
import dev.counterweight.core.weighting.WeightTable;

/**
 * Undoes class weighting and negative down-sampling of a model's probabilities by prior correction:
 * a model fitted with weight {@code w+} on positives and {@code w−} on negatives predicts odds
 * {@code odds_true · w+ / w−}, so {@code calibrated odds = raw odds · w− / w+}.
 *
 * <p>The weights of a sample are those of the classes its label could have given it: the class key
 * of the sample's category (and item popularity) with each label {@code none}, {@code click},
 * {@code purchase}, looked up in the final weight table of the run, and the negative keep rate
 * {@code r} on {@code none} rows (the down-sampler drops only those). A task's positive (or
 * negative) side that spans two label classes gets their mean weight, weighted by the classes'
 * decayed counts in the table:
 *
 * <ul>
 *   <li>CTR: {@code w+ = mean(w_click, w_purchase)}, {@code w− = r · w_none};
 *   <li>CTCVR: {@code w+ = w_purchase}, {@code w− = mean(r · w_none, w_click)}.
 * </ul>
 *
 * <p>For a label-dependent class key ({@code CATEGORY_LABEL}, {@code LABEL}) this is the prior
 * correction of the issue. For a key without the label ({@code CATEGORY}, {@code POPULARITY}) the
 * three classes coincide, the class weight cancels (it reweights the inputs, not the label given
 * the inputs) and only the down-sampling is undone. Without a table (no boundary passed yet) every
 * class weighs 1.
 */
final class PriorCorrection {

    private final ClassKeyMode mode;
    private final WeightTable table;
    private final double keepRate;

    PriorCorrection(ClassKeyMode mode, WeightTable table, double keepRate) {
        this.mode = mode;
        this.table = table;
        this.keepRate = keepRate;
    }

    /** [calibrated CTR, calibrated CTCVR] of one sample. */
    double[] calibrate(String categoryId, double itemExposures, double rawCtr, double rawCtcvr) {
        double[] w = new double[3];
        double[] n = new double[3];
        for (int l = 0; l < 3; l++) {
            // l = 0, 1, 2: the labels none, click, purchase.
            String key = mode.keyOf(categoryId, l >= 1, l == 2, itemExposures);
            ClassWeight cw = table == null ? null : table.entries().get(key);
            w[l] = table == null ? 1 : table.weightOf(key);
            n[l] = cw == null ? 0 : cw.count();
        }
        w[0] *= keepRate;
        double ctrPos = mean(w[1], n[1], w[2], n[2]);
        double ctcvrNeg = mean(w[0], n[0], w[1], n[1]);
        return new double[] {correct(rawCtr, w[0] / ctrPos), correct(rawCtcvr, ctcvrNeg / w[2])};
    }

    /** {@code p} with its odds multiplied by {@code factor}, clamped into [0, 1] first. */
    static double correct(double p, double factor) {
        double q = Math.max(0, Math.min(1, p));
        if (factor == 1 || q == 0 || q == 1) {
            return q;
        }
        return q * factor / (q * factor + (1 - q));
    }

    private static double mean(double wa, double na, double wb, double nb) {
        return na + nb > 0 ? (wa * na + wb * nb) / (na + nb) : (wa + wb) / 2;
    }
}
