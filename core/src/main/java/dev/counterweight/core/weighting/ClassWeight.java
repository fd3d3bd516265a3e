package dev.counterweight.core.weighting;

/**
 * One row of a {@link WeightTable}: the count a class weight was computed from, and the weight.
 *
 * @param count the (possibly decayed) class count; positive and finite
 * @param weight the final class weight; positive and finite
 */
public record ClassWeight(double count, double weight) implements java.io.Serializable {

    /**
     * Validates the row.
     *
     * @throws IllegalArgumentException if count or weight is not positive and finite
     */
    public ClassWeight {
        if (!Double.isFinite(count) || count <= 0) {
            throw new IllegalArgumentException("count must be positive and finite, was " + count);
        }
        if (!Double.isFinite(weight) || weight <= 0) {
            throw new IllegalArgumentException("weight must be positive and finite, was " + weight);
        }
    }
}
