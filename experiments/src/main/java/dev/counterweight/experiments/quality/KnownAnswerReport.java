package dev.counterweight.experiments.quality;

import dev.counterweight.core.metrics.KnownAnswerEvaluation.Group;
import dev.counterweight.core.weighting.WeightingStrategy;
import dev.counterweight.experiments.quality.QualityExperiment.KnownAnswerOutcome;
import dev.counterweight.experiments.quality.QualityRunner.Result;
import dev.counterweight.learner.scoring.CalibrationWindow;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * QUALITY.md of a known-answer run: the verdict rules first (fixed in this code before any run),
 * then the run, the table and the verdict computed by those rules.
 */
public final class KnownAnswerReport {

    /** Goal 1: NONE's share of the ceiling's CTR lift, at least. */
    static final double NONE_LIFT_SHARE = 0.90;

    /** Goal 2: share of NONE's tail-group lift gap to the ceiling a reweighting must close. */
    static final double TAIL_GAP_CLOSED = 0.5;

    /** Goal 2: the most overall CTR AUC a reweighting may lose against NONE. */
    static final double OVERALL_AUC_TOLERANCE = 0.003;

    /** Goal 3: calibrated ECE against the truth, as a share of the base rate, at most. */
    static final double ECE_SHARE = 0.10;

    /** The default exposures of the generator (issue 15's default configuration). */
    static final int DEFAULT_EXPOSURES = 300_000;

    private KnownAnswerReport() {}

    /** The rules, as the report states them before the numbers. */
    static String rules() {
        return String.format(
                Locale.ROOT,
                "These rules are written in the report generator (`KnownAnswerReport`) and were"
                        + " fixed before the run; every number is held-out, a mean over the seeds,"
                        + " with *lift* = AUC − 0.5 and the *ceiling* the AUC of the true"
                        + " probabilities on the same held-out exposures and final labels.%n%n"
                        + "1. **NONE captures the ceiling's lift**: NONE's overall CTR lift is at"
                        + " least %.0f%% of the ceiling's.%n"
                        + "2. **Reweighting helps the tail without hurting the whole**: some"
                        + " reweighting configuration (strategy other than NONE, with or without"
                        + " down-sampling) has a tail-group CTR AUC that closes at least %.0f%% of"
                        + " NONE's tail-group gap to the ceiling (AUC_cfg − AUC_NONE ≥ %.1f ·"
                        + " (ceiling − AUC_NONE), on the tail group) while its overall CTR AUC is"
                        + " at least NONE's − %.3f. (If NONE's tail gap is not positive the goal"
                        + " is void.)%n"
                        + "3. **Calibrated probabilities**: for every configuration, the ECE"
                        + " against the truth after calibration is at most %.0f%% of the base rate"
                        + " (the mean true probability of the held-out exposures), for CTR and for"
                        + " CTCVR, mean over the seeds.%n"
                        + "4. **FNW / FNC halve the conversion calibration error**: not evaluated"
                        + " here (no delayed-feedback correction in the learner yet).%n%n"
                        + "The logistic-regression reference is a line in the table, not a goal.%n",
                100 * NONE_LIFT_SHARE,
                100 * TAIL_GAP_CLOSED,
                TAIL_GAP_CLOSED,
                OVERALL_AUC_TOLERANCE,
                100 * ECE_SHARE);
    }

