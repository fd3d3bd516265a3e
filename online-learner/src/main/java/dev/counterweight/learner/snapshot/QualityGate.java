package dev.counterweight.learner.snapshot;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Decides whether a snapshot may be announced: none of its AUCs may fall more than {@code
 * maxAucDrop} below, and its CTR log loss may not rise more than {@code maxLoglossRise} (relative)
 * above, those of the last announced snapshot. Metrics undefined on either side (NaN) are not
 * compared. Before {@code minSamples} samples were evaluated ({@code eval.samples}) no snapshot
 * passes, so a tiny, noisy window cannot become the baseline; after that the first one passes.
 */
public record QualityGate(double maxAucDrop, double maxLoglossRise, long minSamples) {

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
            if (Double.isFinite(now) && Double.isFinite(before) && now < before - maxAucDrop) {
                out.add(String.format("%s fell from %.4f to %.4f", key, before, now));
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
}
