package dev.counterweight.launcher.report;

import dev.counterweight.avro.ClassLoss;
import dev.counterweight.avro.ClassLossEntry;
import dev.counterweight.avro.ClassWeight;
import dev.counterweight.avro.ClassWeights;
import dev.counterweight.avro.ModelSnapshot;
import dev.counterweight.avro.Sample;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a report shows, read from the output topics: per-class sample counts and weights, the
 * weight-table versions, the learner's snapshots and its per-class losses. Plain immutable data;
 * {@link Builder} folds Avro records into it one at a time, so a large topic is never held in
 * memory.
 *
 * @param source where the data came from, e.g. the bootstrap servers
 * @param samples weighted samples read
 * @param corrections of which delayed-feedback corrections
 * @param classes per class, most samples first (ties by key)
 * @param tables weight-table versions, oldest first (one per version)
 * @param snapshots model snapshots, oldest first (one per model name and version)
 * @param losses class-loss windows, in window-end order
 */
public record ReportData(
        String source,
        long samples,
        long corrections,
        List<ClassStat> classes,
        List<TableVersion> tables,
        List<SnapshotMetrics> snapshots,
        List<LossWindow> losses) {

    public ReportData {
        Objects.requireNonNull(source, "source must not be null");
        classes = List.copyOf(classes);
        tables = List.copyOf(tables);
        snapshots = List.copyOf(snapshots);
        losses = List.copyOf(losses);
    }

    /**
     * Samples of one class in {@code weighted-samples}.
     *
     * @param samples number of samples
     * @param totalWeight sum of their training weights
     */
    public record ClassStat(String classKey, long samples, double totalWeight) {}

    /**
     * One version of the class-weight table.
     *
     * @param counts decayed count per class
     * @param weights weight per class
     */
    public record TableVersion(
            long version,
            Instant computedAt,
            String strategy,
            double totalCount,
            double effectiveSampleSize,
            double imbalanceRatio,
            Map<String, Double> counts,
            Map<String, Double> weights) {
        public TableVersion {
            counts = Map.copyOf(counts);
            weights = Map.copyOf(weights);
        }
    }

    /**
     * One published model snapshot.
     *
     * @param metrics progressive-validation metrics, e.g. {@code ctr.auc}
     */
    public record SnapshotMetrics(
            String modelName,
            long version,
            Instant createdAt,
            long samplesTrained,
            Map<String, Double> metrics) {
        public SnapshotMetrics {
            metrics = Map.copyOf(metrics);
        }
    }

    /**
     * One window of per-class learner loss.
     *
     * @param meanLoss mean log loss per class
     * @param counts samples per class in the window
     */
    public record LossWindow(
            long modelVersion,
            Instant windowEnd,
            long samples,
            double overallMeanLoss,
            Map<String, Double> meanLoss,
            Map<String, Long> counts) {
        public LossWindow {
            meanLoss = Map.copyOf(meanLoss);
            counts = Map.copyOf(counts);
        }
    }

    /** Sum of all samples' training weights. */
    public double totalWeight() {
        return classes.stream().mapToDouble(ClassStat::totalWeight).sum();
    }

    /** The newest weight-table version, if any. */
    public Optional<TableVersion> latestTable() {
        return tables.isEmpty() ? Optional.empty() : Optional.of(tables.get(tables.size() - 1));
    }

    /** A builder that folds topic records into a report. */
    public static Builder builder(String source) {
        return new Builder(source);
    }

    /** Folds records in; not thread-safe. */
    public static final class Builder {
        private final String source;
        private long samples;
        private long corrections;
        private final Map<String, long[]> classCounts = new HashMap<>();
        private final Map<String, double[]> classWeights = new HashMap<>();
        private final Map<Long, TableVersion> tables = new TreeMap<>();
        private final Map<String, SnapshotMetrics> snapshots = new LinkedHashMap<>();
        private final List<LossWindow> losses = new ArrayList<>();

        private Builder(String source) {
            this.source = source;
        }

        public Builder add(Sample s) {
            samples++;
            if (s.getCorrection()) {
                corrections++;
            }
            String key = s.getClassKey();
            classCounts.computeIfAbsent(key, k -> new long[1])[0]++;
            classWeights.computeIfAbsent(key, k -> new double[1])[0] += s.getWeight();
            return this;
        }

        /**
         * Adds a table version, or one part of a version published in several records (their
         * classes are merged); a version seen again (a replayed compacted topic) replaces it.
         */
        public Builder add(ClassWeights w) {
            Map<String, Double> counts = new HashMap<>();
            Map<String, Double> weights = new HashMap<>();
            TableVersion earlier = tables.get(w.getVersion());
            if (w.getParts() > 1 && w.getPart() > 0 && earlier != null) {
                counts.putAll(earlier.counts());
                weights.putAll(earlier.weights());
            }
            for (ClassWeight c : w.getClasses()) {
                counts.put(c.getClassKey(), c.getCount());
                weights.put(c.getClassKey(), c.getWeight());
            }
            tables.put(
                    w.getVersion(),
                    new TableVersion(
                            w.getVersion(),
                            w.getComputedAt(),
                            w.getStrategy(),
                            w.getTotalCount(),
                            w.getEffectiveSampleSize(),
                            w.getImbalanceRatio(),
                            counts,
                            weights));
            return this;
        }

        public Builder add(ModelSnapshot m) {
            Map<String, Double> metrics = new HashMap<>();
            m.getMetrics().forEach((k, v) -> metrics.put(k.toString(), v));
            snapshots.put(
                    m.getModelName() + "\u0000" + m.getVersion(),
                    new SnapshotMetrics(
                            m.getModelName(),
                            m.getVersion(),
                            m.getCreatedAt(),
                            m.getSamplesTrained(),
                            metrics));
            return this;
        }

        public Builder add(ClassLoss l) {
            Map<String, Double> loss = new HashMap<>();
            Map<String, Long> counts = new HashMap<>();
            for (ClassLossEntry e : l.getClasses()) {
                loss.put(e.getClassKey(), e.getMeanLoss());
                counts.put(e.getClassKey(), e.getCount());
            }
            losses.add(
                    new LossWindow(
                            l.getModelVersion(),
                            l.getWindowEnd(),
                            l.getSamples(),
                            l.getOverallMeanLoss(),
                            loss,
                            counts));
            return this;
        }

        public ReportData build() {
            List<ClassStat> classes = new ArrayList<>();
            classCounts.forEach(
                    (k, n) -> classes.add(new ClassStat(k, n[0], classWeights.get(k)[0])));
            classes.sort(
                    Comparator.comparingLong(ClassStat::samples)
                            .reversed()
                            .thenComparing(ClassStat::classKey));
            List<SnapshotMetrics> snaps = new ArrayList<>(snapshots.values());
            snaps.sort(
                    Comparator.comparingLong(SnapshotMetrics::version)
                            .thenComparing(SnapshotMetrics::modelName));
            List<LossWindow> windows = new ArrayList<>(losses);
            windows.sort(
                    Comparator.comparing(LossWindow::windowEnd)
                            .thenComparingLong(LossWindow::modelVersion));
            return new ReportData(
                    source,
                    samples,
                    corrections,
                    classes,
                    new ArrayList<>(tables.values()),
                    snaps,
                    windows);
        }
    }
}