    /** The report. */
    public static String markdown(KnownAnswerOutcome o, String command) {
        StringBuilder b = new StringBuilder();
        var k = o.config();
        var s = o.settings();
        b.append("# Does reweighting help? On a stream whose answers are known\n\n");
        b.append(
                        "The known-answer generator (`KnownAnswerGenerator`, issue 15) draws impressions,"
                                + " clicks and purchases from a hidden ground-truth model, so every"
                                + " held-out exposure has a true p(click) and p(purchase). Its events go"
                                + " through the weighting job's attribution offline (`OfflineAttribution`,"
                                + " as for the Taobao slice), each configuration streams the training"
                                + " prefix through the job's weighting and trains the learner's model"
                                + " test-then-train, and the final model scores the held-out tail (the"
                                + " last ")
                .append(pct(s.holdOutFraction()))
                .append(
                        " of the samples by sample time). The real-data check on the Taobao slice"
                                + " is `cli/bin/counterweight quality --source taobao`"
                                + " ([experiments/quality-report/TAOBAO.md]"
                                + "(experiments/quality-report/TAOBAO.md)).\n\n");
        b.append(
                        String.format(
                                Locale.ROOT,
                                "Regenerate (this run: %.0f s wall time, generation and"
                                        + " attribution included):%n%n```bash%n",
                                o.seconds()))
                .append(command)
                .append("\n```\n\n");

        b.append("## Verdict rules\n\n").append(rules()).append('\n');

        b.append("## Run\n\n| | |\n|---|---|\n");
        row(b, "code version", "`" + o.codeVersion() + "`");
        row(b, "mode", o.quick() ? "--quick" : "full");
        row(
                b,
                "stream",
                String.format(
                        Locale.ROOT,
                        "generator seed %d; %,d exposures over %.1f h, %,d users, %,d items, %d"
                                + " categories (Zipf %.2f), click rate %.3f, purchase rate among"
                                + " clicks %.3f, accidental clicks %.0f%% of clicks, tail"
                                + " categories %.0f%% with price factor %.1f, purchase delay %s"
                                + " mean %.0f min, drift at %s",
                        k.seed(),
                        k.exposures(),
                        k.durationMillis() / 3.6e6,
                        k.users(),
                        k.items(),
                        k.categories(),
                        k.zipfExponent(),
                        k.clickRate(),
                        k.purchaseRate(),
                        100 * k.accidentalClickShare(),
                        100 * k.tailFraction(),
                        k.tailPriceFactor(),
                        k.purchaseDelay(),
                        k.purchaseDelayMeanMillis() / 60_000.0,
                        k.driftAt() >= 1 ? "none" : String.valueOf(k.driftAt())));
        if (k.exposures() != DEFAULT_EXPOSURES) {
            row(
                    b,
                    "**deviation**",
                    String.format(
                            Locale.ROOT,
                            "%,d exposures instead of the default configuration's %,d (run"
                                    + " time; every other setting is the default unless the"
                                    + " command says otherwise)",
                            k.exposures(),
                            DEFAULT_EXPOSURES));
        }
        row(
                b,
                "events → samples",
                String.format(
                        Locale.ROOT,
                        "%,d → %,d (%,d late-purchase corrections); %,d samples whose window only"
                                + " the end of the data closed are left out",
                        o.events(),
                        o.samples(),
                        o.corrections(),
                        o.openWindows()));
        row(
                b,
                "split",
                String.format(
                        Locale.ROOT,
                        "training prefix %,d samples; held-out tail %,d samples = %,d exposures"
                                + " evaluated (%,d clicked, %,d purchased by their final label)",
                        o.trainingSamples(),
                        o.holdOutSamples(),
                        o.evaluated(),
                        o.evaluatedClicks(),
                        o.evaluatedPurchases()));
        row(
                b,
                "final labels",
                "a held-out exposure is evaluated once, through its window's sample; if a"
                        + " `#correction` sample of the same exposure exists (purchase after the"
                        + " window, inside the correction horizon) its labels are clicked and"
                        + " purchased; correction samples are not evaluated themselves."
                        + " Training sees the stream as the learner does: the window's sample"
                        + " and the correction as two ordinary rows");
        row(
                b,
                "calibration",
                "prior correction with the run's final weight table (`PriorCorrection`): for the"
                        + " job's label-dependent class key `"
                        + s.classKey()
                        + "`, calibrated odds = raw odds × w−/w+ of the sample's category, where"
                        + " CTR has w+ = count-weighted mean of the click and purchase classes'"
                        + " weights and w− = r·w(none), CTCVR has w+ = w(purchase) and w− ="
                        + " count-weighted mean of r·w(none) and w(click); r is the negative keep"
                        + " rate (1 without down-sampling); for NONE without down-sampling it is"
                        + " the identity. Then, as `SnapshotScorer` does, a fitted calibration map"
                        + " per task (Platt scaling, p' = σ(a·logit(p) + b), core `PlattScaling`,"
                        + " ridge towards the identity "
                        + CalibrationWindow.RIDGE
                        + ", none with fewer than "
                        + CalibrationWindow.MIN_POSITIVES
                        + " positives) fitted on the prior-corrected progressive scores of the"
                        + " last "
                        + String.format(Locale.ROOT, "%,d", QualityRunner.LOSS_WINDOW)
                        + " training samples (the learner's evaluation window; scored before"
                        + " each batch trained on them, labels as seen), never on held-out"
                        + " samples; CTCVR is capped at CTR");
        row(
                b,
                "seeds",
                String.join(", ", o.seeds().stream().map(String::valueOf).toList())
                        + " (model initialisation and down-sampler; the stream is the same)");
        row(
                b,
                "model",
                String.format(
                        Locale.ROOT,
                        "the learner's default network, Adam learning rate %s, batch %d, one"
                                + " streamed pass",
                        s.model().learningRate(),
                        s.batchSize()));
        row(
                b,
                "reference",
                "logistic regression (Newton, L2 1e-3 on standardised features, unweighted) on"
                        + " the sample's dense features: user, item and category activity, log"
                        + " price, position, the producer's affinity and quality; no ids, no"
                        + " one-hot category (the Hessian would be 500 wide); one model for CTR,"
                        + " one for CTCVR, deterministic");
        b.append('\n');

        Result ref = o.reference().first();
        var ceiling = ref.knownAnswer();
        b.append("## Held-out, against the truth\n\n");
        b.append(
                String.format(
                        Locale.ROOT,
                        "Mean (min–max) over the %d seeds. Groups by the categories' exposure"
                                + " counts: head = top 2%%, torso = next 18%%, tail = the rest."
                                + " *lift captured* = (AUC − 0.5) / (ceiling − 0.5), CTR overall."
                                + " ECE (20 equal-count bins) of calibrated scores against the"
                                + " true probability; *raw* before calibration. Base rates: CTR"
                                + " %.4f, CTCVR %.5f (mean truth); ECE goal ≤ %.4f and ≤ %.5f."
                                + " ESS = (Σw)²/Σw² of the trained rows, as a share of them.%n%n",
                        o.seeds().size(),
                        ceiling.ctr().overall().meanTruth(),
                        ceiling.ctcvr().overall().meanTruth(),
                        ECE_SHARE * ceiling.ctr().overall().meanTruth(),
                        ECE_SHARE * ceiling.ctcvr().overall().meanTruth()));
        b.append(
                "| configuration | CTR AUC | lift captured | head | torso | tail | CTCVR AUC |"
                        + " CTR ECE | CTR raw ECE | CTCVR ECE | CTCVR raw ECE | ESS | s |\n");
        b.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        b.append("| **ceiling** (true probabilities) | ")
                .append(f4(ceiling.ctr().overall().ceilingAuc()))
                .append(" | 100% | ")
                .append(f4(ceiling.ctr(Group.HEAD).ceilingAuc()))
                .append(" | ")
                .append(f4(ceiling.ctr(Group.TORSO).ceilingAuc()))
                .append(" | ")
                .append(f4(ceiling.ctr(Group.TAIL).ceilingAuc()))
                .append(" | ")
                .append(f4(ceiling.ctcvr().overall().ceilingAuc()))
                .append(" | 0 | 0 | 0 | 0 | — | — |\n");
        for (SeededResult r : o.results()) {
            tableRow(b, r);
        }
        tableRow(b, o.reference());
        b.append('\n');
        b.append(
                String.format(
                        Locale.ROOT,
                        "Held-out exposures per group: head %,d, torso %,d, tail %,d (categories"
                                + " %d / %d / %d).%n%n",
                        ceiling.ctr(Group.HEAD).samples(),
                        ceiling.ctr(Group.TORSO).samples(),
                        ceiling.ctr(Group.TAIL).samples(),
                        ceiling.ctr(Group.HEAD).categories(),
                        ceiling.ctr(Group.TORSO).categories(),
                        ceiling.ctr(Group.TAIL).categories()));

        b.append("## Verdict\n\n").append(verdict(o)).append('\n');
        return b.toString();
    }

