package dev.counterweight.core.metrics;

import java.util.Arrays;

/**
 * Exact binary-classification metrics over a sliding window of the last {@code capacity}
 * observations {@code (score, label, weight)}.
 *
 * <p>Observations live in a ring buffer; every query recomputes its metric exactly over the current
 * window (AUC in {@code O(n log n)}, the others in {@code O(n)}). Storage grows on demand up to
 * {@code capacity}, so many sparsely used windows stay cheap. Each query has an unweighted form
 * (every observation counts 1) and a weighted form (observation weights). Mutable and not
 * thread-safe.
 *
 * <p>Scores are meant to be probabilities. Any finite score is accepted: AUC uses only the order,
 * log loss clips scores to {@code [1e-15, 1 − 1e-15]}, and calibration error puts scores outside
 * [0, 1] into the first or last bin.
 */
public final class WindowedBinaryMetrics {

    /** Scores are clipped to {@code [LOG_LOSS_EPSILON, 1 − LOG_LOSS_EPSILON]} for log loss. */
    public static final double LOG_LOSS_EPSILON = 1e-15;

    private static final int INITIAL_STORAGE = 16;

    // Ranges up to this length are insertion-sorted in the AUC's merge sort.
    private static final int INSERTION_SORT_MAX = 32;

    private final int capacity;
    private double[] scores;
    private boolean[] labels;
    private double[] weights;
    // Until the window is full, entries occupy [0, size) and oldest == 0; afterwards oldest is
    // the slot overwritten next.
    private int size;
    private int oldest;
    private long positives;

