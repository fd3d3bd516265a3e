package dev.counterweight.core.weighting;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An immutable, versioned table of per-class weights computed from class counts.
 *
 * <p>Built by {@link #compute}; serves constant-time {@link #weightOf} lookups (a hash map inside)
 * and a key-sorted view for iteration, reporting and serialisation. Unknown classes get the table's
 * largest weight, on the presumption that a class not yet counted is rare.
 */
public final class WeightTable {

    private final long version;
    private final WeightingStrategy strategy;
    private final SortedMap<String, ClassWeight> entries;
    private final Map<String, ClassWeight> lookup;
    private final double maxWeight;

    private WeightTable(
            long version, WeightingStrategy strategy, TreeMap<String, ClassWeight> entries) {
        this.version = version;
        this.strategy = strategy;
        this.entries = Collections.unmodifiableSortedMap(entries);
        this.lookup = new HashMap<>(entries);
        double max = Double.NaN;
        for (ClassWeight cw : entries.values()) {
            max = Double.isNaN(max) ? cw.weight() : Math.max(max, cw.weight());
        }
        this.maxWeight = max;
    }

    /**
     * Computes a weight table from class counts.
     *
     * <p>Classes with count {@code <= 0} are ignored (they carry no information about frequency and
     * would make inverse weights infinite); they fall back to {@link #weightOf}'s default like any
     * unknown class. The weights are raw strategy weights (see {@link WeightingStrategy}), clipped
     * to {@code [config.minWeight(), config.maxWeight()]}, then, if {@code config.normalise()},
     * rescaled so that {@code Σ n_c w_c / Σ n_c = 1}.
     *
     * @param version the table version, carried through unchanged
     * @param classCounts class key to (possibly decayed) count; keys and values non-null, values
     *     finite
     * @param config the weighting configuration
     * @return the table
     * @throws IllegalArgumentException if a count is NaN or infinite
     * @throws NullPointerException if an argument, key or count is null
     */
    public static WeightTable compute(
            long version, Map<String, Double> classCounts, WeightingConfig config) {
        return compute(version, classCounts, config, null);
    }

    /**
     * Computes a weight table from class counts with loss-aware multipliers: as {@link
     * #compute(long, Map, WeightingConfig)}, except that the raw strategy weights are first
     * multiplied by {@code multiplier} ({@link LossAwareMultiplier#apply}), then clipped and
     * normalised as usual.
     *
     * @param multiplier the loss-aware multiplier, or null for none
     */
    public static WeightTable compute(
            long version,
            Map<String, Double> classCounts,
            WeightingConfig config,
            LossAwareMultiplier multiplier) {
        Objects.requireNonNull(classCounts, "classCounts must not be null");
        Objects.requireNonNull(config, "config must not be null");
        TreeMap<String, Double> positive = new TreeMap<>();
        for (Map.Entry<String, Double> e : classCounts.entrySet()) {
            String key = Objects.requireNonNull(e.getKey(), "classCounts must not have null keys");
            Double count =
                    Objects.requireNonNull(
                            e.getValue(), "classCounts[" + key + "] must not be null");
            if (!Double.isFinite(count)) {
                throw new IllegalArgumentException(
                        "classCounts[" + key + "] must be finite, was " + count);
            }
            if (count > 0) {
                positive.put(key, count);
            }
        }
        double[] counts = positive.values().stream().mapToDouble(Double::doubleValue).toArray();
        double[] weights = rawWeights(config, counts);
        if (multiplier != null) {
            multiplier.apply(positive.keySet().toArray(new String[0]), counts, weights);
        }
        double weightedSum = 0;
        double total = 0;
        for (int i = 0; i < weights.length; i++) {
            weights[i] = Math.min(config.maxWeight(), Math.max(config.minWeight(), weights[i]));
            weightedSum += counts[i] * weights[i];
            total += counts[i];
        }
        if (config.normalise() && weights.length > 0) {
            double scale = total / weightedSum;
            for (int i = 0; i < weights.length; i++) {
                weights[i] *= scale;
            }
        }
        TreeMap<String, ClassWeight> entries = new TreeMap<>();
        int i = 0;
        for (String key : positive.keySet()) {
            entries.put(key, new ClassWeight(counts[i], weights[i]));
            i++;
        }
        return new WeightTable(version, config.strategy(), entries);
    }

    private static double[] rawWeights(WeightingConfig config, double[] counts) {
        int k = counts.length;
        double total = 0;
        for (double n : counts) {
            total += n;
        }
        double[] w = new double[k];
        switch (config.strategy()) {
            case NONE -> Arrays.fill(w, 1.0);
            case INVERSE -> {
                for (int i = 0; i < k; i++) {
                    w[i] = total / (k * counts[i]);
                }
            }
            case SQRT_INVERSE -> {
                for (int i = 0; i < k; i++) {
                    w[i] = Math.sqrt(total / (k * counts[i]));
                }
            }
            case EFFECTIVE_NUMBER -> {
                // (1 − β) cancels in the sum-to-K scaling, so only 1 / (1 − β^n) is needed;
                // expm1 keeps 1 − β^n accurate when β is close to 1 or n is small.
                double logBeta = Math.log(config.beta());
                double sum = 0;
                for (int i = 0; i < k; i++) {
                    w[i] = 1.0 / -Math.expm1(counts[i] * logBeta);
                    sum += w[i];
                }
                for (int i = 0; i < k; i++) {
                    w[i] = w[i] * k / sum;
                }
            }
        }
        return w;
    }

    /** Returns the version given to {@link #compute}. */
    public long version() {
        return version;
    }

    /** Returns the strategy the weights were computed with. */
    public WeightingStrategy strategy() {
        return strategy;
    }

    /** Returns the per-class rows, sorted by class key; unmodifiable. */
    public SortedMap<String, ClassWeight> entries() {
        return entries;
    }

    /** Returns the number of classes in the table. */
    public int size() {
        return entries.size();
    }

    /** Returns whether the table has a row for {@code classKey}. */
    public boolean contains(String classKey) {
        return lookup.containsKey(classKey);
    }

    /**
     * Returns the weight of a class.
     *
     * @param classKey the class key
     * @return the class's weight; for an unknown class, {@link #fallbackWeight()}
     */
    public double weightOf(String classKey) {
        ClassWeight cw = lookup.get(classKey);
        return cw == null ? fallbackWeight() : cw.weight();
    }

    /**
     * Returns the weight used for unknown classes: the table's largest weight (a class not yet
     * counted is presumed rare), or 1.0 when the table is empty.
     */
    public double fallbackWeight() {
        return entries.isEmpty() ? 1.0 : maxWeight;
    }

    /** Returns {@code Σ n_c} over the table's classes; 0 for an empty table. */
    public double totalCount() {
        double total = 0;
        for (ClassWeight cw : entries.values()) {
            total += cw.count();
        }
        return total;
    }

    /**
     * Returns the effective sample size {@code (Σ n_c w_c)² / Σ n_c w_c²}, treating counts as
     * multiplicities of samples carrying their class weight; 0 for an empty table.
     */
    public double effectiveSampleSize() {
        double sum = 0;
        double sumSq = 0;
        for (ClassWeight cw : entries.values()) {
            sum += cw.count() * cw.weight();
            sumSq += cw.count() * cw.weight() * cw.weight();
        }
        return sumSq == 0 ? 0.0 : sum * sum / sumSq;
    }

    /**
     * Returns the imbalance ratio {@code max n_c / min n_c} over the table's (positive) counts: 1
     * for a single class, NaN for an empty table.
     */
    public double imbalanceRatio() {
        if (entries.isEmpty()) {
            return Double.NaN;
        }
        double max = 0;
        double min = Double.POSITIVE_INFINITY;
        for (ClassWeight cw : entries.values()) {
            max = Math.max(max, cw.count());
            min = Math.min(min, cw.count());
        }
        return max / min;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WeightTable t
                && version == t.version
                && strategy == t.strategy
                && entries.equals(t.entries);
    }

    @Override
    public int hashCode() {
        return Objects.hash(version, strategy, entries);
    }

    @Override
    public String toString() {
        return "WeightTable[version="
                + version
                + ", strategy="
                + strategy
                + ", entries="
                + entries
                + "]";
    }
}
