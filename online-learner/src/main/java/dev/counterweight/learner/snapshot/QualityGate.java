package dev.counterweight.learner.snapshot;

import dev.counterweight.core.metrics.AucStandardError;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Decides whether a snapshot may be announced: none of its AUCs may fall below those of the last
 * announced snapshot by more than the larger of {@code maxAucDrop} and {@code aucStandardErrors}
 * standard errors of the difference, and its CTR log loss may not rise more than {@code
 * maxLoglossRise} (relative) above it. Metrics undefined on either side (NaN) are not compared.
 * Before {@code minSamples} samples were evaluated ({@code eval.samples}) no snapshot passes, so a
 * tiny, noisy window cannot become the baseline; after that the first one passes.
 *
 * <p>The standard error is Hanley and McNeil's for each side's window, from the task's label counts
 * ({@code ctr.positives}, {@code ctr.negatives}, the same for {@code ctcvr}); without the counts
 * only {@code maxAucDrop} applies. Without it, one announced window whose AUC was high by chance
 * (CTCVR windows hold a few dozen purchases) would block every later snapshot, since each is
 * compared with the last announced one. The macro AUCs use the task's overall counts, which
 * understate their noise (each class has fewer labels), so the gate stays on the strict side there.
 */
public record QualityGate(
        double maxAucDrop, double maxLoglossRise, long minSamples, double aucStandardErrors) {

    /**
     * @throws IllegalArgumentException if {@code aucStandardErrors} is negative or not finite
     */
    public QualityGate {
        if (!Double.isFinite(aucStandardErrors) || aucStandardErrors < 0) {
            throw new IllegalArgumentException(
                    "aucStandardErrors must be finite and non-negative, was " + aucStandardErrors);
        }
    }

    /** A gate with fixed tolerances only (no standard-error allowance). */
    public QualityGate(double maxAucDrop, double maxLoglossRise, long minSamples) {
        this(maxAucDrop, maxLoglossRise, minSamples, 0);
    }

    static final List<String> AUCS =
            List.of("ctr.auc", "ctr.macro-auc", "ctcvr.auc", "ctcvr.macro-auc");

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
        double now = candidate.getOrDefault("ctr.logloss", Double.NaN);
        double before = last.getOrDefault("ctr.logloss", Double.NaN);
        if (Double.isFinite(now)
                && Double.isFinite(before)
                && now > before * (1 + maxLoglossRise)) {
            out.add(String.format("ctr.logloss rose from %.4f to %.4f", before, now));
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
