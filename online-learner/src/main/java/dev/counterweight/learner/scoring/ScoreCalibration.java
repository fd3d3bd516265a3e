package dev.counterweight.learner.scoring;

import dev.counterweight.avro.CalibrationMap;
import dev.counterweight.avro.SnapshotCalibration;
import dev.counterweight.core.attribution.ClassKeyMode;
import dev.counterweight.core.sampling.PlattScaling;
import dev.counterweight.core.sampling.Recalibration;
import dev.counterweight.core.weighting.DelayedFeedback;
import java.util.Map;

/**
 * Turns a snapshot's raw outputs into calibrated probabilities, in this order:
 *
 * <ol>
 *   <li>negative down-sampling: CTR and CTCVR with {@link Recalibration#recalibrate} for the
 *       candidate's sampling rate (as the scorer always did);
 *   <li>class weights, where the class key depends on the label ({@code CATEGORY_LABEL}, {@code
 *       LABEL}): the prior correction {@link Recalibration#undoLabelClassWeights} with the weights
 *       of the candidate's classes {@code none}, {@code click} and {@code purchase} as the snapshot
 *       recorded them. A class the learner never saw takes the largest recorded weight, as an
 *       unknown class does in the job's weight table. Keys that do not depend on the label leave
 *       the minimiser of the weighted loss at the true probability and are not corrected;
 *   <li>delayed feedback: with {@code fnc} the CTCVR is {@link Recalibration#fromFakeNegatives};
 *       with {@code fnc} and {@code fnw} the CTR loses the corrections' extra click rows ({@link
 *       Recalibration#ctrWithoutCorrections}), for the CTR head trains on corrections as clicks in
 *       every mode. With {@code none} nothing changes (served as trained, biased low);
 *   <li>the fitted calibration maps ({@link PlattScaling}) of CTR and CTCVR, where the snapshot
 *       carries them: what the steps above leave of the model's own miscalibration, fitted by the
 *       learner on its progressive window after those steps ({@link CalibrationWindow}).
 * </ol>
 *
 * CVR is then CTCVR / CTR (0 where the CTR is 0). With {@code fnw} and label-dependent class
 * weights the correction is approximate: the FNW weights take the model's class-weighted prediction
 * for the true probability (see {@link DelayedFeedback}); {@code fnc} composes exactly. A snapshot
 * without a calibration record (written before it existed) is served as trained, apart from
 * down-sampling. Immutable.
 */
public final class ScoreCalibration {

    private final DelayedFeedback feedback;
    private final double lateShare;
    private final ClassKeyMode mode;
    private final Map<String, Double> weights;
    private final double unknownWeight;
    private final PlattScaling ctrMap;
    private final PlattScaling ctcvrMap;

    private ScoreCalibration(
            DelayedFeedback feedback,
            double lateShare,
            ClassKeyMode mode,
            Map<String, Double> w,
            PlattScaling ctrMap,
            PlattScaling ctcvrMap) {
        this.feedback = feedback;
        this.lateShare = lateShare;
        this.mode = mode;
        this.weights = Map.copyOf(w);
        this.ctrMap = ctrMap;
        this.ctcvrMap = ctcvrMap;
        double max = 1.0;
        boolean any = false;
        for (double v : w.values()) {
            max = any ? Math.max(max, v) : v;
            any = true;
        }
        this.unknownWeight = max;
    }

    /**
     * Reads a snapshot's record.
     *
     * @param record the snapshot's calibration, or null for none
     * @throws IllegalArgumentException if the record names an unknown mode or a bad share or weight
     */
    public static ScoreCalibration of(SnapshotCalibration record) {
        if (record == null) {
            return new ScoreCalibration(
                    DelayedFeedback.NONE,
                    0.0,
                    null,
                    Map.of(),
                    PlattScaling.IDENTITY,
                    PlattScaling.IDENTITY);
        }
        DelayedFeedback feedback = DelayedFeedback.parse(record.getDelayedFeedback());
        double q = DelayedFeedback.checkLateShare(record.getLateShare(), "lateShare");
        ClassKeyMode mode =
                record.getClassKeyMode() == null
                        ? null
                        : ClassKeyMode.valueOf(record.getClassKeyMode());
        for (var e : record.getClassWeights().entrySet()) {
            if (!(e.getValue() > 0) || e.getValue().isInfinite()) {
                throw new IllegalArgumentException(
                        "class weight of "
                                + e.getKey()
                                + " must be finite and positive, was "
                                + e.getValue());
            }
        }
        return new ScoreCalibration(
                feedback,
                q,
                mode,
                record.getClassWeights(),
                map(record.getCtrMap(), "ctrMap"),
                map(record.getCtcvrMap(), "ctcvrMap"));
    }

    private static PlattScaling map(CalibrationMap m, String field) {
        if (m == null) {
            return PlattScaling.IDENTITY;
        }
        try {
            return new PlattScaling(m.getSlope(), m.getIntercept());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + ": " + e.getMessage(), e);
        }
    }

    /** Whether a fitted calibration map is applied (CTR or CTCVR). */
    public boolean appliesMaps() {
        return !ctrMap.equals(PlattScaling.IDENTITY) || !ctcvrMap.equals(PlattScaling.IDENTITY);
    }

    /** Whether class weights are undone (the class keys depend on the label). */
    public boolean undoesClassWeights() {
        return (mode == ClassKeyMode.CATEGORY_LABEL || mode == ClassKeyMode.LABEL)
                && !weights.isEmpty();
    }

    /**
     * Calibrates one candidate's raw outputs.
     *
     * @return {@code {ctr, cvr, ctcvr}}
     */
    public double[] calibrate(double ctr, double ctcvr, String categoryId, double samplingRate) {
        double a = Recalibration.recalibrate(ctr, samplingRate);
        double b = Recalibration.recalibrate(ctcvr, samplingRate);
        if (undoesClassWeights()) {
            Recalibration.TaskProbabilities p =
                    Recalibration.undoLabelClassWeights(
                            a,
                            b,
                            weight(categoryId, false, false),
                            weight(categoryId, true, false),
                            weight(categoryId, true, true));
            a = p.ctr();
            b = p.ctcvr();
        }
        if (feedback == DelayedFeedback.FNC) {
            b = Recalibration.fromFakeNegatives(b, lateShare);
        }
        if (feedback != DelayedFeedback.NONE) {
            a = Recalibration.ctrWithoutCorrections(a, Math.min(b, a), lateShare);
        }
        a = ctrMap.apply(a);
        b = ctcvrMap.apply(b);
        b = Math.min(a, b);
        double cvr = a > 0 ? Math.min(1.0, b / a) : 0.0;
        return new double[] {a, cvr, b};
    }

    private double weight(String categoryId, boolean click, boolean conversion) {
        Double w = weights.get(mode.keyOf(categoryId, click, conversion, 0));
        return w == null ? unknownWeight : w;
    }
}
