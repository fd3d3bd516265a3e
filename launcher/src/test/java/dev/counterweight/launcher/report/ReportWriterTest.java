package dev.counterweight.launcher.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.counterweight.avro.ClassLoss;
import dev.counterweight.avro.ClassLossEntry;
import dev.counterweight.avro.ClassWeight;
import dev.counterweight.avro.ClassWeights;
import dev.counterweight.avro.ModelSnapshot;
import dev.counterweight.avro.Sample;
import dev.counterweight.launcher.report.ReportData.ClassStat;
import dev.counterweight.launcher.report.ReportData.LossWindow;
import dev.counterweight.launcher.report.ReportData.SnapshotMetrics;
import dev.counterweight.launcher.report.ReportData.TableVersion;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportWriterTest {

    private static final Instant T0 = Instant.parse("2017-11-26T01:00:00Z");

    @TempDir Path dir;

    @Test
    void writesTheReportAndEveryChartAsReadablePngs() throws Exception {
        List<Path> files = ReportWriter.write(skewedRun(), dir);

        assertThat(files.get(0)).isEqualTo(dir.resolve("report.md"));
        assertThat(files.stream().map(f -> f.getFileName().toString()))
                .containsExactly(
                        "report.md",
                        "class-distribution.png",
                        "class-weights.png",
                        "ess-imbalance.png",
                        "learner-auc.png",
                        "learner-loss.png",
                        "learner-other.png",
                        "class-loss.png");
        for (Path png : files.subList(1, files.size())) {
            assertThat(Files.size(png)).as(png.toString()).isGreaterThan(10_000);
            BufferedImage image = ImageIO.read(png.toFile());
            assertThat(image).as(png.toString()).isNotNull();
            assertThat(image.getWidth()).isEqualTo(ReportWriter.WIDTH);
            assertThat(image.getHeight()).isEqualTo(ReportWriter.HEIGHT);
        }
    }

    @Test
    void markdownSummarisesTheRunAndLinksEveryChart() throws Exception {
        ReportData run = skewedRun();
        List<Path> files = ReportWriter.write(run, dir);

        String md = Files.readString(dir.resolve("report.md"));
        assertThat(run.samples()).isGreaterThan(10_000);
        assertThat(md)
                .contains(
                        String.format(
                                Locale.ROOT,
                                "| weighted samples | %,d (40 delayed-feedback corrections) |",
                                run.samples()))
                .contains("| classes | 24 |")
                .contains("| weight-table versions | 20 (v1 to v20), strategy SQRT_INVERSE |")
                .contains(
                        "| model snapshots published | 6: v1, v2, v3, v4, v5, v6 (model ranker) |")
                .contains(
                        "| final effective sample size | 6,000.0 of 10,000.0 decayed samples (60.0%)")
                .contains("`cat=0\\|y=none`");
        for (Path png : files.subList(1, files.size())) {
            assertThat(md).contains("](" + png.getFileName() + ")");
        }
    }

    @Test
    void leavesOutChartsOfEmptyTopics() throws Exception {
        ReportData empty = ReportData.builder("nowhere").build();

        List<Path> files = ReportWriter.write(empty, dir);

        assertThat(files).containsExactly(dir.resolve("report.md"));
        assertThat(Files.readString(files.get(0)))
                .contains("| weighted samples | 0 (0 delayed-feedback corrections) |")
                .contains(
                        "No records yet in: `weighted-samples`, `class-weights`,"
                                + " `model-snapshots`, `class-loss`.");
    }

    @Test
    void sortsMetricKeysPerTaskFirstAndByKind() {
        ReportData data =
                data(
                        List.of(),
                        List.of(),
                        List.of(
                                new SnapshotMetrics(
                                        "m",
                                        1,
                                        T0,
                                        10,
                                        Map.of(
                                                "class.cat=1.auc", 0.5,
                                                "ctr.auc", 0.7,
                                                "ctr.logloss", 0.3,
                                                "ctr.calibration", 1.1))),
                        List.of());

        assertThat(ReportWriter.metricKeys(data))
                .containsExactly("ctr.auc", "ctr.calibration", "ctr.logloss", "class.cat=1.auc");
        assertThat(ReportWriter.metricKind("ctcvr.AUC")).isEqualTo("auc");
        assertThat(ReportWriter.metricKind("ctr.logloss")).isEqualTo("loss");
        assertThat(ReportWriter.metricKind("ctr.calibration")).isEqualTo("other");
    }

    @Test
    void labelsKeepBothEndsOfLongClassKeys() {
        assertThat(ReportWriter.label("cat=42|y=click")).isEqualTo("cat=42|y=click");
        assertThat(ReportWriter.label("cat=1234567890123|pop=head|y=purchase"))
                .isEqualTo("cat=123456789…ead|y=purchase")
                .hasSize(28);
    }

    @Test
    void builderMergesTheRecordsOfATablePublishedInParts() {
        ReportData.Builder builder = ReportData.builder("test");
        builder.add(table(1, Map.of("cat=1", 9.0)));
        ClassWeights part0 = table(2, Map.of("cat=1", 0.5, "cat=2", 1.5));
        part0.setParts(2);
        ClassWeights part1 = table(2, Map.of("cat=3", 2.5));
        part1.setPart(1);
        part1.setParts(2);
        builder.add(part0).add(part1);

        ReportData data = builder.build();

        assertThat(data.tables()).hasSize(2);
        assertThat(data.latestTable().orElseThrow().weights())
                .containsOnly(
                        Map.entry("cat=1", 0.5), Map.entry("cat=2", 1.5), Map.entry("cat=3", 2.5));
    }

    @Test
    void builderFoldsTopicRecords() {
        ReportData.Builder builder = ReportData.builder("test");
        builder.add(sample("cat=1|y=none", 0.5, false));
        builder.add(sample("cat=1|y=none", 0.5, false));
        builder.add(sample("cat=2|y=click", 3.0, true));
        builder.add(table(2, Map.of("cat=1|y=none", 0.5)));
        builder.add(table(1, Map.of("cat=1|y=none", 1.0)));
        builder.add(table(2, Map.of("cat=1|y=none", 0.6))); // replayed version replaces
        builder.add(snapshot(1, Map.of("ctr.auc", 0.6)));
        builder.add(
                ClassLoss.newBuilder()
                        .setModelVersion(1)
                        .setWindowEnd(T0)
                        .setSamples(3)
                        .setOverallMeanLoss(0.4)
                        .setClasses(
                                List.of(
                                        ClassLossEntry.newBuilder()
                                                .setClassKey("cat=1|y=none")
                                                .setMeanLoss(0.2)
                                                .setCount(2)
                                                .build()))
                        .build());

        ReportData data = builder.build();

        assertThat(data.samples()).isEqualTo(3);
        assertThat(data.corrections()).isOne();
        assertThat(data.classes())
                .containsExactly(
                        new ClassStat("cat=1|y=none", 2, 1.0),
                        new ClassStat("cat=2|y=click", 1, 3.0));
        assertThat(data.tables()).extracting(TableVersion::version).containsExactly(1L, 2L);
        assertThat(data.latestTable().orElseThrow().weights()).containsEntry("cat=1|y=none", 0.6);
        assertThat(data.snapshots())
                .singleElement()
                .extracting(SnapshotMetrics::metrics)
                .isEqualTo(Map.of("ctr.auc", 0.6));
        assertThat(data.losses().get(0).meanLoss()).containsEntry("cat=1|y=none", 0.2);
    }

    // --- Fixtures -----------------------------------------------------------------------------

    /** 24 Zipf-skewed classes, 20 table versions, 6 snapshots, 30 loss windows. */
    private static ReportData skewedRun() {
        List<ClassStat> classes = new ArrayList<>();
        long total = 0;
        for (int c = 0; c < 24; c++) {
            long n = Math.round(5_000 / Math.pow(c + 1, 1.1));
            String key = "cat=" + c + "|y=" + (c % 3 == 0 ? "none" : c % 3 == 1 ? "click" : "buy");
            classes.add(new ClassStat(key, n, n * Math.sqrt(5_000.0 / n) / 3));
            total += n;
        }
        List<TableVersion> tables = new ArrayList<>();
        for (int v = 1; v <= 20; v++) {
            Map<String, Double> counts = new HashMap<>();
            Map<String, Double> weights = new HashMap<>();
            for (ClassStat c : classes) {
                double n = c.samples() * v / 20.0;
                counts.put(c.classKey(), n);
                weights.put(c.classKey(), Math.sqrt(5_000.0 / Math.max(1, c.samples())) / 3);
            }
            tables.add(
                    new TableVersion(
                            v,
                            T0.plusSeconds(60L * v),
                            "SQRT_INVERSE",
                            500.0 * v,
                            300.0 * v,
                            40 + v,
                            counts,
                            weights));
        }
        List<SnapshotMetrics> snapshots = new ArrayList<>();
        for (int v = 1; v <= 6; v++) {
            snapshots.add(
                    new SnapshotMetrics(
                            "ranker",
                            v,
                            T0.plusSeconds(300L * v),
                            1_000L * v,
                            Map.of(
                                    "ctr.auc", 0.6 + 0.02 * v,
                                    "ctcvr.auc", 0.55 + 0.03 * v,
                                    "ctr.logloss", 0.5 - 0.02 * v,
                                    "ctcvr.logloss", 0.1 - 0.005 * v,
                                    "ctr.calibration", 1.2 - 0.03 * v)));
        }
        List<LossWindow> losses = new ArrayList<>();
        for (int w = 0; w < 30; w++) {
            Map<String, Double> loss = new HashMap<>();
            Map<String, Long> counts = new HashMap<>();
            for (int c = 0; c < 10; c++) {
                loss.put(classes.get(c).classKey(), 0.2 + 0.05 * c - 0.003 * w);
                counts.put(classes.get(c).classKey(), classes.get(c).samples() / 30);
            }
            losses.add(new LossWindow(1 + w / 5, T0.plusSeconds(120L * w), 400, 0.3, loss, counts));
        }
        return new ReportData("test", total, 40, classes, tables, snapshots, losses);
    }

    private static ReportData data(
            List<ClassStat> classes,
            List<TableVersion> tables,
            List<SnapshotMetrics> snapshots,
            List<LossWindow> losses) {
        return new ReportData("test", 0, 0, classes, tables, snapshots, losses);
    }

    private static Sample sample(String classKey, double weight, boolean correction) {
        return Sample.newBuilder()
                .setSampleId(classKey + weight + correction)
                .setUserId("u")
                .setItemId("i")
                .setCategoryId("c")
                .setExposureTime(T0)
                .setClosedAt(T0)
                .setClick(false)
                .setConversion(correction)
                .setClassKey(classKey)
                .setFeatures(List.of())
                .setWeight(weight)
                .setCorrection(correction)
                .build();
    }

    private static ClassWeights table(long version, Map<String, Double> weights) {
        List<ClassWeight> entries = new ArrayList<>();
        weights.forEach(
                (k, w) ->
                        entries.add(
                                ClassWeight.newBuilder()
                                        .setClassKey(k)
                                        .setCount(10)
                                        .setWeight(w)
                                        .build()));
        return ClassWeights.newBuilder()
                .setVersion(version)
                .setStrategy("SQRT_INVERSE")
                .setComputedAt(T0.plusSeconds(version))
                .setHalfLifeMillis(Long.MAX_VALUE)
                .setTotalCount(10)
                .setEffectiveSampleSize(8)
                .setImbalanceRatio(1)
                .setFallbackWeight(1)
                .setClasses(entries)
                .build();
    }

    private static ModelSnapshot snapshot(long version, Map<String, Double> metrics) {
        return ModelSnapshot.newBuilder()
                .setModelName("ranker")
                .setVersion(version)
                .setUri("file:/tmp/m" + version)
                .setSha256("00")
                .setCreatedAt(T0)
                .setSamplesTrained(100)
                .setConsumerOffsets(List.of())
                .setMetrics(metrics)
                .setFeatureSchemaFingerprint("f")
                .build();
    }
}
