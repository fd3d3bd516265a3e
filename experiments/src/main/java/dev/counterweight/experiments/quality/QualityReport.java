package dev.counterweight.experiments.quality;

import dev.counterweight.core.metrics.AucStandardError;
import dev.counterweight.core.weighting.LossAwareConfig;
import dev.counterweight.core.weighting.WeightingStrategy;
import dev.counterweight.experiments.quality.QualityExperiment.Outcome;
import dev.counterweight.experiments.quality.QualityRunner.Result;
import java.awt.Font;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * Writes QUALITY.md: the run's provenance, a results table per evaluation (held-out tail and
 * progressive), two bar charts, and a verdict derived from the measured numbers by fixed rules.
 */
public final class QualityReport {

    /** Standard errors of NONE's held-out AUC that a mean difference must exceed to count. */
    static final double STANDARD_ERRORS = 2.0;

    static final String AUC_PNG = "heldout-auc-per-config.png";
    static final String ESS_PNG = "ess-per-config.png";

    private QualityReport() {}

    /**
     * Writes the report and its charts.
     *
     * @param outcome the experiment's outcome
     * @param markdown the Markdown file
     * @param plotsDir the folder of the PNGs (created if needed)
     * @param command the command that regenerates the report
     * @return the files written
     */
    public static List<Path> write(Outcome outcome, Path markdown, Path plotsDir, String command)
            throws IOException {
        Files.createDirectories(plotsDir);
        Path auc = plotsDir.resolve(AUC_PNG);
        Path ess = plotsDir.resolve(ESS_PNG);
        BitmapEncoder.saveBitmap(aucChart(outcome), auc.toString(), BitmapFormat.PNG);
        BitmapEncoder.saveBitmap(essChart(outcome), ess.toString(), BitmapFormat.PNG);
        Path base = markdown.toAbsolutePath().getParent();
        String aucLink = base.relativize(auc.toAbsolutePath()).toString().replace('\\', '/');
        String essLink = base.relativize(ess.toAbsolutePath()).toString().replace('\\', '/');
        List<Path> files = new ArrayList<>(List.of(markdown, auc, ess));
        String importanceLink = null;
        if (outcome.importance() != null) {
            files.addAll(ImportanceReport.write(outcome, plotsDir, markdown, command));
            importanceLink =
                    base.relativize(plotsDir.resolve(ImportanceReport.FILE).toAbsolutePath())
                            .toString()
                            .replace('\\', '/');
        }
        Files.writeString(
                markdown,
                markdown(outcome, command, aucLink, essLink, importanceLink),
                StandardCharsets.UTF_8);
        return files;
    }

