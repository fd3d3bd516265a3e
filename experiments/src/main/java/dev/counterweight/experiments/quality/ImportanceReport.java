package dev.counterweight.experiments.quality;

import dev.counterweight.core.metrics.SampleImportance;
import dev.counterweight.core.metrics.SampleImportance.ClassTotal;
import dev.counterweight.core.metrics.SampleImportance.EssPoint;
import dev.counterweight.core.metrics.SampleImportance.LossTrend;
import dev.counterweight.core.metrics.SampleImportance.Row;
import dev.counterweight.experiments.quality.QualityExperiment.Importance;
import dev.counterweight.experiments.quality.QualityExperiment.Outcome;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Writes the sample-importance report of one experiment run ({@code IMPORTANCE.md} and four PNG
 * charts): which classes carry the training weight, the distribution of row weights, the effective
 * sample size over the stream, the per-class loss trend, and the rows with the highest loss-based
 * importance. Every figure in it is computed by {@link SampleImportance} from the run's trained
 * rows.
 */
public final class ImportanceReport {

    /** The Markdown file's name in the plots folder. */
    public static final String FILE = "IMPORTANCE.md";

    static final String CLASS_WEIGHT_PNG = "importance-class-weight.png";
    static final String HISTOGRAM_PNG = "importance-weight-histogram.png";
    static final String ESS_PNG = "importance-ess.png";
    static final String LOSS_PNG = "importance-class-loss.png";

    /** Classes in the class table and bar chart. */
    static final int TOP_CLASSES = 15;

    /** Classes in the loss-trend chart (the heaviest ones). */
    static final int TREND_CLASSES = 6;

    /** Histogram bins per factor of two of weight. */
    static final int BINS_PER_OCTAVE = 2;

    private ImportanceReport() {}

    /**
     * Writes the report and its charts into {@code dir} (created if needed).
     *
     * @param o the experiment's outcome; must have an importance run
     * @param dir the folder of the report and its charts
     * @param quality QUALITY.md, which the report links to
     * @param command the command that regenerates it
     * @return the files written
     * @throws IllegalArgumentException if the outcome has no importance run
     */
    public static List<Path> write(Outcome o, Path dir, Path quality, String command)
            throws IOException {
        Importance imp = o.importance();
        if (imp == null) {
            throw new IllegalArgumentException(
                    "the outcome has no importance run (its configurations lack "
                            + QualityExperiment.importanceConfig().name()
                            + ")");
        }
        Files.createDirectories(dir);
        SampleImportance s = imp.rows();
        List<Path> files = new ArrayList<>();
        files.add(save(classChart(s), dir.resolve(CLASS_WEIGHT_PNG)));
        files.add(save(histogramChart(s), dir.resolve(HISTOGRAM_PNG)));
        files.add(save(essChart(s), dir.resolve(ESS_PNG)));
        files.add(save(lossChart(s), dir.resolve(LOSS_PNG)));
        Path md = dir.resolve(FILE);
        String link =
                dir.toAbsolutePath()
                        .relativize(quality.toAbsolutePath())
                        .toString()
                        .replace('\\', '/');
        Files.writeString(md, markdown(o, command, link), StandardCharsets.UTF_8);
        files.add(0, md);
        return files;
    }

