package dev.counterweight.core.metrics;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The weighted ROC AUC over a sliding window of the last {@code capacity} observations, with
 * observation weights that do not depend on the label.
 *
 * <p>Why not the training weight: with a label-dependent class key ({@code cat=7|y=click}) a
 * sample's class weight is chosen by its own label, so a pair-weighted AUC with pair weight {@code
 * w+ · w−} compares positives and negatives drawn from two different, label-chosen mixtures of
 * categories. A score that only knows the category then moves that AUC anywhere: with inverse
 * class-frequency weights both mixtures become uniform over categories and the oracle category
 * score sits at exactly 1/2; with weights that favour the positives of rare-click categories it
 * falls below 1/2 (see {@code GroupWeightedAucTest}).
 *
 * <p>Here every observation of an evaluation group (the class key without its label, {@code
 * ClassKeyMode.evaluationGroup}) shares one class weight: the group's mean class weight over the
 * window, as it would be over the stream before negative down-sampling, {@code ḡ = Σ c_i/r_i ÷ Σ
 * 1/r_i} over the group's observations ({@code c} the class weight, {@code r} the sampling rate).
 * The observation's weight is {@code ḡ / r}: {@code 1/r} restores the down-sampled negatives, and
 * {@code ḡ} re-weights whole groups (both labels alike), so the AUC is the one of a population in
 * which each group's share is changed but its click rate is not. With class weights 1 it is the AUC
 * of the stream before down-sampling.
 *
 * <p>Mutable and not thread-safe. Each query is exact over the current window, {@code O(n log n)}.
 */
public final class GroupWeightedAuc {

    private static final int INITIAL_STORAGE = 16;

    private final int capacity;
    private double[] scores;
    private boolean[] labels;
    private String[] groups;
    private double[] classWeights;
    private double[] samplingRates;
    private int size;
    private int oldest;

    /**
     * Creates an empty window.
     *
     * @param capacity the number of most recent observations kept; positive
     * @throws IllegalArgumentException if {@code capacity <= 0}
     */
    public GroupWeightedAuc(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive, was " + capacity);
        }
        this.capacity = capacity;
        int initial = Math.min(capacity, INITIAL_STORAGE);
        scores = new double[initial];
        labels = new boolean[initial];
        groups = new String[initial];
        classWeights = new double[initial];
        samplingRates = new double[initial];
    }

    /**
     * Adds an observation, evicting the oldest one if the window is full.
     *
     * @param group the evaluation group (class key without the label); non-null
     * @param score the model score; finite
     * @param label whether the observation is a positive
     * @param classWeight the class weight the sample was stamped with; finite and non-negative
     * @param samplingRate the probability the sample was kept with; in (0, 1]
     * @throws IllegalArgumentException if an argument is out of range; the window is then unchanged
     */
    public void add(
            String group, double score, boolean label, double classWeight, double samplingRate) {
        Objects.requireNonNull(group, "group must not be null");
        if (!Double.isFinite(score)) {
            throw new IllegalArgumentException("score must be finite, was " + score);
        }
        if (!Double.isFinite(classWeight) || classWeight < 0) {
            throw new IllegalArgumentException(
                    "class weight must be finite and non-negative, was " + classWeight);
        }
        if (!(samplingRate > 0 && samplingRate <= 1)) {
            throw new IllegalArgumentException(
                    "sampling rate must be in (0, 1], was " + samplingRate);
        }
        int slot;
        if (size < capacity) {
            if (size == scores.length) {
                grow();
            }
            slot = size++;
        } else {
            slot = oldest;
            oldest = (oldest + 1) % capacity;
        }
        // -0.0 and 0.0 must tie in the AUC sort, as they do numerically.
        scores[slot] = score + 0.0;
        labels[slot] = label;
        groups[slot] = group;
        classWeights[slot] = classWeight;
        samplingRates[slot] = samplingRate;
    }

    private void grow() {
        int length = (int) Math.min(capacity, 2L * scores.length);
        scores = Arrays.copyOf(scores, length);
        labels = Arrays.copyOf(labels, length);
        groups = Arrays.copyOf(groups, length);
        classWeights = Arrays.copyOf(classWeights, length);
        samplingRates = Arrays.copyOf(samplingRates, length);
    }

    /** Returns the number of observations in the window. */
    public int count() {
        return size;
    }

    /**
     * Returns each observation's label-free weight {@code ḡ(group) / r}, in the window's storage
     * order.
     */
    double[] weights() {
        Map<String, double[]> sums = new HashMap<>();
        for (int i = 0; i < size; i++) {
            double[] s = sums.computeIfAbsent(groups[i], g -> new double[2]);
            s[0] += classWeights[i] / samplingRates[i];
            s[1] += 1.0 / samplingRates[i];
        }
        double[] w = new double[size];
        for (int i = 0; i < size; i++) {
            double[] s = sums.get(groups[i]);
            w[i] = s[0] / s[1] / samplingRates[i];
        }
        return w;
    }

    /**
     * Returns the weighted AUC: the probability that a positive scores above a negative, ties
     * counting 1/2, each (positive, negative) pair weighted by the product of their label-free
     * weights.
     *
     * @return the AUC in [0, 1]; NaN if the positives' or the negatives' total weight is zero
     */
    public double auc() {
        return WindowedBinaryMetrics.auc(scores, labels, weights(), size);
    }
}