    static String markdown(
            Outcome o, String command, String aucLink, String essLink, String importanceLink) {
        StringBuilder b = new StringBuilder();
        QualityRunner.Settings s = o.settings();
        var m = s.model();
        b.append("# Does reweighting help?\n\n");
        b.append(
                        "Offline, in-JVM replay of the weighting job and the online learner on the shared"
                                + " Taobao slice: labels attributed with the job's rules, samples stamped"
                                + " with the job's weight tables (each with the newest table in event"
                                + " time, which the job matches when its broadcast keeps up), the"
                                + " learner's model trained"
                                + " test-then-train, and the last ")
                .append(pct(s.holdOutFraction()))
                .append(
                        " of the stream by event time held out and scored by the final model."
                                + " `StreamingMatchITCase` (run by the README's test command)"
                                + String.format(
                                        Locale.ROOT,
                                        " replays a %,d-event",
                                        QualityExperiment.QUICK_EVENTS)
                                + " slice through SampleWeightingJob on a"
                                + " real broker and MiniCluster and checks that this in-JVM path"
                                + " gives the same samples, labels, class keys, features and"
                                + " weight-table versions, and that every stamped weight is its"
                                + " table's; the job may stamp a sample with an older or newer"
                                + " table than the in-JVM path (broadcast timing), and the test"
                                + " logs how often.\n\n");
        double total = o.offline().seconds();
        for (SeededResult r : o.results()) {
            total += r.seconds();
        }
        b.append(
                        String.format(
                                Locale.ROOT,
                                "Regenerate (training and scoring took %.0f s in this run):%n%n```bash%n",
                                total))
                .append(command)
                .append("\n```\n\n");
        b.append("## Run\n\n");
        b.append("| | |\n|---|---|\n");
        row(b, "code version", "`" + o.codeVersion() + "`");
        row(
                b,
                "seeds",
                String.join(", ", o.seeds().stream().map(String::valueOf).toList())
                        + " (model initialisation, down-sampler, baseline shuffling); every"
                        + " configuration and the baseline run once with each");
        row(b, "mode", o.quick() ? "--quick" : "full");
        row(b, "data", o.source());
        row(
                b,
                "events → samples",
                String.format(
                        Locale.ROOT,
                        "%,d → %,d (%,d delayed-conversion corrections); %,d samples whose"
                                + " attribution window was still open when the data ended are"
                                + " left out (their labels are censored)",
                        o.events(),
                        o.samples(),
                        o.corrections(),
                        o.openWindows()));
        row(
                b,
                "split",
                String.format(
                        Locale.ROOT,
                        "training prefix %,d samples (streamed test-then-train), held-out tail"
                                + " %,d samples (never trained on) with %,d clicks and %,d"
                                + " click+purchase",
                        o.trainingSamples(),
                        o.holdOutSamples(),
                        o.holdOutClicks(),
                        o.holdOutCtcvrPositives()));
        row(
                b,
                "classes",
                String.format(
                        Locale.ROOT,
                        "%,d class keys (%s), %,d evaluation groups (categories)",
                        o.classes(),
                        s.classKey(),
                        o.groups()));
        row(
                b,
                "weighting (job defaults)",
                String.format(
                        Locale.ROOT,
                        "decayed class counts, half-life %s, table every %s of event time,"
                                + " clip [%s, %s], normalised; unknown class gets the table's"
                                + " largest weight; weight 1 before the first table",
                        Duration.ofMillis(s.weightHalfLife().millis()),
                        Duration.ofMillis(s.updateIntervalMillis()),
                        s.minWeight(),
                        s.maxWeight()));
        row(
                b,
                "augmentation",
                String.format(
                        Locale.ROOT,
                        "a kept sample of a class whose decayed count is at most a quarter of the"
                                + " mean class count trains as %d rows sharing its weight:"
                                + " *oversample* copies it, *SMOTE* adds samples whose dense"
                                + " features are interpolated with one of the class's last %d"
                                + " earlier samples (ids and labels from the nearer parent; no"
                                + " extra rows for the class's first sample); extra rows"
                                + " are flagged synthetic and never evaluated",
                        ExperimentConfig.OVERSAMPLE_COPIES,
                        QualityRunner.SMOTE_POOL));
        LossAwareConfig la = QualityRunner.LOSS_AWARE;
        row(
                b,
                "loss-aware (job defaults)",
                String.format(
                        Locale.ROOT,
                        "every %d batches the learner's per-class loss over its last %,d trained"
                                + " rows is folded into the job's multiplier (strength %s,"
                                + " smoothing %s, clip [%s, %s], at least %d samples, mean weight"
                                + " kept) and used from the next table on",
                        QualityRunner.CLASS_LOSS_EVERY_BATCHES,
                        QualityRunner.LOSS_WINDOW,
                        la.strength(),
                        la.smoothing(),
                        la.minMultiplier(),
                        la.maxMultiplier(),
                        la.minSamples()));
        row(
                b,
                "model (learner defaults but the learning rate)",
                String.format(
                        Locale.ROOT,
                        "ESMM shared bottom %s, embeddings %d (vocab %,d/%,d/%,d), %d dense,"
                                + " tower %d, batch %d",
                        java.util.Arrays.toString(m.bottomLayers()),
                        m.embeddingDim(),
                        m.userVocab(),
                        m.itemVocab(),
                        m.categoryVocab(),
                        m.denseFeatures(),
                        m.towerWidth(),
                        s.batchSize()));
        row(
                b,
                "learning rate",
                String.format(
                        Locale.ROOT,
                        "Adam %s for every configuration and the offline baseline"
                                + " (`--learning-rate`). One streamed pass over this slice is about"
                                + " %,d batches; at the live learner's default %s the network stays"
                                + " near its random initialisation (see [LEARNABILITY.md]"
                                + "(experiments/quality-report/LEARNABILITY.md)). The live learner's"
                                + " default is not changed.",
                        m.learningRate(),
                        (o.trainingSamples() + s.batchSize() - 1) / s.batchSize(),
                        QualityRunner.defaultModel().learningRate()));
        b.append('\n');

        b.append("## Held-out tail (final model)\n\n");
        b.append(
                String.format(
                        Locale.ROOT,
                        "Mean over the %d seeds, (min–max) over the seeds where shown. AUCs are"
                                + " unweighted. *macro*: mean AUC over categories with both labels"
                                + " in the tail; *tail-class*: the same over the least frequent 50%%"
                                + " of those categories. Log loss and ECE (10 bins) are of"
                                + " recalibrated scores (core `Recalibration` with the negative keep"
                                + " rate; identity without down-sampling); *raw ECE* is before"
                                + " recalibration. ESS = (Σw)²/Σw² of the trained rows' weights, as"
                                + " a share of the rows, and the weight range are of the first"
                                + " seed. A constant prediction of the training prefix's click rate"
                                + " has held-out CTR log loss %.4f.%n%n",
                        o.seeds().size(),
                        o.baseRateCtrLogLoss()));
        b.append(
                "| configuration | CTR AUC | CTR macro | CTR tail-class | CTCVR AUC | CTCVR macro |"
                        + " CTCVR tail-class | CTR log loss | CTCVR log loss | CTR ECE |"
                        + " CTR raw ECE | ESS | weights | rows trained | s |\n");
        b.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (SeededResult r : o.results()) {
            heldOutRow(b, r);
        }
        heldOutRow(b, o.offline());
        if (o.reference() != null) {
            heldOutRow(b, o.reference());
        }
        b.append('\n');

        b.append("## Progressive (test-then-train over the training prefix)\n\n");
        b.append(
                "Every sample of the stream, dropped negatives included, scored by the model just"
                        + " before the batch that trains on it. Mean over the seeds.\n\n");
        b.append(
                "| configuration | CTR AUC | CTR macro | CTR tail-class | CTCVR AUC | CTCVR macro |"
                        + " CTCVR tail-class | CTR log loss | CTCVR log loss | CTR ECE |\n");
        b.append("|---|---|---|---|---|---|---|---|---|---|\n");
        for (SeededResult r : o.results()) {
            b.append("| ")
                    .append(r.name())
                    .append(" | ")
                    .append(f4(r.mean(x -> x.progressive().ctrAuc())))
                    .append(" | ")
                    .append(f4(r.mean(x -> x.progressive().ctrMacroAuc())))
                    .append(" | ")
                    .append(f4(r.mean(x -> x.progressive().ctrTailAuc())))
                    .append(" | ")
                    .append(f4(r.mean(x -> x.progressive().ctcvrAuc())))
                    .append(" | ")
                    .append(f4(r.mean(x -> x.progressive().ctcvrMacroAuc())))
                    .append(" | ")
                    .append(f4(r.mean(x -> x.progressive().ctcvrTailAuc())))
                    .append(" | ")
                    .append(f4(r.mean(x -> x.progressive().ctrLogLoss())))
                    .append(" | ")
                    .append(f4(r.mean(x -> x.progressive().ctcvrLogLoss())))
                    .append(" | ")
                    .append(f4(r.mean(x -> x.progressive().ctrEce())))
                    .append(" |\n");
        }
        b.append('\n');

        b.append("## Plots\n\n");
        b.append("![held-out AUC per configuration](").append(aucLink).append(")\n\n");
        b.append("![effective sample size per configuration](").append(essLink).append(")\n\n");

        if (importanceLink != null && o.importance() != null) {
            var imp = o.importance();
            var rows = imp.rows();
            b.append("## Sample importance\n\n");
            b.append(
                    String.format(
                            Locale.ROOT,
                            "[%s](%s) follows the training weight of one run (%s, seed %d): %,d of"
                                    + " %,d classes carry half of it, row weights run from %.3g"
                                    + " to %.3g (median %.3g), the effective sample size ends at"
                                    + " %s of the rows, and it lists the rows with the highest"
                                    + " weight × loss, with plots of each.%n%n",
                            ImportanceReport.FILE,
                            importanceLink,
                            imp.config().name(),
                            imp.seed(),
                            rows.classesCarrying(0.5),
                            rows.classTotals().size(),
                            rows.weightQuantile(0),
                            rows.weightQuantile(1),
                            rows.weightQuantile(0.5),
                            rows.essSeries().isEmpty()
                                    ? "n/a"
                                    : pct(
                                            rows.essSeries()
                                                    .get(rows.essSeries().size() - 1)
                                                    .cumulativeFraction())));
        }

        b.append("## Verdict\n\n");
        b.append(verdict(o));
        b.append('\n');
        return b.toString();
    }