    private static Path save(org.knowm.xchart.internal.chartpart.Chart<?, ?> chart, Path file)
            throws IOException {
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapFormat.PNG);
        return file;
    }

    static String markdown(Outcome o, String command, String qualityLink) {
        Importance imp = o.importance();
        SampleImportance s = imp.rows();
        List<ClassTotal> classes = s.classTotals();
        long rows = s.rows();
        double total = s.totalWeight();
        List<EssPoint> ess = s.essSeries();
        StringBuilder b = new StringBuilder();
        b.append("# Sample importance: where the training weight goes\n\n");
        b.append(
                        String.format(
                                Locale.ROOT,
                                "One run of the reweighting experiment (see [QUALITY.md](%s)):"
                                        + " configuration **%s** (the job's default"
                                        + " `weights.strategy`, no down-sampling or augmentation),"
                                        + " seed %d, on %s, code `%s`. Each trained row is recorded"
                                        + " with its weight and the model's scores from just before"
                                        + " its batch was trained on (test then train).%n%n",
                                qualityLink,
                                imp.config().name(),
                                imp.seed(),
                                o.source(),
                                o.codeVersion()))
                .append("Regenerated with QUALITY.md by:\n\n```bash\n")
                .append(command)
                .append("\n```\n\n");
        b.append(
                "A row's *loss* is its unweighted log loss of the CTR and CTCVR tasks together (as"
                        + " the learner's per-class loss); its *importance* is weight × loss, its"
                        + " share of the training objective; its *gradient proxy* is"
                        + " weight × |p − y| of the CTR task, the size of the gradient of the"
                        + " weighted cross-entropy at the CTR head's logit.\n\n");

        b.append("## Summary\n\n| | |\n|---|---|\n");
        row(b, "rows trained", String.format(Locale.ROOT, "%,d", rows));
        row(b, "classes", String.format(Locale.ROOT, "%,d", classes.size()));
        int half = s.classesCarrying(0.5);
        int ninety = s.classesCarrying(0.9);
        row(
                b,
                "classes carrying 50% / 90% of the weight",
                String.format(
                        Locale.ROOT,
                        "%,d (%s of classes, %s of rows) / %,d (%s of classes, %s of rows)",
                        half,
                        pct((double) half / classes.size()),
                        pct(rowShare(classes, half, rows)),
                        ninety,
                        pct((double) ninety / classes.size()),
                        pct(rowShare(classes, ninety, rows))));
        int rowsHalf = classesCarryingRows(classes, 0.5, rows);
        row(
                b,
                "classes holding 50% of the rows (unweighted)",
                String.format(
                        Locale.ROOT,
                        "%,d (%s of classes)",
                        rowsHalf,
                        pct((double) rowsHalf / classes.size())));
        row(
                b,
                "row weight p1 / p50 / p90 / p99 / max",
                String.format(
                        Locale.ROOT,
                        "%s / %s / %s / %s / %s",
                        g(s.weightQuantile(0.01)),
                        g(s.weightQuantile(0.5)),
                        g(s.weightQuantile(0.9)),
                        g(s.weightQuantile(0.99)),
                        g(s.weightQuantile(1))));
        if (!ess.isEmpty()) {
            row(
                    b,
                    "effective sample size over the run",
                    pct(ess.get(ess.size() - 1).cumulativeFraction()) + " of the rows trained");
            double minW = Double.POSITIVE_INFINITY;
            double maxW = Double.NEGATIVE_INFINITY;
            for (EssPoint p : ess) {
                minW = Math.min(minW, p.windowFraction());
                maxW = Math.max(maxW, p.windowFraction());
            }
            row(
                    b,
                    "ESS per window of " + QualityExperiment.IMPORTANCE_WINDOW_ROWS + " rows",
                    pct(minW) + " to " + pct(maxW));
        }
        b.append('\n');

        b.append("## Which classes carry the weight\n\n");
        b.append("![class weight](").append(CLASS_WEIGHT_PNG).append(")\n\n");
        Map<String, Double> meanLoss = s.meanLoss();
        b.append(
                "| class | rows | share of rows | total weight | share of weight | mean weight |"
                        + " mean loss |\n|---|---|---|---|---|---|---|\n");
        for (ClassTotal c : classes.subList(0, Math.min(TOP_CLASSES, classes.size()))) {
            b.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %,d | %s | %.1f | %s | %s | %s |%n",
                            c.classKey(),
                            c.rows(),
                            pct((double) c.rows() / rows),
                            c.totalWeight(),
                            pct(c.totalWeight() / total),
                            g(c.totalWeight() / c.rows()),
                            f4(meanLoss.getOrDefault(c.classKey(), Double.NaN))));
        }
        b.append('\n');

        b.append("## Weight distribution\n\n");
        b.append("![weight histogram](").append(HISTOGRAM_PNG).append(")\n\n");
        b.append("Rows per weight bin, ")
                .append(BINS_PER_OCTAVE)
                .append(
                        " bins per factor of two. The spread of the row weights is what costs"
                                + " effective sample size.\n\n");

        b.append("## Effective sample size over the stream\n\n");
        b.append("![ESS](").append(ESS_PNG).append(")\n\n");
        b.append(
                "Kish's (Σw)²/Σw² as a share of the rows, per window of "
                        + QualityExperiment.IMPORTANCE_WINDOW_ROWS
                        + " trained rows and over every row so far. Rows trained before the first"
                        + " weight table weigh 1.\n\n");

        b.append("## Per-class loss over the stream\n\n");
        b.append("![class loss](").append(LOSS_PNG).append(")\n\n");
        b.append(
                "Mean loss per window of the "
                        + TREND_CLASSES
                        + " heaviest classes, and of all rows, scored before training.\n\n");

        b.append("## Rows with the highest loss-based importance\n\n");
        b.append(
                "| # | sample | class | row | weight | CTR score | click | CTCVR score | purchase |"
                        + " loss | importance | gradient proxy |\n"
                        + "|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        int i = 1;
        for (Row r : s.topRows()) {
            b.append(
                    String.format(
                            Locale.ROOT,
                            "| %d | `%s` | %s | %,d | %s | %.4f | %s | %.4f | %s | %.2f | %.2f |"
                                    + " %s |%n",
                            i++,
                            r.sampleId(),
                            r.classKey(),
                            r.position(),
                            g(r.weight()),
                            r.ctrScore(),
                            r.click() ? "yes" : "no",
                            r.ctcvrScore(),
                            r.ctcvr() ? "yes" : "no",
                            r.loss(),
                            r.importance(),
                            g(r.gradientProxy())));
        }
        b.append('\n');
        return b.toString();
    }

    /** Share of rows held by the {@code n} heaviest classes. */
    private static double rowShare(List<ClassTotal> classes, int n, long rows) {
        long held = 0;
        for (ClassTotal c : classes.subList(0, n)) {
            held += c.rows();
        }
        return (double) held / rows;
    }

    /** The fewest classes (largest by rows first) holding at least {@code share} of the rows. */
    static int classesCarryingRows(List<ClassTotal> classes, double share, long rows) {
        long[] counts = classes.stream().mapToLong(ClassTotal::rows).sorted().toArray();
        long acc = 0;
        int n = 0;
        for (int i = counts.length - 1; i >= 0 && acc < share * rows; i--) {
            acc += counts[i];
            n++;
        }
        return n;
    }

    private static CategoryChart classChart(SampleImportance s) {
        List<ClassTotal> classes = s.classTotals();
        List<ClassTotal> shown = classes.subList(0, Math.min(TOP_CLASSES, classes.size()));
        CategoryChart chart =
                categoryChart(
                        "The " + shown.size() + " classes carrying the most training weight",
                        "class",
                        "% of all");
        List<String> labels = shown.stream().map(ClassTotal::classKey).toList();
        chart.addSeries(
                "share of rows",
                labels,
                shown.stream().map(c -> 100.0 * c.rows() / s.rows()).toList());
        chart.addSeries(
                "share of weight",
                labels,
                shown.stream().map(c -> 100.0 * c.totalWeight() / s.totalWeight()).toList());
        return chart;
    }

    /** Log-spaced bin edges covering every weight, {@link #BINS_PER_OCTAVE} per factor of two. */
    static double[] edges(double min, double max) {
        double step = 1.0 / BINS_PER_OCTAVE;
        double lo = Math.floor(log2(min) / step) * step;
        double hi = Math.ceil(log2(max) / step) * step;
        if (hi <= lo) {
            hi = lo + step;
        }
        int bins = (int) Math.round((hi - lo) / step);
        double[] e = new double[bins + 1];
        for (int i = 0; i <= bins; i++) {
            e[i] = Math.pow(2, lo + i * step);
        }
        // Powers of two rounded either way must still cover the extremes.
        e[0] = Math.min(e[0], min);
        e[bins] = Math.max(e[bins], max);
        return e;
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }

    private static CategoryChart histogramChart(SampleImportance s) {
        CategoryChart chart = categoryChart("Row weights", "weight bin (from)", "rows");
        double min = s.weightQuantile(0);
        double max = s.weightQuantile(1);
        if (!(min > 0)) {
            min = Math.max(1e-6, min);
        }
        double[] edges = edges(min, Math.max(min, max));
        long[] counts = s.weightHistogram(edges);
        List<String> labels = new ArrayList<>();
        List<Long> values = new ArrayList<>();
        for (int i = 0; i < counts.length; i++) {
            labels.add(g(edges[i]));
            values.add(counts[i]);
        }
        chart.addSeries("rows", labels, values);
        chart.getStyler().setLegendVisible(false);
        return chart;
    }

    private static XYChart essChart(SampleImportance s) {
        XYChart chart = xyChart("Effective sample size", "rows trained", "ESS, % of rows");
        List<EssPoint> points = s.essSeries();
        List<Long> x = points.stream().map(EssPoint::rows).toList();
        if (!x.isEmpty()) {
            chart.addSeries(
                            "per window",
                            x,
                            points.stream().map(p -> 100 * p.windowFraction()).toList())
                    .setMarker(SeriesMarkers.NONE);
            chart.addSeries(
                            "cumulative",
                            x,
                            points.stream().map(p -> 100 * p.cumulativeFraction()).toList())
                    .setMarker(SeriesMarkers.NONE);
        }
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisMax(100.0);
        return chart;
    }

    private static XYChart lossChart(SampleImportance s) {
        XYChart chart =
                xyChart("Mean loss per window (CTR + CTCVR)", "rows trained", "mean log loss");
        List<Long> ends = s.lossWindowEnds();
        List<String> heaviest =
                s.classTotals().stream().limit(TREND_CLASSES).map(ClassTotal::classKey).toList();
        for (LossTrend t : s.lossTrend(heaviest)) {
            List<Long> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (int w = 0; w < ends.size(); w++) {
                if (Double.isFinite(t.meanLoss()[w])) {
                    x.add(ends.get(w));
                    y.add(t.meanLoss()[w]);
                }
            }
            if (!x.isEmpty()) {
                chart.addSeries(t.classKey(), x, y).setMarker(SeriesMarkers.CIRCLE);
            }
        }
        double[] overall = s.overallLossTrend();
        List<Long> x = new ArrayList<>();
        List<Double> y = new ArrayList<>();
        for (int w = 0; w < overall.length; w++) {
            if (Double.isFinite(overall[w])) {
                x.add(ends.get(w));
                y.add(overall[w]);
            }
        }
        if (!x.isEmpty()) {
            var all = chart.addSeries("all rows", x, y);
            all.setMarker(SeriesMarkers.NONE);
            all.setLineColor(Color.BLACK);
            all.setLineWidth(3f);
        }
        return chart;
    }

    private static CategoryChart categoryChart(String title, String xTitle, String yTitle) {
        CategoryChart chart =
                new CategoryChartBuilder()
                        .width(1100)
                        .height(560)
                        .title(title)
                        .xAxisTitle(xTitle)
                        .yAxisTitle(yTitle)
                        .build();
        style(chart.getStyler(), Styler.LegendPosition.InsideNE);
        chart.getStyler().setXAxisLabelRotation(35);
        chart.getStyler().setAvailableSpaceFill(0.8);
        return chart;
    }

    private static XYChart xyChart(String title, String xTitle, String yTitle) {
        XYChart chart =
                new XYChartBuilder()
                        .width(1100)
                        .height(560)
                        .title(title)
                        .xAxisTitle(xTitle)
                        .yAxisTitle(yTitle)
                        .build();
        style(chart.getStyler(), Styler.LegendPosition.OutsideS);
        return chart;
    }

    private static void style(AxesChartStyler st, Styler.LegendPosition legend) {
        st.setChartBackgroundColor(Color.WHITE);
        st.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        st.setLegendPosition(legend);
    }

    private static void row(StringBuilder b, String key, String value) {
        b.append("| ").append(key).append(" | ").append(value).append(" |\n");
    }

    private static String pct(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.1f%%", 100 * v) : "n/a";
    }

    private static String f4(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.4f", v) : "n/a";
    }

    private static String g(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.3g", v) : "n/a";
    }
}
