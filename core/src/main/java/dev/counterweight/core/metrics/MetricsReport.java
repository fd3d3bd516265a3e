package dev.counterweight.core.metrics;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/**
 * An immutable snapshot of overall and per-class metrics, produced by {@link
 * ClassBalancedEvaluator#report()}, with macro averages and a tail-class macro AUC derived from the
 * per-class rows.
 *
 * @param overall metrics over the overall window
 * @param perClass metrics over each class's own window, sorted by class key
 * @param recentCounts each class's number of observations in the overall window (its share of
 *     recent traffic, the frequency used by {@link #tailMacroAuc}); classes absent from this map
 *     count 0
 */
public record MetricsReport(
        BinaryMetrics overall,
        SortedMap<String, BinaryMetrics> perClass,
        SortedMap<String, Long> recentCounts) {

    /**
     * Metrics of one window.
     *
     * @param count observations in the window
     * @param positives positives in the window
     * @param aucUnweighted ROC AUC, NaN unless both labels are present
     * @param aucWeighted pair-weighted ROC AUC, NaN unless both labels carry weight
     * @param logLossUnweighted mean log loss
     * @param logLossWeighted weighted mean log loss
     * @param eceUnweighted expected calibration error
     * @param eceWeighted weighted expected calibration error
     * @param logLossStandardErrorWeighted standard error of the weighted mean log loss
     * @param meanLabelWeighted weighted fraction of positives (the weighted base rate)
     * @param calibrationRatioWeighted weighted mean score over weighted mean label
     * @param calibrationLogRatioStandardError standard error of the log of that ratio
     */
    public record BinaryMetrics(
            long count,
            long positives,
            double aucUnweighted,
            double aucWeighted,
            double logLossUnweighted,
            double logLossWeighted,
            double eceUnweighted,
            double eceWeighted,
            double logLossStandardErrorWeighted,
            double meanLabelWeighted,
            double calibrationRatioWeighted,
            double calibrationLogRatioStandardError) {

        /**
         * Validates the counts.
         *
         * @throws IllegalArgumentException unless {@code 0 <= positives <= count}
         */
        public BinaryMetrics {
            if (count < 0 || positives < 0 || positives > count) {
                throw new IllegalArgumentException(
                        "positives must be in [0, count], was "
                                + positives
                                + " with count "
                                + count);
            }
        }

        /**
         * Computes every metric of a window.
         *
         * @param window the window
         * @param eceBins the number of calibration bins
         * @return the metrics
         */
        public static BinaryMetrics of(WindowedBinaryMetrics window, int eceBins) {
            return new BinaryMetrics(
                    window.count(),
                    window.positives(),
                    window.auc(false),
                    window.auc(true),
                    window.logLoss(false),
                    window.logLoss(true),
                    window.calibrationError(eceBins, false),
                    window.calibrationError(eceBins, true),
                    window.logLossStandardError(true),
                    window.meanLabel(true),
                    window.calibrationRatio(true),
                    window.calibrationLogRatioStandardError(true));
        }

        /** Returns the unweighted or weighted AUC. */
        public double auc(boolean weighted) {
            return weighted ? aucWeighted : aucUnweighted;
        }

        /** Returns the unweighted or weighted log loss. */
        public double logLoss(boolean weighted) {
            return weighted ? logLossWeighted : logLossUnweighted;
        }

        /** Returns the unweighted or weighted ECE. */
        public double ece(boolean weighted) {
            return weighted ? eceWeighted : eceUnweighted;
        }
    }

    /**
     * Validates and defensively copies the maps.
     *
     * @throws NullPointerException if an argument is null
     */
    public MetricsReport {
        Objects.requireNonNull(overall, "overall must not be null");
        perClass =
                Collections.unmodifiableSortedMap(
                        new TreeMap<>(Objects.requireNonNull(perClass, "perClass")));
        recentCounts =
                Collections.unmodifiableSortedMap(
                        new TreeMap<>(Objects.requireNonNull(recentCounts, "recentCounts")));
    }

    /**
     * Returns the mean per-class AUC over classes where it is defined (both labels present).
     *
     * @param weighted whether to average the weighted AUCs
     * @return the macro AUC, NaN if no class has a defined AUC
     */
    public double macroAuc(boolean weighted) {
        return macro(perClass.values(), m -> m.auc(weighted));
    }

    /**
     * Returns the mean per-class log loss over classes where it is defined.
     *
     * @param weighted whether to average the weighted log losses
     * @return the macro log loss, NaN if no class has one
     */
    public double macroLogLoss(boolean weighted) {
        return macro(perClass.values(), m -> m.logLoss(weighted));
    }

    /**
     * Returns the mean per-class ECE over classes where it is defined.
     *
     * @param weighted whether to average the weighted ECEs
     * @return the macro ECE, NaN if no class has one
     */
    public double macroEce(boolean weighted) {
        return macro(perClass.values(), m -> m.ece(weighted));
    }

    /**
     * Returns the unweighted {@link #tailMacroAuc(double, boolean)}.
     *
     * @param fraction the tail fraction, in (0, 1]
     */
    public double tailMacroAuc(double fraction) {
        return tailMacroAuc(fraction, false);
    }

    /**
     * Returns the macro AUC over the least frequent classes.
     *
     * <p>Candidates are the classes with a defined AUC (so the tail is not drowned in classes that
     * have seen only one label); they are ordered by {@link #recentCounts()} ascending, ties broken
     * by class key, and the first {@code ceil(fraction · candidates)} (at least one) are averaged.
     *
     * @param fraction the tail fraction, in (0, 1]
     * @param weighted whether to average the weighted AUCs
     * @return the tail macro AUC, NaN if no class has a defined AUC
     * @throws IllegalArgumentException if {@code fraction} is outside (0, 1]
     */
    public double tailMacroAuc(double fraction, boolean weighted) {
        if (!(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException("fraction must be in (0, 1], was " + fraction);
        }
        List<Map.Entry<String, BinaryMetrics>> candidates = new ArrayList<>();
        for (Map.Entry<String, BinaryMetrics> e : perClass.entrySet()) {
            if (!Double.isNaN(e.getValue().auc(weighted))) {
                candidates.add(e);
            }
        }
        if (candidates.isEmpty()) {
            return Double.NaN;
        }
        candidates.sort(
                Comparator.<Map.Entry<String, BinaryMetrics>>comparingLong(
                                e -> recentCounts.getOrDefault(e.getKey(), 0L))
                        .thenComparing(Map.Entry::getKey));
        // The small slack keeps e.g. 0.1 · 30 = 3.0000000000000004 from rounding up to 4.
        int take = (int) Math.ceil(fraction * candidates.size() - 1e-9);
        take = Math.max(1, Math.min(candidates.size(), take));
        List<BinaryMetrics> tail = new ArrayList<>();
        for (Map.Entry<String, BinaryMetrics> e : candidates.subList(0, take)) {
            tail.add(e.getValue());
        }
        return macro(tail, m -> m.auc(weighted));
    }

    private static double macro(
            Iterable<BinaryMetrics> metrics, ToDoubleFunction<BinaryMetrics> metric) {
        double sum = 0;
        int defined = 0;
        for (BinaryMetrics m : metrics) {
            double v = metric.applyAsDouble(m);
            if (!Double.isNaN(v)) {
                sum += v;
                defined++;
            }
        }
        return defined == 0 ? Double.NaN : sum / defined;
    }
}
