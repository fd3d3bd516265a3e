package dev.counterweight.core.metrics;

import dev.counterweight.core.metrics.MetricsReport.BinaryMetrics;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Evaluates a scorer overall and per class, so that rare classes are not hidden behind the
 * majority.
 *
 * <p>Every observation feeds the overall window and its class's own window (both of {@code
 * windowCapacity}). A rare class's window therefore keeps its last observations long after they
 * have left the overall window. The evaluator also tracks how many of the overall window's
 * observations belong to each class, which {@link MetricsReport#tailMacroAuc} uses as the class
 * frequency. Mutable and not thread-safe.
 */
public final class ClassBalancedEvaluator {

    /** The number of calibration bins used by {@link #ClassBalancedEvaluator(int)}. */
    public static final int DEFAULT_ECE_BINS = 10;

    private final int windowCapacity;
    private final int eceBins;
    private final WindowedBinaryMetrics overall;
    private final Map<String, WindowedBinaryMetrics> perClass = new HashMap<>();
    // Class keys of the overall window in arrival order, to keep recentCounts in step with it.
    private final ArrayDeque<String> recentClasses = new ArrayDeque<>();
    private final Map<String, Long> recentCounts = new HashMap<>();

    /**
     * Creates an evaluator with {@link #DEFAULT_ECE_BINS} calibration bins.
     *
     * @param windowCapacity the capacity of the overall and of each per-class window; positive
     */
    public ClassBalancedEvaluator(int windowCapacity) {
        this(windowCapacity, DEFAULT_ECE_BINS);
    }

    /**
     * Creates an evaluator.
     *
     * @param windowCapacity the capacity of the overall and of each per-class window; positive
     * @param eceBins the number of calibration bins; positive
     * @throws IllegalArgumentException if an argument is not positive
     */
    public ClassBalancedEvaluator(int windowCapacity, int eceBins) {
        if (eceBins <= 0) {
            throw new IllegalArgumentException("eceBins must be positive, was " + eceBins);
        }
        this.overall = new WindowedBinaryMetrics(windowCapacity);
        this.windowCapacity = windowCapacity;
        this.eceBins = eceBins;
    }

    /**
     * Adds an observation to the overall window and to its class's window.
     *
     * @param classKey the class; non-null
     * @param score the model score; finite
     * @param label whether the observation is a positive
     * @param weight the observation weight; finite and non-negative
     * @throws IllegalArgumentException as {@link WindowedBinaryMetrics#add(double, boolean,
     *     double)}; the evaluator is then unchanged
     */
    public void add(String classKey, double score, boolean label, double weight) {
        Objects.requireNonNull(classKey, "classKey must not be null");
        // The overall window validates first, so a rejected observation changes nothing.
        overall.add(score, label, weight);
        perClass.computeIfAbsent(classKey, k -> new WindowedBinaryMetrics(windowCapacity))
                .add(score, label, weight);
        if (recentClasses.size() == windowCapacity) {
            String evicted = recentClasses.removeFirst();
            recentCounts.computeIfPresent(evicted, (k, n) -> n == 1 ? null : n - 1);
        }
        recentClasses.addLast(classKey);
        recentCounts.merge(classKey, 1L, Long::sum);
    }

    /**
     * Computes a report over the current windows.
     *
     * @return the immutable report; every class ever seen has a per-class row
     */
    public MetricsReport report() {
        TreeMap<String, BinaryMetrics> classes = new TreeMap<>();
        TreeMap<String, Long> counts = new TreeMap<>();
        for (Map.Entry<String, WindowedBinaryMetrics> e : perClass.entrySet()) {
            classes.put(e.getKey(), BinaryMetrics.of(e.getValue(), eceBins));
            counts.put(e.getKey(), recentCounts.getOrDefault(e.getKey(), 0L));
        }
        return new MetricsReport(BinaryMetrics.of(overall, eceBins), classes, counts);
    }

    /**
     * Returns the unweighted macro AUC over the least frequent {@code fraction} of classes; see
     * {@link MetricsReport#tailMacroAuc(double, boolean)}.
     *
     * @param fraction the tail fraction, in (0, 1]
     * @return the tail macro AUC, NaN if no class has a defined AUC
     */
    public double tailMacroAuc(double fraction) {
        return report().tailMacroAuc(fraction);
    }
}