    private static void tableRow(StringBuilder b, SeededResult r) {
        b.append("| ")
                .append(r.name())
                .append(" | ")
                .append(spread(r, x -> x.knownAnswer().ctr().overall().auc()))
                .append(" | ")
                .append(pct(r.mean(x -> x.knownAnswer().ctr().overall().liftCaptured())))
                .append(" | ")
                .append(f4(r.mean(x -> x.knownAnswer().ctr(Group.HEAD).auc())))
                .append(" | ")
                .append(f4(r.mean(x -> x.knownAnswer().ctr(Group.TORSO).auc())))
                .append(" | ")
                .append(spread(r, x -> x.knownAnswer().ctr(Group.TAIL).auc()))
                .append(" | ")
                .append(spread(r, x -> x.knownAnswer().ctcvr().overall().auc()))
                .append(" | ")
                .append(spread(r, x -> x.knownAnswer().ctr().overall().ece()))
                .append(" | ")
                .append(f4(r.mean(x -> x.knownAnswer().ctrRawEce())))
                .append(" | ")
                .append(spread5(r, x -> x.knownAnswer().ctcvr().overall().ece()))
                .append(" | ")
                .append(f5(r.mean(x -> x.knownAnswer().ctcvrRawEce())))
                .append(" | ")
                .append(r.config() == null ? "—" : pct(r.mean(Result::essFraction)))
                .append(" | ")
                .append(String.format(Locale.ROOT, "%.0f", r.seconds()))
                .append(" |\n");
    }

