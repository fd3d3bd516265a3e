package dev.counterweight.core.weighting;

import java.util.Locale;

/**
 * How a learner treats delayed conversion feedback: the attribution job emits each exposure once,
 * with the labels seen inside its window, and a purchase that arrives after the window (but within
 * the correction horizon) emits an extra positive sample (a "correction") while the window's
 * negative stays in the stream. Naively trained, the model sees the late converters once as a
 * negative and once as a positive (a "fake negative") and under-predicts conversion.
 *
 * <p><b>The biased stream.</b> Let {@code p} be the true probability that an exposure with features
 * {@code x} converts, and {@code q} the share of conversions that arrive after the window (the
 * "late share"). Per exposure the stream holds: one window sample with label 1 (probability {@code
 * (1 − q) p}) or label 0 (probability {@code 1 − (1 − q) p}), plus, with probability {@code q p}, a
 * positive correction. Normalised by the expected row count {@code 1 + q p}, the stream's label
 * distribution is
 *
 * <pre>
 *   b(1 | x) = p / (1 + q p),        b(0 | x) = (1 − p + q p) / (1 + q p).
 * </pre>
 *
 * Ktena et al. (RecSys 2019, "Addressing delayed feedback for continuous training with neural
 * networks in CTR prediction") treat the case {@code q = 1}: every sample first enters as a
 * negative, so {@code b(1) = p / (1 + p)}. Here only late conversions create a fake negative, so
 * the general {@code q} is implemented; {@code q = 1} is Ktena's setting and {@code q = 0} (no
 * conversion is late) makes every correction below the identity.
 *
 * <p><b>FNW</b> (fake-negative weighting): importance weights {@code w(y) = p(y | x) / b(y | x)}
 * turn an expectation over the stream into one over the true distribution, {@code E_b[w ℓ] =
 * E_p[ℓ]}, so the weighted loss is minimised at the true {@code p}:
 *
 * <pre>
 *   w(1) = p / b(1)  = 1 + q p
 *   w(0) = (1 − p) / b(0) = (1 − p)(1 + q p) / (1 − p + q p)
 * </pre>
 *
 * which for {@code q = 1} are Ktena's {@code (1 + p)} and {@code (1 − p)(1 + p)}. The true {@code
 * p} is unknown; as in the paper the model's own prediction {@code f} stands in for it, with the
 * gradient stopped (the weights are constants of the step). The weights are exact only where {@code
 * f} estimates the true (not the class-weighted) probability: class weights that depend on the
 * label tilt {@code f}, and FNC then composes exactly where FNW is only approximate.
 *
 * <p><b>FNC</b> (fake-negative calibration): train naively, so the model learns {@code b = b(1 |
 * x)}, and serve {@code p = b / (1 − q b)}, the inverse of {@code b = p / (1 + q p)}, clipped to
 * [0, 1] (see {@code Recalibration.fromFakeNegatives}).
 */
public enum DelayedFeedback {
    /** Train corrections as ordinary rows and serve as trained (the biased, naive setting). */
    NONE,
    /** Fake-negative weighting of the conversion loss. */
    FNW,
    /** Naive training, fake-negative calibration of the served conversion probability. */
    FNC;

    /**
     * Parses {@code none}, {@code fnw} or {@code fnc} (any case).
     *
     * @throws IllegalArgumentException listing the accepted values
     */
    public static DelayedFeedback parse(String value) {
        if (value != null) {
            for (DelayedFeedback d : values()) {
                if (d.name().equalsIgnoreCase(value.trim())) {
                    return d;
                }
            }
        }
        throw new IllegalArgumentException("expected one of none, fnw, fnc, was '" + value + "'");
    }

    /** The lower-case name used in options and snapshot manifests. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * FNW weight of a positive: {@code 1 + q f}.
     *
     * @param f the model's prediction of the true probability, in [0, 1]
     * @param q the late share, in [0, 1]
     */
    public static double fnwPositiveWeight(double f, double q) {
        checkProbability(f, "f");
        checkProbability(q, "q");
        return 1 + q * f;
    }

    /**
     * FNW weight of a negative: {@code (1 − f)(1 + q f) / (1 − f + q f)}. At {@code f = 1} it is 0
     * for {@code q > 0} (a certain conversion has no true negatives) and 1 for {@code q = 0}, the
     * limit of {@code (1 − f) / (1 − f)}.
     *
     * @param f the model's prediction of the true probability, in [0, 1]
     * @param q the late share, in [0, 1]
     */
    public static double fnwNegativeWeight(double f, double q) {
        checkProbability(f, "f");
        checkProbability(q, "q");
        double denominator = 1 - f + q * f;
        if (denominator == 0) {
            return 1.0;
        }
        return (1 - f) * (1 + q * f) / denominator;
    }

    /**
     * FNW weight of a (possibly soft) label: {@code y · w(1) + (1 − y) · w(0)}.
     *
     * @param f the model's prediction of the true probability, in [0, 1]
     * @param y the label, in [0, 1]
     * @param q the late share, in [0, 1]
     */
    public static double fnwWeight(double f, double y, double q) {
        checkProbability(y, "y");
        return y * fnwPositiveWeight(f, q) + (1 - y) * fnwNegativeWeight(f, q);
    }

    /**
     * Checks a late share.
     *
     * @throws IllegalArgumentException naming {@code what} if {@code q} is not in [0, 1]
     */
    public static double checkLateShare(double q, String what) {
        if (!(q >= 0 && q <= 1)) {
            throw new IllegalArgumentException(what + " must be in [0, 1], was " + q);
        }
        return q;
    }

    private static void checkProbability(double v, String name) {
        if (!(v >= 0 && v <= 1)) {
            throw new IllegalArgumentException(name + " must be in [0, 1], was " + v);
        }
    }
}
