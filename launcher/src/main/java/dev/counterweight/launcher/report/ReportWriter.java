package dev.counterweight.launcher.report;

import dev.counterweight.connectors.avro.AvroCodec;
import dev.counterweight.connectors.kafka.KafkaPreflight;
import dev.counterweight.connectors.kafka.Topic;
import dev.counterweight.connectors.kafka.TopicReader;
import dev.counterweight.connectors.kafka.Topics;
import dev.counterweight.launcher.report.ReportData.ClassStat;
import dev.counterweight.launcher.report.ReportData.LossWindow;
import dev.counterweight.launcher.report.ReportData.SnapshotMetrics;
import dev.counterweight.launcher.report.ReportData.TableVersion;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecordBase;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a Markdown report with PNG charts about a run: the class distribution before and after
 * weighting, the weight table over its versions, effective sample size and imbalance, the learner's
 * metrics over its snapshots and its per-class loss. {@link #load} reads the output topics into a
 * {@link ReportData}; {@link #write} renders any {@link ReportData} (headless, no Kafka needed).
 */
public final class ReportWriter {

    static {
        // Charts render into images only; never ask for a display.
        System.setProperty("java.awt.headless", "true");
    }

    private static final Logger LOG = LoggerFactory.getLogger(ReportWriter.class);

    /** Name of the Markdown file in the output folder. */
    public static final String REPORT_FILE = "report.md";

    /** Chart size in pixels. */
    public static final int WIDTH = 1000;

    public static final int HEIGHT = 560;

    static final int TOP_DISTRIBUTION = 15;
    static final int TOP_WEIGHTS = 8;
    static final int TOP_LOSS = 8;
    static final int MAX_METRIC_SERIES = 12;

    /** The topics a report reads. */
    public static final List<String> INPUT_TOPICS =
            List.of(
                    Topics.WEIGHTED_SAMPLES.name(),
                    Topics.CLASS_WEIGHTS.name(),
                    Topics.MODEL_SNAPSHOTS.name(),
                    Topics.CLASS_LOSS.name());

    private static final DateTimeFormatter GENERATED_AT =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
                    .withZone(ZoneOffset.UTC);

    private ReportWriter() {}

    /** One chart with its file name and the text around it in the report. */
    record Figure(String file, String heading, String caption, Chart<?, ?> chart) {}

    /**
     * Reads {@link #INPUT_TOPICS} from the beginning to their end offsets as a {@code
     * read_committed} consumer. Records that do not decode are skipped with a warning.
     *
     * @param idleTimeout fail if the cluster does not answer or reading stalls this long
     * @throws IllegalStateException if the cluster is unreachable or a topic is missing
     */
    public static ReportData load(String bootstrapServers, Duration idleTimeout) {
        return load(bootstrapServers, Map.of(), idleTimeout);
    }

    /** {@link #load} with Kafka client pass-through settings (SASL/SSL). */
    public static ReportData load(
            String bootstrapServers, Map<String, String> clientProperties, Duration idleTimeout) {
        Map<String, String> topics = new LinkedHashMap<>();
        INPUT_TOPICS.forEach(t -> topics.put(t, "report input"));
        KafkaPreflight.requireTopics(
                bootstrapServers, "--bootstrap-servers", topics, clientProperties, idleTimeout);
        ReportData.Builder builder = ReportData.builder(bootstrapServers);
        readAll(
                bootstrapServers,
                clientProperties,
                Topics.WEIGHTED_SAMPLES,
                builder::add,
                idleTimeout);
        readAll(
                bootstrapServers,
                clientProperties,
                Topics.CLASS_WEIGHTS,
                builder::add,
                idleTimeout);
        readAll(
                bootstrapServers,
                clientProperties,
                Topics.MODEL_SNAPSHOTS,
                builder::add,
                idleTimeout);
        readAll(bootstrapServers, clientProperties, Topics.CLASS_LOSS, builder::add, idleTimeout);
        return builder.build();
    }

    /** {@link #load} then {@link #write}. */
    public static List<Path> writeFromKafka(
            String bootstrapServers, Path outDir, Duration idleTimeout) throws IOException {
        return write(load(bootstrapServers, idleTimeout), outDir);
    }

    /** {@link #writeFromKafka} with Kafka client pass-through settings (SASL/SSL). */
    public static List<Path> writeFromKafka(
            String bootstrapServers,
            Map<String, String> clientProperties,
            Path outDir,
            Duration idleTimeout)
            throws IOException {
        return write(load(bootstrapServers, clientProperties, idleTimeout), outDir);
    }

    /**
     * Writes {@value #REPORT_FILE} and one PNG per chart that has data into {@code outDir} (created
     * if needed; files of an earlier report are overwritten).
     *
     * @return the files written, the report first
     */
    public static List<Path> write(ReportData data, Path outDir) throws IOException {
        Files.createDirectories(outDir);
        List<Figure> figures = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        classDistribution(data)
                .ifPresentOrElse(figures::add, () -> missing.add(Topics.WEIGHTED_SAMPLES.name()));
        weightsOverVersions(data)
                .ifPresentOrElse(figures::add, () -> missing.add(Topics.CLASS_WEIGHTS.name()));
        essAndImbalance(data).ifPresent(figures::add);
        List<Figure> metrics = learnerMetrics(data);
        if (metrics.isEmpty()) {
            missing.add(Topics.MODEL_SNAPSHOTS.name());
        }
        figures.addAll(metrics);
        classLoss(data).ifPresentOrElse(figures::add, () -> missing.add(Topics.CLASS_LOSS.name()));

        List<Path> written = new ArrayList<>();
        Path report = outDir.resolve(REPORT_FILE);
        written.add(report);
        for (Figure f : figures) {
            Path png = outDir.resolve(f.file());
            try (OutputStream out = Files.newOutputStream(png)) {
                BitmapEncoder.saveBitmap(f.chart(), out, BitmapFormat.PNG);
            }
            written.add(png);
        }
        Files.writeString(report, markdown(data, figures, missing, Instant.now()));
        LOG.info("wrote {} with {} charts", report, figures.size());
        return written;
    }

    // --- Loading ------------------------------------------------------------------------------

    private static <T extends SpecificRecordBase> void readAll(
            String bootstrapServers,
            Map<String, String> clientProperties,
            Topic<T> topic,
            Consumer<T> sink,
            Duration idleTimeout) {
        AvroCodec<T> codec = topic.codec();
        long[] skipped = new long[1];
        long read =
                TopicReader.read(
                        bootstrapServers,
                        clientProperties,
                        topic.name(),
                        TopicReader.Start.beginning(),
                        -1,
                        false,
                        idleTimeout,
                        r -> {
                            if (r.value() == null) {
                                return; // a tombstone on a compacted topic
                            }
                            try {
                                sink.accept(codec.decode(r.value()));
                            } catch (IOException e) {
                                if (skipped[0]++ == 0) {
                                    LOG.warn(
                                            "skipping undecodable record(s) in {}, first at"
                                                    + " partition {} offset {}: {}",
                                            topic,
                                            r.partition(),
                                            r.offset(),
                                            e.getMessage());
                                }
                            }
                        });
        LOG.info("read {} records from {} ({} skipped)", read, topic, skipped[0]);
    }

    // --- Charts -------------------------------------------------------------------------------

    static Optional<Figure> classDistribution(ReportData data) {
        if (data.classes().isEmpty()) {
            return Optional.empty();
        }
        List<ClassStat> top =
                data.classes().subList(0, Math.min(TOP_DISTRIBUTION, data.classes().size()));
        double n = data.samples();
        double w = data.totalWeight();
        List<String> labels = labels(top.stream().map(ClassStat::classKey).toList());
        List<Double> sampleShare = new ArrayList<>();
        List<Double> weightShare = new ArrayList<>();
        for (ClassStat c : top) {
            sampleShare.add(n > 0 ? 100 * c.samples() / n : 0);
            weightShare.add(w > 0 ? 100 * c.totalWeight() / w : 0);
        }
        CategoryChart chart =
                new CategoryChartBuilder()
                        .width(WIDTH)
                        .height(HEIGHT)
                        .title(
                                "Class distribution before and after weighting (top "
                                        + top.size()
                                        + " classes by samples)")
                        .xAxisTitle("class")
                        .yAxisTitle("share of all samples (%)")
                        .build();
        style(chart.getStyler());
        // Slanted labels and a small spacing hint, so XChart labels every class.
        chart.getStyler().setXAxisLabelRotation(45);
        chart.getStyler().setXAxisTickMarkSpacingHint(20);
        chart.getStyler().setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        chart.getStyler().setAvailableSpaceFill(0.8);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setYAxisDecimalPattern("#0.#");
        chart.addSeries("sample count share (before)", labels, sampleShare);
        chart.addSeries("total weight share (after)", labels, weightShare);
        return Optional.of(
                new Figure(
                        "class-distribution.png",
                        "Class distribution before and after weighting",
                        "Share of each class in the number of samples (what the raw stream"
                                + " trains on) next to its share of the total training weight"
                                + " (what the weighted stream trains on). Weighting flattens"
                                + " the head and lifts the tail.",
                        chart));
    }

    static Optional<Figure> weightsOverVersions(ReportData data) {
        if (data.tables().isEmpty()) {
            return Optional.empty();
        }
        List<String> classes = topTableClasses(data, TOP_WEIGHTS);
        XYChart chart =
                xyChart(
                        "Class weights over weight-table versions (top "
                                + classes.size()
                                + " classes)",
                        "weight-table version",
                        "class weight");
        boolean markers = data.tables().size() <= 60;
        for (String c : classes) {
            List<Long> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (TableVersion t : data.tables()) {
                Double weight = t.weights().get(c);
                if (weight != null && Double.isFinite(weight)) {
                    x.add(t.version());
                    y.add(weight);
                }
            }
            addLine(chart, label(c), x, y, markers);
        }
        TableVersion first = data.tables().get(0);
        TableVersion last = data.latestTable().orElseThrow();
        return Optional.of(
                new Figure(
                        "class-weights.png",
                        "Weight table over time",
                        String.format(
                                Locale.ROOT,
                                "Weight of the %d classes with the largest count in the newest"
                                        + " table, per table version (v%d computed at %s to v%d"
                                        + " at %s, event time).",
                                classes.size(),
                                first.version(),
                                first.computedAt(),
                                last.version(),
                                last.computedAt()),
                        chart));
    }

    static Optional<Figure> essAndImbalance(ReportData data) {
        if (data.tables().isEmpty()) {
            return Optional.empty();
        }
        XYChart chart =
                xyChart(
                        "Effective sample size and imbalance over weight-table versions",
                        "weight-table version",
                        "samples (decayed)");
        List<Long> x = data.tables().stream().map(TableVersion::version).toList();
        boolean markers = x.size() <= 60;
        addLine(
                chart,
                "effective sample size",
                x,
                data.tables().stream().map(TableVersion::effectiveSampleSize).toList(),
                markers);
        XYSeries total =
                addLine(
                        chart,
                        "total (decayed) count",
                        x,
                        data.tables().stream().map(TableVersion::totalCount).toList(),
                        markers);
        if (total != null) {
            total.setLineStyle(
                    new BasicStroke(
                            2f,
                            BasicStroke.CAP_BUTT,
                            BasicStroke.JOIN_MITER,
                            10f,
                            new float[] {6f, 4f},
                            0f));
        }
        XYSeries imbalance =
                addLine(
                        chart,
                        "imbalance ratio (right axis)",
                        x,
                        data.tables().stream().map(TableVersion::imbalanceRatio).toList(),
                        markers);
        if (imbalance != null) {
            imbalance.setYAxisGroup(1);
            chart.setYAxisGroupTitle(1, "imbalance ratio (largest / smallest count)");
            chart.getStyler().setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
        }
        return Optional.of(
                new Figure(
                        "ess-imbalance.png",
                        "Effective sample size and imbalance",
                        "Effective sample size (sum n_c w_c)^2 / sum n_c w_c^2 of each table"
                                + " against the decayed total count it was computed from (left"
                                + " axis), and the ratio of the largest to the smallest class"
                                + " count (right axis).",
                        chart));
    }

    /** What the AUC figure's keys measure; the weighted one is not what one would guess. */
    static final String AUC_CAPTION =
            " Each sample is scored by the model before it trains on it, over the learner's"
                    + " last evaluation-window samples. `*.auc` counts every (click, non-click)"
                    + " pair once (for CTCVR: purchase vs no purchase). `*.auc.weighted` weights a"
                    + " pair by the product of two label-free weights: each sample weighs its"
                    + " category's mean class weight over the window, corrected for negative"
                    + " down-sampling, divided by its own sampling rate, the same for a click"
                    + " and a non-click. It is the AUC of a population in which whole categories"
                    + " are re-weighted as the weight table does but keep their click rates. It"
                    + " does not use the training weight: under the default class key"
                    + " CATEGORY_LABEL that weight depends on the sample's own label, so the pairs"
                    + " it compared were chosen by the labels (snapshots written before this"
                    + " change show that metric, which read from far below chance to far above"
                    + " the unweighted AUC on the same window).";

    static List<Figure> learnerMetrics(ReportData data) {
        if (data.snapshots().isEmpty()) {
            return List.of();
        }
        Set<String> models =
                data.snapshots().stream()
                        .map(SnapshotMetrics::modelName)
                        .collect(Collectors.toCollection(TreeSet::new));
        Map<String, List<String>> byKind = new LinkedHashMap<>();
        byKind.put("auc", new ArrayList<>());
        byKind.put("loss", new ArrayList<>());
        byKind.put("other", new ArrayList<>());
        metricKeys(data).forEach(k -> byKind.get(metricKind(k)).add(k));
        List<Figure> figures = new ArrayList<>();
        for (Map.Entry<String, List<String>> kind : byKind.entrySet()) {
            List<String> keys = kind.getValue();
            if (keys.isEmpty()) {
                continue;
            }
            String what =
                    switch (kind.getKey()) {
                        case "auc" -> "AUC";
                        case "loss" -> "loss";
                        default -> "other metrics";
                    };
            XYChart chart =
                    xyChart(
                            "Learner " + what + " over model snapshots",
                            "snapshot version",
                            kind.getKey().equals("other") ? "value" : what);
            List<String> shown = keys.subList(0, Math.min(MAX_METRIC_SERIES, keys.size()));
            for (String model : models) {
                for (String key : shown) {
                    List<Long> x = new ArrayList<>();
                    List<Double> y = new ArrayList<>();
                    for (SnapshotMetrics s : data.snapshots()) {
                        Double v = s.metrics().get(key);
                        if (s.modelName().equals(model) && v != null && Double.isFinite(v)) {
                            x.add(s.version());
                            y.add(v);
                        }
                    }
                    addLine(
                            chart,
                            models.size() > 1 ? model + ": " + key : key,
                            x,
                            y,
                            data.snapshots().size() <= 60);
                }
            }
            if (chart.getSeriesCollection().isEmpty()) {
                continue;
            }
            String omitted =
                    keys.size() > shown.size()
                            ? String.format(
                                    Locale.ROOT,
                                    " %d more keys not drawn: %s.",
                                    keys.size() - shown.size(),
                                    String.join(", ", keys.subList(shown.size(), keys.size())))
                            : "";
            figures.add(
                    new Figure(
                            "learner-" + kind.getKey() + ".png",
                            "Learner " + what,
                            "Progressive-validation "
                                    + what
                                    + " stored with each published snapshot"
                                    + " (ModelSnapshot.metrics)."
                                    + (kind.getKey().equals("auc") ? AUC_CAPTION : "")
                                    + omitted,
                            chart));
        }
        return figures;
    }

    static Optional<Figure> classLoss(ReportData data) {
        if (data.losses().isEmpty()) {
            return Optional.empty();
        }
        Map<String, Long> totals = new HashMap<>();
        for (LossWindow w : data.losses()) {
            w.counts().forEach((k, n) -> totals.merge(k, n, Long::sum));
        }
        List<String> top =
                totals.entrySet().stream()
                        .sorted(
                                Map.Entry.<String, Long>comparingByValue()
                                        .reversed()
                                        .thenComparing(Map.Entry.comparingByKey()))
                        .limit(TOP_LOSS)
                        .map(Map.Entry::getKey)
                        .toList();
        XYChart chart =
                xyChart(
                        "Per-class mean loss over time (top " + top.size() + " classes)",
                        "window end (event time, UTC)",
                        "mean log loss");
        Instant first = data.losses().get(0).windowEnd();
        Instant last = data.losses().get(data.losses().size() - 1).windowEnd();
        chart.getStyler()
                .setDatePattern(
                        Duration.between(first, last).compareTo(Duration.ofDays(1)) < 0
                                ? "HH:mm:ss"
                                : "MM-dd HH:mm");
        boolean markers = data.losses().size() <= 60;
        for (String c : top) {
            List<Date> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (LossWindow w : data.losses()) {
                Double v = w.meanLoss().get(c);
                if (v != null && Double.isFinite(v)) {
                    x.add(Date.from(w.windowEnd()));
                    y.add(v);
                }
            }
            addLine(chart, label(c), x, y, markers);
        }
        XYSeries overall =
                addLine(
                        chart,
                        "all classes",
                        data.losses().stream().map(w -> Date.from(w.windowEnd())).toList(),
                        data.losses().stream().map(LossWindow::overallMeanLoss).toList(),
                        markers);
        if (overall != null) {
            overall.setLineColor(Color.BLACK);
            overall.setMarkerColor(Color.BLACK);
            overall.setLineWidth(3f);
        }
        return Optional.of(
                new Figure(
                        "class-loss.png",
                        "Per-class loss over time",
                        "Mean unweighted log loss of the learner per class over its recent"
                                + " windows (topic class-loss), for the classes with the most"
                                + " samples, and over all classes (black).",
                        chart));
    }

    // --- Markdown -----------------------------------------------------------------------------

    static String markdown(
            ReportData data, List<Figure> figures, List<String> missing, Instant generatedAt) {
        StringBuilder md = new StringBuilder();
        md.append("# Counterweight report\n\n");
        md.append(
                String.format(
                        Locale.ROOT,
                        "Generated %s from `%s` (read_committed, up to the end offsets at the"
                                + " start).%n%n",
                        GENERATED_AT.format(generatedAt),
                        data.source()));
        md.append("## Summary\n\n| | |\n|---|---|\n");
        row(
                md,
                "weighted samples",
                String.format(
                        Locale.ROOT,
                        "%,d (%,d delayed-feedback corrections)",
                        data.samples(),
                        data.corrections()));
        row(md, "classes", String.format(Locale.ROOT, "%,d", data.classes().size()));
        if (data.tables().isEmpty()) {
            row(md, "weight-table versions", "0");
        } else {
            TableVersion last = data.latestTable().orElseThrow();
            row(
                    md,
                    "weight-table versions",
                    String.format(
                            Locale.ROOT,
                            "%,d (v%d to v%d), strategy %s",
                            data.tables().size(),
                            data.tables().get(0).version(),
                            last.version(),
                            last.strategy()));
        }
        row(md, "model snapshots published", snapshotSummary(data.snapshots()));
        row(
                md,
                "final effective sample size",
                data.latestTable()
                        .map(
                                t ->
                                        String.format(
                                                Locale.ROOT,
                                                "%,.1f of %,.1f decayed samples (%.1f%%),"
                                                        + " imbalance ratio %,.1f (table v%d)",
                                                t.effectiveSampleSize(),
                                                t.totalCount(),
                                                t.totalCount() > 0
                                                        ? 100
                                                                * t.effectiveSampleSize()
                                                                / t.totalCount()
                                                        : 0,
                                                t.imbalanceRatio(),
                                                t.version()))
                        .orElse("-"));
        row(md, "class-loss windows", String.format(Locale.ROOT, "%,d", data.losses().size()));
        md.append('\n');
        if (!missing.isEmpty()) {
            md.append("No records yet in: ")
                    .append(
                            missing.stream()
                                    .map(t -> "`" + t + "`")
                                    .collect(Collectors.joining(", ")))
                    .append(". Their charts are left out.\n\n");
        }
        for (Figure f : figures) {
            md.append("## ").append(f.heading()).append("\n\n");
            md.append("![").append(f.heading()).append("](").append(f.file()).append(")\n\n");
            md.append(f.caption()).append("\n\n");
        }
        if (!data.classes().isEmpty()) {
            appendClassTable(md, data);
        }
        md.append("## Notes\n\n");
        md.append(
                "`class-weights` and `model-snapshots` are compacted topics: once the broker has"
                        + " compacted them, only the newest record per key is left, so older"
                        + " versions may be missing from the charts.\n");
        return md.toString();
    }

    private static void appendClassTable(StringBuilder md, ReportData data) {
        List<ClassStat> top =
                data.classes().subList(0, Math.min(TOP_DISTRIBUTION, data.classes().size()));
        Map<String, Double> latest = data.latestTable().map(TableVersion::weights).orElse(Map.of());
        double n = data.samples();
        double w = data.totalWeight();
        md.append("## Largest classes\n\n");
        md.append("| class | samples | sample share | weight share | newest table weight |\n");
        md.append("|---|---:|---:|---:|---:|\n");
        for (ClassStat c : top) {
            Double weight = latest.get(c.classKey());
            md.append(
                    String.format(
                            Locale.ROOT,
                            "| `%s` | %,d | %.2f%% | %.2f%% | %s |%n",
                            c.classKey().replace("|", "\\|"),
                            c.samples(),
                            n > 0 ? 100 * c.samples() / n : 0,
                            w > 0 ? 100 * c.totalWeight() / w : 0,
                            weight == null ? "-" : String.format(Locale.ROOT, "%.3f", weight)));
        }
        md.append('\n');
    }

    private static String snapshotSummary(List<SnapshotMetrics> snapshots) {
        if (snapshots.isEmpty()) {
            return "0";
        }
        List<String> versions = snapshots.stream().map(s -> "v" + s.version()).toList();
        String list =
                versions.size() <= 12
                        ? String.join(", ", versions)
                        : String.join(", ", versions.subList(0, 5))
                                + ", ..., "
                                + String.join(
                                        ", ",
                                        versions.subList(versions.size() - 5, versions.size()));
        Set<String> models = new TreeSet<>();
        snapshots.forEach(s -> models.add(s.modelName()));
        return String.format(
                Locale.ROOT,
                "%,d: %s (model %s)",
                snapshots.size(),
                list,
                String.join(", ", models));
    }

    private static void row(StringBuilder md, String name, String value) {
        md.append("| ").append(name).append(" | ").append(value).append(" |\n");
    }

    // --- Helpers ------------------------------------------------------------------------------

    /** Metric keys in drawing order: per-task keys ({@code ctr.auc}) first, then the rest. */
    static List<String> metricKeys(ReportData data) {
        Set<String> keys = new TreeSet<>();
        for (SnapshotMetrics s : data.snapshots()) {
            s.metrics().forEach((k, v) -> keys.add(k));
        }
        List<String> out = new ArrayList<>(keys);
        out.sort(
                Comparator.comparingInt(
                                (String k) ->
                                        k.chars().filter(ch -> ch == '.').count() <= 1 ? 0 : 1)
                        .thenComparing(Comparator.naturalOrder()));
        return out;
    }

    /** {@code auc}, {@code loss} or {@code other}, from the key's name. */
    static String metricKind(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        if (k.contains("auc")) {
            return "auc";
        }
        if (k.contains("loss")) {
            return "loss";
        }
        return "other";
    }

    /** Classes of the newest table with the largest count. */
    private static List<String> topTableClasses(ReportData data, int n) {
        TableVersion last = data.latestTable().orElseThrow();
        return last.counts().entrySet().stream()
                .sorted(
                        Map.Entry.<String, Double>comparingByValue()
                                .reversed()
                                .thenComparing(Map.Entry.comparingByKey()))
                .limit(n)
                .map(Map.Entry::getKey)
                .toList();
    }

    private static XYChart xyChart(String title, String xTitle, String yTitle) {
        XYChart chart =
                new XYChartBuilder()
                        .width(WIDTH)
                        .height(HEIGHT)
                        .title(title)
                        .xAxisTitle(xTitle)
                        .yAxisTitle(yTitle)
                        .build();
        style(chart.getStyler());
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setMarkerSize(5);
        return chart;
    }

    private static void style(AxesChartStyler styler) {
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setPlotBackgroundColor(Color.WHITE);
        styler.setPlotGridLinesColor(new Color(225, 225, 225));
        styler.setLegendBorderColor(new Color(200, 200, 200));
        styler.setPlotBorderVisible(false);
        styler.setAntiAlias(true);
    }

    /** Adds a line series, or nothing (returning null) when it has no points. */
    private static XYSeries addLine(
            XYChart chart, String name, List<?> x, List<? extends Number> y, boolean markers) {
        if (x.isEmpty()) {
            return null;
        }
        String unique = name;
        for (int i = 2; chart.getSeries(unique) != null; i++) {
            unique = name + " (" + i + ")";
        }
        XYSeries series = chart.addSeries(unique, x, y);
        if (!markers) {
            series.setMarker(SeriesMarkers.NONE);
        }
        return series;
    }

    /** Short, distinct axis labels for class keys. */
    static List<String> labels(List<String> keys) {
        List<String> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String k : keys) {
            String l = label(k);
            for (int i = 2; !seen.add(l); i++) {
                l = label(k) + " #" + i;
            }
            out.add(l);
        }
        return out;
    }

    /** A class key cut to at most 28 characters, keeping both ends. */
    static String label(String key) {
        return key.length() <= 28
                ? key
                : key.substring(0, 13) + "…" + key.substring(key.length() - 14);
    }
}