    /** The verdict by {@link #rules()}. */
    static String verdict(KnownAnswerOutcome o) {
        StringBuilder b = new StringBuilder();
        SeededResult none = null;
        for (SeededResult r : o.results()) {
            if (r.config() != null
                    && r.config().strategy() == WeightingStrategy.NONE
                    && r.config().plain()) {
                none = r;
            }
        }
        if (none == null) {
            return "No plain NONE configuration in this run: goals 1 and 2 cannot be judged.\n";
        }
        double ceiling = none.mean(x -> x.knownAnswer().ctr().overall().ceilingAuc());
        double tailCeiling = none.mean(x -> x.knownAnswer().ctr(Group.TAIL).ceilingAuc());
        double noneAuc = none.mean(x -> x.knownAnswer().ctr().overall().auc());
        double noneTail = none.mean(x -> x.knownAnswer().ctr(Group.TAIL).auc());
        double share = (noneAuc - 0.5) / (ceiling - 0.5);
        b.append(
                String.format(
                        Locale.ROOT,
                        "1. **%s** — NONE's CTR AUC %.4f against the ceiling's %.4f: %.1f%% of the"
                                + " lift (goal ≥ %.0f%%).%n",
                        share >= NONE_LIFT_SHARE ? "Met" : "Not met",
                        noneAuc,
                        ceiling,
                        100 * share,
                        100 * NONE_LIFT_SHARE));
        double gap = tailCeiling - noneTail;
        List<String> passing = new ArrayList<>();
        SeededResult bestTail = null;
        for (SeededResult r : o.results()) {
            if (r.config() == null || r.config().strategy() == WeightingStrategy.NONE) {
                continue;
            }
            double tail = r.mean(x -> x.knownAnswer().ctr(Group.TAIL).auc());
            double overall = r.mean(x -> x.knownAnswer().ctr().overall().auc());
            if (bestTail == null
                    || tail > bestTail.mean(x -> x.knownAnswer().ctr(Group.TAIL).auc())) {
                bestTail = r;
            }
            if (gap > 0
                    && tail - noneTail >= TAIL_GAP_CLOSED * gap
                    && overall >= noneAuc - OVERALL_AUC_TOLERANCE) {
                passing.add(r.name());
            }
        }
        if (gap <= 0) {
            b.append(
                    String.format(
                            Locale.ROOT,
                            "2. **Void** — NONE's tail-group CTR AUC %.4f is not below the"
                                    + " ceiling's %.4f.%n",
                            noneTail,
                            tailCeiling));
        } else if (bestTail == null) {
            b.append("2. **Not judged** — no reweighting configuration in this run.\n");
        } else {
            final SeededResult best = bestTail;
            double bt = best.mean(x -> x.knownAnswer().ctr(Group.TAIL).auc());
            double bo = best.mean(x -> x.knownAnswer().ctr().overall().auc());
            b.append(
                    String.format(
                            Locale.ROOT,
                            "2. **%s** — NONE's tail-group CTR AUC is %.4f, the ceiling's %.4f (gap"
                                    + " %.4f). The best reweighting on the tail, %s, reaches %.4f"
                                    + " (%+.0f%% of the gap closed) with overall CTR AUC %.4f (%+.4f"
                                    + " against NONE; allowed −%.3f).%s%n",
                            passing.isEmpty() ? "Not met" : "Met",
                            noneTail,
                            tailCeiling,
                            gap,
                            best.name(),
                            bt,
                            100 * (bt - noneTail) / gap,
                            bo,
                            bo - noneAuc,
                            OVERALL_AUC_TOLERANCE,
                            passing.isEmpty()
                                    ? " No reweighting meets both conditions."
                                    : " Meeting both: " + String.join(", ", passing) + "."));
        }
        double ctrBase = none.mean(x -> x.knownAnswer().ctr().overall().meanTruth());
        double ctcvrBase = none.mean(x -> x.knownAnswer().ctcvr().overall().meanTruth());
        List<String> failing = new ArrayList<>();
        List<SeededResult> all = new ArrayList<>(o.results());
        for (SeededResult r : all) {
            double ctr = r.mean(x -> x.knownAnswer().ctr().overall().ece());
            double ctcvr = r.mean(x -> x.knownAnswer().ctcvr().overall().ece());
            if (!(ctr <= ECE_SHARE * ctrBase)) {
                failing.add(String.format(Locale.ROOT, "%s (CTR %.4f)", r.name(), ctr));
            }
            if (!(ctcvr <= ECE_SHARE * ctcvrBase)) {
                failing.add(String.format(Locale.ROOT, "%s (CTCVR %.5f)", r.name(), ctcvr));
            }
        }
        b.append(
                String.format(
                        Locale.ROOT,
                        "3. **%s** — bounds CTR %.4f, CTCVR %.5f.%s%n",
                        failing.isEmpty() ? "Met" : "Not met",
                        ECE_SHARE * ctrBase,
                        ECE_SHARE * ctcvrBase,
                        failing.isEmpty()
                                ? " Every configuration is within both."
                                : " Above a bound: " + String.join("; ", failing) + "."));
        b.append("4. **Not evaluated** — FNW / FNC are not in this run.\n");
        Result ref = o.reference().first();
        b.append(
                String.format(
                        Locale.ROOT,
                        "%nReference: the logistic regression reaches CTR AUC %.4f (%.1f%% of the"
                                + " ceiling's lift; tail group %.4f) and CTCVR AUC %.4f; NONE's"
                                + " network %.4f and %.4f.%n",
                        ref.knownAnswer().ctr().overall().auc(),
                        100 * ref.knownAnswer().ctr().overall().liftCaptured(),
                        ref.knownAnswer().ctr(Group.TAIL).auc(),
                        ref.knownAnswer().ctcvr().overall().auc(),
                        noneAuc,
                        none.mean(x -> x.knownAnswer().ctcvr().overall().auc())));
        return b.toString();
    }

    private static String spread(SeededResult r, ToDoubleFunction<Result> metric) {
        if (r.perSeed().size() == 1) {
            return f4(r.mean(metric));
        }
        return f4(r.mean(metric)) + " (" + f4(r.min(metric)) + "–" + f4(r.max(metric)) + ")";
    }

    private static String spread5(SeededResult r, ToDoubleFunction<Result> metric) {
        if (r.perSeed().size() == 1) {
            return f5(r.mean(metric));
        }
        return f5(r.mean(metric)) + " (" + f5(r.min(metric)) + "–" + f5(r.max(metric)) + ")";
    }

    private static void row(StringBuilder b, String key, String value) {
        b.append("| ").append(key).append(" | ").append(value).append(" |\n");
    }

    private static String f4(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.4f", v);
    }

    private static String f5(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.5f", v);
    }

    private static String pct(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.1f%%", 100 * v);
    }
}