    private static void heldOutRow(StringBuilder b, SeededResult r) {
        b.append("| ")
                .append(r.name())
                .append(" | ")
                .append(spread(r, x -> x.holdOut().ctrAuc()))
                .append(" | ")
                .append(f4(r.mean(x -> x.holdOut().ctrMacroAuc())))
                .append(" | ")
                .append(spread(r, x -> x.holdOut().ctrTailAuc()))
                .append(" | ")
                .append(spread(r, x -> x.holdOut().ctcvrAuc()))
                .append(" | ")
                .append(f4(r.mean(x -> x.holdOut().ctcvrMacroAuc())))
                .append(" | ")
                .append(f4(r.mean(x -> x.holdOut().ctcvrTailAuc())))
                .append(" | ")
                .append(spread(r, x -> x.holdOut().ctrLogLoss()))
                .append(" | ")
                .append(f4(r.mean(x -> x.holdOut().ctcvrLogLoss())))
                .append(" | ")
                .append(spread(r, x -> x.holdOut().ctrEce()))
                .append(" | ")
                .append(f4(r.mean(x -> x.holdOutRaw().ctrEce())))
                .append(" | ")
                .append(r.config() == null ? "—" : pct(r.first().essFraction()))
                .append(" | ")
                .append(
                        String.format(
                                Locale.ROOT,
                                "%.3g–%.3g",
                                r.first().minWeight(),
                                r.first().maxWeight()))
                .append(" | ")
                .append(String.format(Locale.ROOT, "%,d", r.first().trainedRows()))
                .append(" | ")
                .append(String.format(Locale.ROOT, "%.0f", r.seconds()))
                .append(" |\n");
    }