    /**
     * Creates an empty window.
     *
     * @param capacity the number of most recent observations kept; positive
     * @throws IllegalArgumentException if {@code capacity <= 0}
     */
    public WindowedBinaryMetrics(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive, was " + capacity);
        }
        this.capacity = capacity;
        int initial = Math.min(capacity, INITIAL_STORAGE);
        this.scores = new double[initial];
        this.labels = new boolean[initial];
        this.weights = new double[initial];
    }

    /**
     * Adds an observation with weight 1.
     *
     * @see #add(double, boolean, double)
     */
    public void add(double score, boolean label) {
        add(score, label, 1.0);
    }

    /**
     * Adds an observation, evicting the oldest one if the window is full.
     *
     * @param score the model score; finite
     * @param label whether the observation is a positive
     * @param weight the observation weight; finite and non-negative
     * @throws IllegalArgumentException if the score is NaN or infinite, or the weight is negative,
     *     NaN or infinite; the window is then unchanged
     */
    public void add(double score, boolean label, double weight) {
        if (!Double.isFinite(score)) {
            throw new IllegalArgumentException("score must be finite, was " + score);
        }
        if (!Double.isFinite(weight) || weight < 0) {
            throw new IllegalArgumentException(
                    "weight must be finite and non-negative, was " + weight);
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
            if (labels[slot]) {
                positives--;
            }
        }
        // Adding 0.0 turns -0.0 into 0.0, so the two compare as a tie in the AUC sort as they do
        // numerically.
        scores[slot] = score + 0.0;
        labels[slot] = label;
        weights[slot] = weight;
        if (label) {
            positives++;
        }
    }

    private void grow() {
        int length = (int) Math.min(capacity, Math.max(INITIAL_STORAGE, 2L * scores.length));
        scores = Arrays.copyOf(scores, length);
        labels = Arrays.copyOf(labels, length);
        weights = Arrays.copyOf(weights, length);
    }

    /** Returns the window capacity. */
    public int capacity() {
        return capacity;
    }

    /** Returns the number of observations in the window. */
    public long count() {
        return size;
    }

    /** Returns the number of positives in the window. */
    public long positives() {
        return positives;
    }

    /** Returns the total weight of the window. */
    public double totalWeight() {
        double total = 0;
        for (int i = 0; i < size; i++) {
            total += weights[i];
        }
        return total;
    }

    private double weight(int i, boolean weighted) {
        return weighted ? weights[i] : 1.0;
    }

    /**
     * Returns the (weighted) mean score, or NaN for an empty window or zero total weight.
     *
     * @param weighted whether to use observation weights
     */
    public double meanScore(boolean weighted) {
        double sum = 0;
        double total = 0;
        for (int i = 0; i < size; i++) {
            double w = weight(i, weighted);
            sum += w * scores[i];
            total += w;
        }
        return sum / total;
    }

    /**
     * Returns the (weighted) fraction of positives, or NaN for an empty window or zero total
     * weight.
     *
     * @param weighted whether to use observation weights
     */
    public double meanLabel(boolean weighted) {
        double sum = 0;
        double total = 0;
        for (int i = 0; i < size; i++) {
            double w = weight(i, weighted);
            sum += labels[i] ? w : 0;
            total += w;
        }
        return sum / total;
    }

    /**
     * Returns the ROC AUC: the probability that a random positive scores above a random negative,
     * ties counting 1/2. Weighted, each (positive, negative) pair counts {@code w+ · w−}.
     *
     * @param weighted whether to use observation weights
     * @return the AUC in [0, 1]; NaN if the window has no positives or no negatives, or (weighted)
     *     the positives' or negatives' total weight is zero
     */
    public double auc(boolean weighted) {
        if (positives == 0 || positives == size) {
            return Double.NaN;
        }
        return auc(scores, labels, weighted ? weights : null, size);
    }

    /**
     * Returns the ROC AUC of the first {@code size} entries of the arrays, ties counting 1/2, each
     * (positive, negative) pair weighted {@code w+ · w−} ({@code weights == null}: every entry
     * counts 1). The arrays are not modified.
     *
     * @param scores finite scores, with -0.0 stored as 0.0 (see {@link #add(double, boolean,
     *     double)})
     * @param labels the labels
     * @param weights non-negative finite weights, or null for unweighted
     * @param size the number of entries used
     * @return the AUC in [0, 1]; NaN if the positives' or the negatives' total weight is zero
     */
    static double auc(double[] scores, boolean[] labels, double[] weights, int size) {
        double[] sorted = Arrays.copyOf(scores, size);
        int[] order = new int[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        sortByScore(sorted, order, new double[size], new int[size], 0, size);
        // Walk tie groups in ascending score order: a positive beats every negative in earlier
        // groups and ties with the negatives in its own group.
        double negativeBelow = 0;
        double positiveTotal = 0;
        double numerator = 0;
        int i = 0;
        while (i < size) {
            double groupScore = sorted[i];
            double groupPositive = 0;
            double groupNegative = 0;
            for (; i < size && sorted[i] == groupScore; i++) {
                int idx = order[i];
                double w = weights == null ? 1.0 : weights[idx];
                if (labels[idx]) {
                    groupPositive += w;
                } else {
                    groupNegative += w;
                }
            }
            numerator += groupPositive * (negativeBelow + 0.5 * groupNegative);
            negativeBelow += groupNegative;
            positiveTotal += groupPositive;
        }
        return numerator / (positiveTotal * negativeBelow);
    }

    /**
     * Sorts {@code scores[from, to)} ascending and permutes {@code slots} alongside, keeping equal
     * scores in their original order (a merge sort on primitive arrays; {@code tempScores} and
     * {@code tempSlots} are scratch space of the same length). Stability matters: the AUC sums the
     * weights of a tie group in this order, so the result is bit for bit the one of the stable sort
     * of boxed slot indices used before. Scores are finite with -0.0 stored as 0.0 (see {@link
     * #add(double, boolean, double)}), so {@code <} orders them as {@link Double#compare}.
     */
    private static void sortByScore(
            double[] scores, int[] slots, double[] tempScores, int[] tempSlots, int from, int to) {
        if (to - from <= INSERTION_SORT_MAX) {
            for (int i = from + 1; i < to; i++) {
                double score = scores[i];
                int slot = slots[i];
                int j = i - 1;
                for (; j >= from && scores[j] > score; j--) {
                    scores[j + 1] = scores[j];
                    slots[j + 1] = slots[j];
                }
                scores[j + 1] = score;
                slots[j + 1] = slot;
            }
            return;
        }
        int mid = (from + to) >>> 1;
        sortByScore(scores, slots, tempScores, tempSlots, from, mid);
        sortByScore(scores, slots, tempScores, tempSlots, mid, to);
        if (scores[mid - 1] <= scores[mid]) {
            return;
        }
        // Merge the left half (copied out) with the right half (in place); on equal scores the
        // left one goes first.
        System.arraycopy(scores, from, tempScores, from, mid - from);
        System.arraycopy(slots, from, tempSlots, from, mid - from);
        int left = from;
        int right = mid;
        int out = from;
        while (left < mid && right < to) {
            if (scores[right] < tempScores[left]) {
                scores[out] = scores[right];
                slots[out++] = slots[right++];
            } else {
                scores[out] = tempScores[left];
                slots[out++] = tempSlots[left++];
            }
        }
        System.arraycopy(tempScores, left, scores, out, mid - left);
        System.arraycopy(tempSlots, left, slots, out, mid - left);
    }

    /**
     * Returns the mean binary cross-entropy with scores clipped to {@code [1e-15, 1 − 1e-15]};
     * weighted, {@code Σ w·ℓ / Σ w}.
     *
     * @param weighted whether to use observation weights
     * @return the log loss; NaN for an empty window or zero total weight
     */
    public double logLoss(boolean weighted) {
        double sum = 0;
        double total = 0;
        for (int i = 0; i < size; i++) {
            double p = Math.min(1 - LOG_LOSS_EPSILON, Math.max(LOG_LOSS_EPSILON, scores[i]));
            double loss = labels[i] ? -Math.log(p) : -Math.log1p(-p);
            double w = weight(i, weighted);
            sum += w * loss;
            total += w;
        }
        return sum / total;
    }

    /**
     * Returns the standard error of {@link #logLoss}: the plug-in estimate {@code sqrt(Σ w²(ℓ −
     * L)²) / Σ w}, which treats the window's observations as independent draws (unweighted, {@code
     * sd(ℓ) / √n}). Sizes the noise of a log-loss difference between two windows.
     *
     * @param weighted whether to use observation weights
     * @return the standard error; NaN for an empty window or zero total weight
     */
    public double logLossStandardError(boolean weighted) {
        double mean = logLoss(weighted);
        double sq = 0;
        double total = 0;
        for (int i = 0; i < size; i++) {
            double p = Math.min(1 - LOG_LOSS_EPSILON, Math.max(LOG_LOSS_EPSILON, scores[i]));
            double loss = labels[i] ? -Math.log(p) : -Math.log1p(-p);
            double w = weight(i, weighted);
            sq += w * w * (loss - mean) * (loss - mean);
            total += w;
        }
        return Math.sqrt(sq) / total;
    }

    /**
     * Returns calibration in the large, {@code mean score / mean label} ({@code Σ w·s / Σ w·y}
     * weighted): 1 for a model whose probabilities are right on average, above 1 when it
     * over-predicts.
     *
     * @param weighted whether to use observation weights
     * @return the ratio; NaN for an empty window, zero total weight or no positive weight
     */
    public double calibrationRatio(boolean weighted) {
        double label = meanLabel(weighted);
        return label > 0 ? meanScore(weighted) / label : Double.NaN;
    }

    /**
     * Returns the standard error of {@code ln} {@link #calibrationRatio} from the noise of the mean
     * label (delta method, the mean score taken as fixed): {@code sqrt(Σ w²(y − m)²) / Σ w / m}.
     *
     * @param weighted whether to use observation weights
     * @return the standard error; NaN where the ratio is undefined
     */
    public double calibrationLogRatioStandardError(boolean weighted) {
        double m = meanLabel(weighted);
        if (!(m > 0)) {
            return Double.NaN;
        }
        double sq = 0;
        double total = 0;
        for (int i = 0; i < size; i++) {
            double w = weight(i, weighted);
            double d = (labels[i] ? 1 : 0) - m;
            sq += w * w * d * d;
            total += w;
        }
        return Math.sqrt(sq) / total / m;
    }

    /**
     * Returns the expected calibration error with {@code bins} equal-width bins on [0, 1]: {@code
     * Σ_b (W_b / W) |mean score_b − mean label_b|}, where {@code W_b} is the bin's (weighted)
     * count. A score of exactly 1 falls in the last bin; scores outside [0, 1] fall in the nearest
     * edge bin.
     *
     * @param bins the number of bins; positive
     * @param weighted whether to use observation weights
     * @return the ECE in [0, 1] for scores in [0, 1]; NaN for an empty window or zero total weight
     * @throws IllegalArgumentException if {@code bins <= 0}
     */
    public double calibrationError(int bins, boolean weighted) {
        if (bins <= 0) {
            throw new IllegalArgumentException("bins must be positive, was " + bins);
        }
        double[] scoreSum = new double[bins];
        double[] labelSum = new double[bins];
        double total = 0;
        for (int i = 0; i < size; i++) {
            int bin = (int) Math.min(bins - 1, Math.max(0, Math.floor(scores[i] * bins)));
            double w = weight(i, weighted);
            scoreSum[bin] += w * scores[i];
            labelSum[bin] += labels[i] ? w : 0;
            total += w;
        }
        // (W_b / W) · |Σ_b w·s / W_b − Σ_b w·y / W_b| simplifies to |Σ_b w·s − Σ_b w·y| / W.
        double gap = 0;
        for (int b = 0; b < bins; b++) {
            gap += Math.abs(scoreSum[b] - labelSum[b]);
        }
        return gap / total;
    }
}
