package dev.counterweight.learner.service;

import dev.counterweight.avro.ClassLossEntry;
import dev.counterweight.avro.Sample;
import dev.counterweight.avro.SnapshotCalibration;
import dev.counterweight.core.attribution.ClassKeyMode;
import dev.counterweight.core.metrics.ClassBalancedEvaluator;
import dev.counterweight.core.metrics.GroupWeightedAuc;
import dev.counterweight.core.metrics.MetricsReport;
import dev.counterweight.core.metrics.NormalizedEntropy;
import dev.counterweight.learner.model.Scores;
import dev.counterweight.learner.scoring.CalibrationWindow;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Progressive validation: every batch is scored before it is trained on, and the scores feed
 * sliding-window metrics (from {@code core}) for the CTR and CTCVR tasks, overall, per class and
 * macro-averaged, weighted and unweighted. Ranking metrics are per evaluation group (the class key
 * without its label, see {@link ClassKeyMode#evaluationGroup}); the per-class loss published for
 * the weighting job is per full class key. Synthetic samples are never evaluated.
 *
 * <p>The weighted AUC ({@code ctr.auc.weighted}, {@code ctcvr.auc.weighted}) does not use the
 * training weight: with a label-dependent class key the class weight is chosen by the sample's own
 * label, and a pair-weighted AUC would then compare label-chosen mixtures of categories (on the
 * README's run it read anywhere from far below chance to far above the unweighted AUC). It uses
 * {@link GroupWeightedAuc}: each sample weighs its evaluation group's mean class weight over the
 * window divided by its sampling rate, the same for both labels.
 */
public final class ProgressiveEvaluator {

    private final ClassBalancedEvaluator ctr;
    private final ClassBalancedEvaluator ctcvr;
    private final ClassBalancedEvaluator ctrByClass;
    private final ClassBalancedEvaluator ctcvrByClass;
    private final GroupWeightedAuc ctrWeightedAuc;
    private final GroupWeightedAuc ctcvrWeightedAuc;
    private final CalibrationWindow calibration;
    private long evaluated;

    public ProgressiveEvaluator(int window) {
        this.ctr = new ClassBalancedEvaluator(window);
        this.ctcvr = new ClassBalancedEvaluator(window);
        this.ctrByClass = new ClassBalancedEvaluator(window);
        this.ctcvrByClass = new ClassBalancedEvaluator(window);
        this.ctrWeightedAuc = new GroupWeightedAuc(window);
        this.ctcvrWeightedAuc = new GroupWeightedAuc(window);
        this.calibration = new CalibrationWindow(window);
    }

    /** Adds the pre-training scores of a batch. */
    public void add(List<Sample> samples, Scores scores) {
        for (int i = 0; i < samples.size(); i++) {
            Sample s = samples.get(i);
            if (s.getSynthetic()) {
                continue;
            }
            String group = ClassKeyMode.evaluationGroup(s.getClassKey());
            boolean ctcvrLabel = s.getClick() && s.getConversion();
            ctr.add(group, scores.ctr()[i], s.getClick(), s.getWeight());
            ctcvr.add(group, scores.ctcvr()[i], ctcvrLabel, s.getWeight());
            ctrByClass.add(s.getClassKey(), scores.ctr()[i], s.getClick(), s.getWeight());
            ctcvrByClass.add(s.getClassKey(), scores.ctcvr()[i], ctcvrLabel, s.getWeight());
            ctrWeightedAuc.add(
                    group, scores.ctr()[i], s.getClick(), s.getClassWeight(), s.getSamplingRate());
            ctcvrWeightedAuc.add(
                    group, scores.ctcvr()[i], ctcvrLabel, s.getClassWeight(), s.getSamplingRate());
            calibration.add(s, scores.ctr()[i], scores.ctcvr()[i]);
            evaluated++;
        }
    }

    /**
     * The snapshot's calibration record with the CTR and CTCVR calibration maps fitted on this
     * window's raw scores (see {@link CalibrationWindow}); the scores added must be the model's raw
     * outputs.
     */
    public SnapshotCalibration withCalibrationMaps(SnapshotCalibration record) {
        return calibration.withMaps(record);
    }

    /** Samples evaluated so far (synthetic excluded). */
    public long evaluated() {
        return evaluated;
    }

    /**
     * The current metrics as a flat map: {@code ctr.auc}, {@code ctr.auc.weighted} (pairs weighted
     * with label-free weights, see the class comment), {@code ctr.logloss}, {@code
     * ctr.logloss.weighted}, {@code ctr.ece}, {@code ctr.macro-auc}, {@code ctr.tail-macro-auc},
     * {@code ctr.positives} and {@code ctr.negatives} (the window's label counts, which size the
     * AUC's noise for the quality gate), {@code ctr.ne} and its standard error {@code ctr.ne.se}
     * (normalized entropy of the weighted log loss against the weighted base rate, the distribution
     * the weighted loss trains for), {@code ctr.calibration.weighted} (weighted mean score over
     * weighted mean label) and {@code ctr.calibration.log-se} (standard error of its logarithm),
     * the same for {@code ctcvr}, and {@code eval.samples}. Undefined values (e.g. AUC of a
     * single-label window) are left out: they cannot travel through JSON manifests.
     */
    public Map<String, Double> metrics() {
        Map<String, Double> m = new TreeMap<>();
        put(m, "ctr", ctr.report(), ctrWeightedAuc);
        put(m, "ctcvr", ctcvr.report(), ctcvrWeightedAuc);
        m.put("eval.samples", (double) evaluated);
        m.values().removeIf(v -> !Double.isFinite(v));
        return m;
    }

    private static void put(
            Map<String, Double> m, String task, MetricsReport r, GroupWeightedAuc weightedAuc) {
        m.put(task + ".auc", r.overall().auc(false));
        m.put(task + ".auc.weighted", weightedAuc.auc());
        m.put(task + ".logloss", r.overall().logLoss(false));
        m.put(task + ".logloss.weighted", r.overall().logLoss(true));
        m.put(task + ".ece", r.overall().ece(false));
        m.put(task + ".macro-auc", r.macroAuc(false));
        m.put(task + ".tail-macro-auc", r.tailMacroAuc(0.5));
        long positives = r.overall().positives();
        long negatives = r.overall().count() - positives;
        m.put(task + ".positives", (double) positives);
        m.put(task + ".negatives", (double) negatives);
        // Weighted: the model is trained for the weighted distribution (class weights, 1/r for
        // down-sampled negatives). A class-weighted model's raw scores miss the unweighted base
        // rate by design, so an unweighted NE measures the weighting, not the model: a local run
        // showed unweighted NE of 1.4-2.3 that moved with each new weight table.
        double rate = r.overall().meanLabelWeighted();
        m.put(task + ".ne", NormalizedEntropy.ofRate(r.overall().logLoss(true), rate));
        m.put(
                task + ".ne.se",
                NormalizedEntropy.standardErrorAtRate(
                        r.overall().logLossStandardErrorWeighted(), rate));
        m.put(task + ".calibration.weighted", r.overall().calibrationRatioWeighted());
        m.put(task + ".calibration.log-se", r.overall().calibrationLogRatioStandardError());
    }

    /** Mean unweighted log loss per class (CTR plus CTCVR task) over the window. */
    public List<ClassLossEntry> classLoss() {
        MetricsReport c = ctrByClass.report();
        MetricsReport v = ctcvrByClass.report();
        List<ClassLossEntry> out = new ArrayList<>();
        c.perClass()
                .forEach(
                        (key, metrics) -> {
                            var other = v.perClass().get(key);
                            double loss =
                                    metrics.logLoss(false)
                                            + (other == null ? 0 : other.logLoss(false));
                            out.add(new ClassLossEntry(key, loss, metrics.count()));
                        });
        return out;
    }

    /** Mean unweighted loss (CTR plus CTCVR) over the whole window. */
    public double overallLoss() {
        return ctr.report().overall().logLoss(false) + ctcvr.report().overall().logLoss(false);
    }
}