    private static String spread(SeededResult r, ToDoubleFunction<Result> metric) {
        if (r.perSeed().size() == 1) {
            return f4(r.mean(metric));
        }
        return f4(r.mean(metric)) + " (" + f4(r.min(metric)) + "–" + f4(r.max(metric)) + ")";
    }

    /**
     * Whether {@code r} differs from {@code none} on {@code metric}: +1 better, -1 worse, 0 not
     * told apart. It differs only if the mean difference exceeds {@link #STANDARD_ERRORS} standard
     * errors of NONE's AUC on the tail and the two min–max ranges over the seeds do not overlap.
     */
    static int compare(
            SeededResult r, SeededResult none, ToDoubleFunction<Result> metric, double se) {
        double d = r.mean(metric) - none.mean(metric);
        if (!Double.isFinite(d) || !(Math.abs(d) > STANDARD_ERRORS * se)) {
            return 0;
        }
        if (d > 0 && r.min(metric) > none.max(metric)) {
            return 1;
        }
        if (d < 0 && r.max(metric) < none.min(metric)) {
            return -1;
        }
        return 0;
    }

    /** Plain sentences from the numbers, by fixed rules (see {@link #compare}). */
    static String verdict(Outcome o) {
        SeededResult none =
                o.results().stream()
                        .filter(
                                r ->
                                        r.config().strategy() == WeightingStrategy.NONE
                                                && r.config().plain())
                        .findFirst()
                        .orElse(null);
        if (none == null) {
            return "No NONE run to compare with.\n";
        }
        ToDoubleFunction<Result> ctr = x -> x.holdOut().ctrAuc();
        ToDoubleFunction<Result> ctcvr = x -> x.holdOut().ctcvrAuc();
        ToDoubleFunction<Result> tail = x -> x.holdOut().ctrTailAuc();
        long n = o.holdOutSamples();
        double seCtr =
                AucStandardError.hanleyMcNeil(
                        none.mean(ctr), o.holdOutClicks(), n - o.holdOutClicks());
        double seCtcvr =
                AucStandardError.hanleyMcNeil(
                        none.mean(ctcvr), o.holdOutCtcvrPositives(), n - o.holdOutCtcvrPositives());
        StringBuilder b = new StringBuilder();
        b.append(
                String.format(
                        Locale.ROOT,
                        "**Caveat: the model barely learns on this slice.** Streaming NONE reaches"
                                + " held-out CTR AUC %.4f and CTR log loss %.4f against %.4f for a"
                                + " constant prediction of the base rate; the label is only weakly"
                                + " predictable from the model's inputs (independent logistic"
                                + " regression ≈ 0.55–0.57), and the tail holds only %,d clicks and"
                                + " %,d click+purchase samples. See"
                                + " [LEARNABILITY.md](experiments/quality-report/LEARNABILITY.md).\n\n",
                        none.mean(ctr),
                        none.mean(x -> x.holdOut().ctrLogLoss()),
                        o.baseRateCtrLogLoss(),
                        o.holdOutClicks(),
                        o.holdOutCtcvrPositives()));
        b.append(
                String.format(
                        Locale.ROOT,
                        "**Rule.** Each configuration is compared with NONE on the held-out mean"
                                + " CTR AUC and CTCVR AUC over %d seeds. A difference counts only"
                                + " if it exceeds %.0f Hanley–McNeil standard errors of NONE's AUC"
                                + " on this tail (CTR: SE %.4f, threshold %.4f; CTCVR: SE %.4f,"
                                + " threshold %s) **and** the configuration's min–max over the"
                                + " seeds does not overlap NONE's. The tail-class macro AUC is"
                                + " shown but not judged (a few positives per category; no error"
                                + " estimate).\n\n",
                        o.seeds().size(),
                        STANDARD_ERRORS,
                        seCtr,
                        STANDARD_ERRORS * seCtr,
                        seCtcvr,
                        f4(STANDARD_ERRORS * seCtcvr)));
        List<String> helped = new ArrayList<>();
        List<String> hurt = new ArrayList<>();
        List<String> mixed = new ArrayList<>();
        List<String> same = new ArrayList<>();
        for (SeededResult r : o.results()) {
            if (r == none) {
                continue;
            }
            int c1 = compare(r, none, ctr, seCtr);
            int c2 = compare(r, none, ctcvr, seCtcvr);
            String text =
                    String.format(
                            Locale.ROOT,
                            "%s (Δ CTR %+.4f, Δ CTCVR %+.4f, Δ CTR tail-class %+.4f)",
                            r.name(),
                            r.mean(ctr) - none.mean(ctr),
                            r.mean(ctcvr) - none.mean(ctcvr),
                            r.mean(tail) - none.mean(tail));
            boolean up = c1 > 0 || c2 > 0;
            boolean down = c1 < 0 || c2 < 0;
            (up && down ? mixed : up ? helped : down ? hurt : same).add(text);
        }
        list(b, "Helped (ranking)", helped);
        list(b, "Hurt (ranking)", hurt);
        list(b, "Mixed (better on one metric, worse on another)", mixed);
        list(b, "Cannot be told apart from NONE on this data", same);
        int compared = o.results().size() - 1;
        long lowerCtr =
                o.results().stream().filter(r -> r != none && r.mean(ctr) < none.mean(ctr)).count();
        long lowerTail =
                o.results().stream()
                        .filter(r -> r != none && r.mean(tail) < none.mean(tail))
                        .count();
        b.append(
                String.format(
                        Locale.ROOT,
                        "**Across the grid.** %d configurations were compared with NONE, so a"
                                + " few crossings of the rule are expected by chance alone; read"
                                + " the lists as a pattern, not one by one. %d of the %d have a"
                                + " lower mean held-out CTR AUC than NONE; %d have a lower mean"
                                + " CTR tail-class AUC (higher: %d).%n%n",
                        compared,
                        lowerCtr,
                        compared,
                        lowerTail,
                        compared - lowerTail));

        b.append(
                "**Reliable findings: what each strategy costs.** These do not depend on the"
                        + " model having learned much.\n\n");
        b.append("| configuration | ESS | CTR ECE | × NONE's ECE | CTR log loss |\n");
        b.append("|---|---|---|---|---|\n");
        double noneEce = none.mean(x -> x.holdOut().ctrEce());
        for (SeededResult r : o.results()) {
            double ece = r.mean(x -> x.holdOut().ctrEce());
            b.append("| ")
                    .append(r.name())
                    .append(" | ")
                    .append(pct(r.mean(Result::essFraction)))
                    .append(" | ")
                    .append(f4(ece))
                    .append(" | ")
                    .append(noneEce > 0 ? String.format(Locale.ROOT, "%.1f", ece / noneEce) : "n/a")
                    .append(" | ")
                    .append(f4(r.mean(x -> x.holdOut().ctrLogLoss())))
                    .append(" |\n");
        }
        b.append(
                "\nClass weights lower the effective sample size (ESS, mean over seeds) and"
                        + " change the training distribution, so the scores stop estimating the"
                        + " true click rate unless recalibrated per class: the ECE column is the"
                        + " calibration cost. Negative down-sampling is recalibrated with the keep"
                        + " rate; its remaining ECE is what that recalibration leaves.\n\n");
        SeededResult off = o.offline();
        b.append(
                String.format(
                        Locale.ROOT,
                        "The %s, over %d seeds, against streaming NONE on the same tail:"
                                + " CTR AUC %.4f vs %.4f, CTCVR AUC %.4f vs %.4f, CTR tail-class"
                                + " AUC %.4f vs %.4f, CTR log loss %.4f vs %.4f.\n",
                        off.name(),
                        off.perSeed().size(),
                        off.mean(ctr),
                        none.mean(ctr),
                        off.mean(ctcvr),
                        none.mean(ctcvr),
                        off.mean(tail),
                        none.mean(tail),
                        off.mean(x -> x.holdOut().ctrLogLoss()),
                        none.mean(x -> x.holdOut().ctrLogLoss())));
        return b.toString();
    }

