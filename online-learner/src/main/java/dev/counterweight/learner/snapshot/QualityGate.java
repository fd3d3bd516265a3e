package dev.counterweight.learner.snapshot;

import dev.counterweight.core.metrics.AucStandardError;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Decides whether a snapshot may be announced. Before {@code minSamples} samples were evaluated
 * ({@code eval.samples}) no snapshot passes, so a tiny, noisy window cannot become the baseline.
 * After that a snapshot passes when:
 *
 * <ul>
 *   <li>none of its AUCs falls below those of the last announced snapshot by more than the larger
 *       of {@code maxAucDrop} and {@code standardErrors} standard errors of the difference;
 *   <li>its CTR and CTCVR normalized entropy ({@code ctr.ne}: log loss over the entropy of the
 *       window's base rate) is at most {@code maxNeRise} (relative) above the last announced one's,
 *       plus {@code standardErrors} standard errors of the difference ({@code ctr.ne.se} of both
 *       windows, taken as independent). Raw log loss moves with the base rate of the window: a
 *       stretch of the stream with more clicks raised it by 10–20 % and held back every later
 *       snapshot of a long replay, although the model had not got worse;
 *   <li>its CTR and CTCVR calibration in the large ({@code ctr.calibration.weighted}, weighted mean
 *       score over weighted mean label, which the weighted loss trains the raw score towards) is
 *       off by at most a factor {@code maxCalibrationRatio} more than the last announced one's
 *       ({@code |ln now| <= |ln before| + ln r}), widened by {@code standardErrors} standard errors
 *       of the difference ({@code ctr.calibration.log-se}). Relative, like the other checks: an
 *       absolute bound refused the first snapshot of every local run, whose CTCVR head had seen a
 *       few dozen purchases.
 * </ul>
 *
 * Metrics undefined on either side (NaN or absent) are not compared.
 *
 * <p>The AUC standard error is Hanley and McNeil's for each side's window, from the task's label
 * counts ({@code ctr.positives}, {@code ctr.negatives}, the same for {@code ctcvr}); without the
 * counts only {@code maxAucDrop} applies. Without it, one announced window whose AUC was high by
 * chance (CTCVR windows hold a few dozen purchases) would block every later snapshot, since each is
 * compared with the last announced one. The macro AUCs use the task's overall counts, which
 * understate their noise (each class has fewer labels), so the gate stays on the strict side there.
 *
 * @param maxAucDrop fixed AUC drop allowed
 * @param maxNeRise relative normalized-entropy rise allowed
 * @param minSamples samples to evaluate before any snapshot passes
 * @param aucStandardErrors standard errors of noise allowed in every comparison
 * @param maxCalibrationRatio largest factor by which the mean score may miss the mean label
 */
public record QualityGate(
        double maxAucDrop,
        double maxNeRise,
        long minSamples,
        double aucStandardErrors,
        double maxCalibrationRatio) {

    /**
     * @throws IllegalArgumentException if {@code aucStandardErrors} is negative or not finite, or
     *     {@code maxCalibrationRatio} is not above 1
     */
    public QualityGate {
        if (!Double.isFinite(aucStandardErrors) || aucStandardErrors < 0) {
            throw new IllegalArgumentException(
                    "aucStandardErrors must be finite and non-negative, was " + aucStandardErrors);
        }
        if (!(maxCalibrationRatio > 1)) {
            throw new IllegalArgumentException(
                    "maxCalibrationRatio must be greater than 1, was " + maxCalibrationRatio);
        }
    }

    /** A gate with fixed tolerances only (no standard-error allowance, no calibration check). */
    public QualityGate(double maxAucDrop, double maxNeRise, long minSamples) {
        this(maxAucDrop, maxNeRise, minSamples, 0, Double.POSITIVE_INFINITY);
    }

    static final List<String> AUCS =
            List.of("ctr.auc", "ctr.macro-auc", "ctcvr.auc", "ctcvr.macro-auc");

    static final List<String> TASKS = List.of("ctr", "ctcvr");

    /** Reasons the candidate fails; empty if it passes. */
    public List<String> violations(Map<String, Double> candidate, Map<String, Double> last) {
        List<String> out = new ArrayList<>();
        double evaluated = candidate.getOrDefault("eval.samples", 0.0);
        if (evaluated < minSamples) {
            out.add(
                    String.format(
                            "only %.0f samples evaluated, learner.gate.min-samples is %d",
                            evaluated, minSamples));
            return out;
        }
        if (last == null) {
            return out;
        }
        for (String key : AUCS) {
            double now = candidate.getOrDefault(key, Double.NaN);
            double before = last.getOrDefault(key, Double.NaN);
            if (!Double.isFinite(now) || !Double.isFinite(before)) {
                continue;
            }
            double tolerance =
                    Math.max(maxAucDrop, noiseAllowance(key, now, candidate, before, last));
            if (now < before - tolerance) {
                out.add(
                        String.format(
                                "%s fell from %.4f to %.4f (tolerance %.4f)",
                                key, before, now, tolerance));
            }
        }
        for (String task : TASKS) {
            double now = candidate.getOrDefault(task + ".calibration.weighted", Double.NaN);
            double before = last.getOrDefault(task + ".calibration.weighted", Double.NaN);
            if (!(now > 0) || !(before > 0) || !Double.isFinite(now) || !Double.isFinite(before)) {
                continue;
            }
            double seNow = candidate.getOrDefault(task + ".calibration.log-se", Double.NaN);
            double seBefore = last.getOrDefault(task + ".calibration.log-se", Double.NaN);
            double noise =
                    Double.isFinite(seNow) && Double.isFinite(seBefore)
                            ? aucStandardErrors * Math.hypot(seNow, seBefore)
                            : 0;
            double allowed = Math.abs(Math.log(before)) + Math.log(maxCalibrationRatio) + noise;
            if (Math.abs(Math.log(now)) > allowed) {
                out.add(
                        String.format(
                                "%s.calibration.weighted moved from %.3f to %.3f (allowed within"
                                        + " [%.3f, %.3f])",
                                task, before, now, Math.exp(-allowed), Math.exp(allowed)));
            }
        }
        for (String task : TASKS) {
            double now = candidate.getOrDefault(task + ".ne", Double.NaN);
            double before = last.getOrDefault(task + ".ne", Double.NaN);
            if (!Double.isFinite(now) || !Double.isFinite(before)) {
                continue;
            }
            double seNow = candidate.getOrDefault(task + ".ne.se", Double.NaN);
            double seBefore = last.getOrDefault(task + ".ne.se", Double.NaN);
            double noise =
                    Double.isFinite(seNow) && Double.isFinite(seBefore)
                            ? aucStandardErrors * Math.hypot(seNow, seBefore)
                            : 0;
            double limit = before * (1 + maxNeRise) + noise;
            if (now > limit) {
                out.add(
                        String.format(
                                "%s.ne rose from %.4f to %.4f (limit %.4f)",
                                task, before, now, limit));
            }
        }
        return out;
    }

    /**
     * {@code aucStandardErrors} standard errors of the difference of the two windows' AUCs; 0 when
     * a window lacks its label counts.
     */
    private double noiseAllowance(
            String key,
            double now,
            Map<String, Double> candidate,
            double before,
            Map<String, Double> last) {
        if (aucStandardErrors == 0) {
            return 0;
        }
        String task = key.substring(0, key.indexOf('.'));
        double se =
                AucStandardError.ofDifference(
                        now,
                        count(candidate, task + ".positives"),
                        count(candidate, task + ".negatives"),
                        before,
                        count(last, task + ".positives"),
                        count(last, task + ".negatives"));
        return Double.isFinite(se) ? aucStandardErrors * se : 0;
    }

    private static long count(Map<String, Double> metrics, String key) {
        double v = metrics.getOrDefault(key, 0.0);
        return Double.isFinite(v) ? (long) v : 0;
    }
}
