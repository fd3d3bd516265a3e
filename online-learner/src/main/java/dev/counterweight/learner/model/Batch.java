package dev.counterweight.learner.model;

import java.util.Arrays;

/**
 * A weighted mini-batch of examples in column form, the unit the {@link RankingModel} trains and
 * scores.
 *
 * <p>Row {@code i} of every array describes example {@code i}. Ids are already hashed into their
 * vocabulary range (see {@link HashedVocabulary}); the model checks the upper bounds against its
 * {@link ModelConfig}. {@code conversionLabel} is the CTCVR label of ESMM, "clicked and then
 * purchased", so it may only be 1 where {@code clickLabel} is 1. {@code weight} is the per-example
 * sample weight: training on an example with weight 2 is the same as training on two copies with
 * weight 1.
 *
 * <p>The arrays are not copied, so construction costs nothing beyond validation; callers hand them
 * over and must not modify them afterwards. Like every record with array components, {@code equals}
 * compares the arrays by reference.
 *
 * @param userIdx user rows; non-negative
 * @param itemIdx item rows; non-negative
 * @param categoryIdx category rows; non-negative
 * @param dense dense features, one row per example, every row of the same length (possibly 0)
 * @param clickLabel click label in [0, 1]
 * @param conversionLabel click-and-purchase label in [0, 1], at most {@code clickLabel}
 * @param weight sample weight; finite and non-negative
 */
public record Batch(
        int[] userIdx,
        int[] itemIdx,
        int[] categoryIdx,
        float[][] dense,
        float[] clickLabel,
        float[] conversionLabel,
        float[] weight) {

    /**
     * Validates the shapes and values.
     *
     * @throws NullPointerException naming the field if an array or a dense row is null
     * @throws IllegalArgumentException naming the field and row if lengths differ, the batch is
     *     empty, or a value is out of range
     */
    public Batch {
        requireNonNull(userIdx, "userIdx");
        requireNonNull(itemIdx, "itemIdx");
        requireNonNull(categoryIdx, "categoryIdx");
        requireNonNull(dense, "dense");
        requireNonNull(clickLabel, "clickLabel");
        requireNonNull(conversionLabel, "conversionLabel");
        requireNonNull(weight, "weight");
        int n = userIdx.length;
        if (n == 0) {
            throw new IllegalArgumentException("userIdx must not be empty: a batch needs examples");
        }
        checkLength(itemIdx.length, n, "itemIdx");
        checkLength(categoryIdx.length, n, "categoryIdx");
        checkLength(dense.length, n, "dense");
        checkLength(clickLabel.length, n, "clickLabel");
        checkLength(conversionLabel.length, n, "conversionLabel");
        checkLength(weight.length, n, "weight");
        int width = requireNonNull(dense[0], "dense[0]").length;
        for (int i = 0; i < n; i++) {
            checkIndex(userIdx[i], "userIdx", i);
            checkIndex(itemIdx[i], "itemIdx", i);
            checkIndex(categoryIdx[i], "categoryIdx", i);
            float[] row = requireNonNull(dense[i], "dense[" + i + "]");
            if (row.length != width) {
                throw new IllegalArgumentException(
                        "dense["
                                + i
                                + "] has "
                                + row.length
                                + " features but dense[0] has "
                                + width);
            }
            for (int j = 0; j < width; j++) {
                if (!Float.isFinite(row[j])) {
                    throw new IllegalArgumentException(
                            "dense[" + i + "][" + j + "] must be finite, was " + row[j]);
                }
            }
            checkLabel(clickLabel[i], "clickLabel", i);
            checkLabel(conversionLabel[i], "conversionLabel", i);
            if (conversionLabel[i] > clickLabel[i]) {
                throw new IllegalArgumentException(
                        "conversionLabel["
                                + i
                                + "] = "
                                + conversionLabel[i]
                                + " exceeds clickLabel["
                                + i
                                + "] = "
                                + clickLabel[i]
                                + ": the conversion label is click AND purchase");
            }
            if (!(weight[i] >= 0) || !Float.isFinite(weight[i])) {
                throw new IllegalArgumentException(
                        "weight[" + i + "] must be finite and non-negative, was " + weight[i]);
            }
        }
    }

    /**
     * Returns a batch for scoring only: labels 0 and weight 1 everywhere.
     *
     * @param userIdx user rows
     * @param itemIdx item rows
     * @param categoryIdx category rows
     * @param dense dense features
     * @return the batch
     * @throws IllegalArgumentException as the canonical constructor
     */
    public static Batch unlabeled(
            int[] userIdx, int[] itemIdx, int[] categoryIdx, float[][] dense) {
        int n = requireNonNull(userIdx, "userIdx").length;
        float[] ones = new float[n];
        Arrays.fill(ones, 1f);
        return new Batch(userIdx, itemIdx, categoryIdx, dense, new float[n], new float[n], ones);
    }

    /** Returns the number of examples. */
    public int size() {
        return userIdx.length;
    }

    /** Returns the number of dense features per example. */
    public int denseFeatures() {
        return dense[0].length;
    }

    /** Returns the sum of the weights, in double precision. */
    public double totalWeight() {
        double sum = 0;
        for (float w : weight) {
            sum += w;
        }
        return sum;
    }

    @Override
    public String toString() {
        return "Batch[size=" + size() + ", denseFeatures=" + denseFeatures() + "]";
    }

    private static <T> T requireNonNull(T value, String field) {
        if (value == null) {
            throw new NullPointerException(field + " must not be null");
        }
        return value;
    }

    private static void checkLength(int length, int expected, String field) {
        if (length != expected) {
            throw new IllegalArgumentException(
                    field + " has " + length + " rows but userIdx has " + expected);
        }
    }

    private static void checkIndex(int index, String field, int row) {
        if (index < 0) {
            throw new IllegalArgumentException(
                    field + "[" + row + "] must not be negative, was " + index);
        }
    }

    private static void checkLabel(float label, String field, int row) {
        if (!(label >= 0 && label <= 1)) {
            throw new IllegalArgumentException(
                    field + "[" + row + "] must be in [0, 1], was " + label);
        }
    }
}