    private static void list(StringBuilder b, String title, List<String> items) {
        b.append("**").append(title).append(":** ");
        b.append(items.isEmpty() ? "none." : String.join("; ", items) + ".");
        b.append("\n\n");
    }

    private static CategoryChart aucChart(Outcome o) {
        CategoryChart chart = chart("Held-out tail: AUC per configuration", "AUC");
        List<SeededResult> all = withOffline(o);
        List<String> names = names(all);
        chart.addSeries("CTR AUC (mean)", names, values(all, r -> r.holdOut().ctrAuc()));
        chart.addSeries(
                "CTR tail-class macro AUC (mean)",
                names,
                values(all, r -> r.holdOut().ctrTailAuc()));
        chart.addSeries("CTCVR AUC (mean)", names, values(all, r -> r.holdOut().ctcvrAuc()));
        chart.getStyler().setYAxisMin(0.4);
        chart.getStyler().setYAxisDecimalPattern("0.00");
        return chart;
    }

    private static CategoryChart essChart(Outcome o) {
        CategoryChart chart =
                chart("Effective sample size of the training weights", "ESS, % of rows trained");
        List<SeededResult> streaming = o.results();
        chart.addSeries(
                "ESS / rows", names(streaming), values(streaming, r -> 100 * r.essFraction()));
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisMax(100.0);
        chart.getStyler().setLegendVisible(false);
        return chart;
    }

