package dev.counterweight.deploy.quality;

import dev.counterweight.core.weighting.LossAwareConfig;
import dev.counterweight.core.weighting.WeightingStrategy;
import dev.counterweight.deploy.quality.QualityExperiment.Outcome;
import dev.counterweight.deploy.quality.QualityRunner.Metrics;
import dev.counterweight.deploy.quality.QualityRunner.Result;
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

    /** A held-out AUC difference to NONE smaller than this (or than 2× the seed noise) is noise. */
    static final double MIN_AUC_DIFFERENCE = 0.005;

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
        Files.writeString(
                markdown, markdown(outcome, command, aucLink, essLink), StandardCharsets.UTF_8);
        return List.of(markdown, auc, ess);
    }

    static String markdown(Outcome o, String command, String aucLink, String essLink) {
        StringBuilder b = new StringBuilder();
        QualityRunner.Settings s = o.settings();
        var m = s.model();
        b.append("# Does reweighting help?\n\n");
        b.append(
                        "Offline, in-JVM replay of the weighting job and the online learner on the shared"
                                + " Taobao slice: labels attributed with the job's rules, samples weighted"
                                + " exactly as the job stamps them, the learner's model trained"
                                + " test-then-train, and the last ")
                .append(pct(s.holdOutFraction()))
                .append(" of the stream by event time held out and scored by the final model.\n\n");
        double total = o.offline().seconds();
        for (Result r : o.results()) {
            total += r.seconds();
        }
        if (o.seedNoise() != null) {
            total += o.seedNoise().seconds();
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
        row(b, "seed", String.valueOf(o.seed()));
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
                                + " %,d samples (never trained on)",
                        o.trainingSamples(),
                        o.holdOutSamples()));
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
                                + "(deploy/quality-report/LEARNABILITY.md)). The live learner's"
                                + " default is not changed.",
                        m.learningRate(),
                        (o.trainingSamples() + s.batchSize() - 1) / s.batchSize(),
                        QualityRunner.defaultModel().learningRate()));
        b.append('\n');

        b.append("## Held-out tail (final model)\n\n");
        b.append(
                "AUCs are unweighted. *macro*: mean AUC over categories with both labels in the"
                        + " tail; *tail-class*: the same over the least frequent 50% of those"
                        + " categories. Log loss and ECE (10 bins) are of recalibrated scores"
                        + " (core `Recalibration` with the negative keep rate; identity without"
                        + " down-sampling); *raw ECE* is before recalibration. ESS = (Σw)²/Σw² of"
                        + " the trained rows' weights, as a share of the rows.\n\n");
        b.append(
                "| configuration | CTR AUC | CTR macro | CTR tail-class | CTCVR AUC | CTCVR macro |"
                        + " CTCVR tail-class | CTR log loss | CTCVR log loss | CTR ECE |"
                        + " CTR raw ECE | ESS | weights | rows trained | s |\n");
        b.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        List<Result> all = new ArrayList<>(o.results());
        if (o.seedNoise() != null) {
            all.add(o.seedNoise());
        }
        for (Result r : all) {
            heldOutRow(b, r, r == o.seedNoise() ? " (seed " + (o.seed() + 1) + ")" : "");
        }
        heldOutRow(b, o.offline(), "");
        b.append('\n');

        b.append("## Progressive (test-then-train over the training prefix)\n\n");
        b.append(
                "Every sample of the stream, dropped negatives included, scored by the model just"
                        + " before the batch that trains on it.\n\n");
        b.append(
                "| configuration | CTR AUC | CTR macro | CTR tail-class | CTCVR AUC | CTCVR macro |"
                        + " CTCVR tail-class | CTR log loss | CTCVR log loss | CTR ECE |\n");
        b.append("|---|---|---|---|---|---|---|---|---|---|\n");
        for (Result r : all) {
            Metrics p = r.progressive();
            b.append("| ")
                    .append(r.name())
                    .append(r == o.seedNoise() ? " (seed " + (o.seed() + 1) + ")" : "")
                    .append(" | ")
                    .append(f4(p.ctrAuc()))
                    .append(" | ")
                    .append(f4(p.ctrMacroAuc()))
                    .append(" | ")
                    .append(f4(p.ctrTailAuc()))
                    .append(" | ")
                    .append(f4(p.ctcvrAuc()))
                    .append(" | ")
                    .append(f4(p.ctcvrMacroAuc()))
                    .append(" | ")
                    .append(f4(p.ctcvrTailAuc()))
                    .append(" | ")
                    .append(f4(p.ctrLogLoss()))
                    .append(" | ")
                    .append(f4(p.ctcvrLogLoss()))
                    .append(" | ")
                    .append(f4(p.ctrEce()))
                    .append(" |\n");
        }
        b.append('\n');

        b.append("## Plots\n\n");
        b.append("![held-out AUC per configuration](").append(aucLink).append(")\n\n");
        b.append("![effective sample size per configuration](").append(essLink).append(")\n\n");

        b.append("## Verdict\n\n");
        b.append(verdict(o));
        b.append('\n');
        return b.toString();
    }

    private static void heldOutRow(StringBuilder b, Result r, String suffix) {
        Metrics h = r.holdOut();
        b.append("| ")
                .append(r.name())
                .append(suffix)
                .append(" | ")
                .append(f4(h.ctrAuc()))
                .append(" | ")
                .append(f4(h.ctrMacroAuc()))
                .append(" | ")
                .append(f4(h.ctrTailAuc()))
                .append(" | ")
                .append(f4(h.ctcvrAuc()))
                .append(" | ")
                .append(f4(h.ctcvrMacroAuc()))
                .append(" | ")
                .append(f4(h.ctcvrTailAuc()))
                .append(" | ")
                .append(f4(h.ctrLogLoss()))
                .append(" | ")
                .append(f4(h.ctcvrLogLoss()))
                .append(" | ")
                .append(f4(h.ctrEce()))
                .append(" | ")
                .append(f4(r.holdOutRaw().ctrEce()))
                .append(" | ")
                .append(r.config() == null ? "—" : pct(r.essFraction()))
                .append(" | ")
                .append(String.format(Locale.ROOT, "%.3g–%.3g", r.minWeight(), r.maxWeight()))
                .append(" | ")
                .append(String.format(Locale.ROOT, "%,d", r.trainedRows()))
                .append(" | ")
                .append(String.format(Locale.ROOT, "%.0f", r.seconds()))
                .append(" |\n");
    }

    /** Plain sentences from the numbers, by fixed rules (see {@link #MIN_AUC_DIFFERENCE}). */
    static String verdict(Outcome o) {
        Result none =
                o.results().stream()
                        .filter(
                                r ->
                                        r.config() != null
                                                && r.config().strategy() == WeightingStrategy.NONE
                                                && r.config().plain())
                        .findFirst()
                        .orElse(null);
        if (none == null) {
            return "No NONE run to compare with.\n";
        }
        double noise = 0;
        StringBuilder b = new StringBuilder();
        if (o.seedNoise() != null) {
            noise =
                    max(
                            Math.abs(o.seedNoise().holdOut().ctrAuc() - none.holdOut().ctrAuc()),
                            Math.abs(
                                    o.seedNoise().holdOut().ctcvrAuc() - none.holdOut().ctcvrAuc()),
                            Math.abs(
                                    o.seedNoise().holdOut().ctrTailAuc()
                                            - none.holdOut().ctrTailAuc()));
        }
        double threshold = Math.max(MIN_AUC_DIFFERENCE, 2 * noise);
        b.append(
                String.format(
                        Locale.ROOT,
                        "Compared with NONE on the held-out tail (CTR AUC, CTCVR AUC and CTR"
                                + " tail-class AUC). A difference counts only if it exceeds %.4f"
                                + " (the larger of %.3f and twice the largest difference between"
                                + " NONE runs with seeds %d and %d%s). One 1.9-hour slice, one"
                                + " seed per configuration: treat this as a smoke test of the"
                                + " effect, not a significance test.\n\n",
                        threshold,
                        MIN_AUC_DIFFERENCE,
                        o.seed(),
                        o.seed() + 1,
                        o.seedNoise() == null
                                ? "; not measured in this run"
                                : String.format(Locale.ROOT, ", %.4f", noise)));
        List<String> helped = new ArrayList<>();
        List<String> hurt = new ArrayList<>();
        List<String> mixed = new ArrayList<>();
        List<String> same = new ArrayList<>();
        for (Result r : o.results()) {
            if (r == none) {
                continue;
            }
            double[] d = {
                r.holdOut().ctrAuc() - none.holdOut().ctrAuc(),
                r.holdOut().ctcvrAuc() - none.holdOut().ctcvrAuc(),
                r.holdOut().ctrTailAuc() - none.holdOut().ctrTailAuc()
            };
            boolean up = false;
            boolean down = false;
            for (double x : d) {
                up |= x > threshold;
                down |= x < -threshold;
            }
            String text =
                    String.format(
                            Locale.ROOT,
                            "%s (Δ CTR %+.4f, Δ CTCVR %+.4f, Δ CTR tail-class %+.4f)",
                            r.name(),
                            d[0],
                            d[1],
                            d[2]);
            (up && down ? mixed : up ? helped : down ? hurt : same).add(text);
        }
        list(b, "Helped", helped);
        list(b, "Hurt", hurt);
        list(b, "Mixed (better on one metric, worse on another)", mixed);
        list(b, "No difference beyond the threshold", same);
        // Calibration: what weighting does to the probabilities.
        List<String> miscalibrated = new ArrayList<>();
        for (Result r : o.results()) {
            if (r != none && r.holdOut().ctrEce() > 2 * none.holdOut().ctrEce()) {
                miscalibrated.add(
                        String.format(Locale.ROOT, "%s %.4f", r.name(), r.holdOut().ctrEce()));
            }
        }
        b.append(
                String.format(
                        Locale.ROOT,
                        "Calibration: NONE has held-out CTR ECE %.4f.",
                        none.holdOut().ctrEce()));
        if (miscalibrated.isEmpty()) {
            b.append(" No configuration more than doubles it.\n\n");
        } else {
            b.append(" More than double that: ")
                    .append(String.join("; ", miscalibrated))
                    .append(
                            ". Class weights change the training distribution, so the scores"
                                    + " no longer estimate the true click rate unless"
                                    + " recalibrated per class.\n\n");
        }
        Result off = o.offline();
        b.append(
                String.format(
                        Locale.ROOT,
                        "Offline baseline (%s) against streaming NONE on the same tail: CTR AUC"
                                + " %.4f vs %.4f, CTCVR AUC %.4f vs %.4f, CTR tail-class AUC"
                                + " %.4f vs %.4f.\n",
                        off.name(),
                        off.holdOut().ctrAuc(),
                        none.holdOut().ctrAuc(),
                        off.holdOut().ctcvrAuc(),
                        none.holdOut().ctcvrAuc(),
                        off.holdOut().ctrTailAuc(),
                        none.holdOut().ctrTailAuc()));
        return b.toString();
    }

    private static void list(StringBuilder b, String title, List<String> items) {
        b.append("**").append(title).append(":** ");
        b.append(items.isEmpty() ? "none." : String.join("; ", items) + ".");
        b.append("\n\n");
    }

    private static CategoryChart aucChart(Outcome o) {
        CategoryChart chart = chart("Held-out tail: AUC per configuration", "AUC");
        List<Result> all = withOffline(o);
        List<String> names = names(all);
        chart.addSeries("CTR AUC", names, values(all, r -> r.holdOut().ctrAuc()));
        chart.addSeries(
                "CTR tail-class macro AUC", names, values(all, r -> r.holdOut().ctrTailAuc()));
        chart.addSeries("CTCVR AUC", names, values(all, r -> r.holdOut().ctcvrAuc()));
        chart.getStyler().setYAxisMin(0.4);
        chart.getStyler().setYAxisDecimalPattern("0.00");
        return chart;
    }

    private static CategoryChart essChart(Outcome o) {
        CategoryChart chart =
                chart("Effective sample size of the training weights", "ESS, % of rows trained");
        List<Result> streaming = o.results();
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

    private static List<Result> withOffline(Outcome o) {
        List<Result> all = new ArrayList<>(o.results());
        all.add(o.offline());
        return all;
    }

    private static List<String> names(List<Result> results) {
        return results.stream()
                .map(r -> r.config() == null ? "offline baseline" : r.config().name())
                .toList();
    }

    private static List<Double> values(List<Result> results, ToDoubleFunction<Result> f) {
        List<Double> out = new ArrayList<>();
        for (Result r : results) {
            double v = f.applyAsDouble(r);
            out.add(Double.isFinite(v) ? v : 0.0);
        }
        return out;
    }

    private static double max(double... xs) {
        double m = 0;
        for (double x : xs) {
            if (Double.isFinite(x)) {
                m = Math.max(m, x);
            }
        }
        return m;
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