    private static CategoryChart chart(String title, String yTitle) {
        CategoryChart chart =
                new CategoryChartBuilder()
                        .width(1100)
                        .height(560)
                        .title(title)
                        .xAxisTitle("configuration")
                        .yAxisTitle(yTitle)
                        .build();
        var st = chart.getStyler();
        st.setChartBackgroundColor(java.awt.Color.WHITE);
        st.setXAxisLabelRotation(35);
        st.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        st.setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setAvailableSpaceFill(0.8);
        return chart;
    }

    private static List<SeededResult> withOffline(Outcome o) {
        List<SeededResult> all = new ArrayList<>(o.results());
        all.add(o.offline());
        return all;
    }

    private static List<String> names(List<SeededResult> results) {
        return results.stream()
                .map(r -> r.config() == null ? "offline baseline" : r.config().name())
                .toList();
    }

    private static List<Double> values(List<SeededResult> results, ToDoubleFunction<Result> f) {
        List<Double> out = new ArrayList<>();
        for (SeededResult r : results) {
            double v = r.mean(f);
            out.add(Double.isFinite(v) ? v : 0.0);
        }
        return out;
    }

    private static void row(StringBuilder b, String key, String value) {
        b.append("| ").append(key).append(" | ").append(value).append(" |\n");
    }

    private static String f4(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.4f", v) : "n/a";
    }

    private static String pct(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.1f%%", 100 * v) : "n/a";
    }
}
