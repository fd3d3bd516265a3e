package dev.counterweight.bench;

import java.util.Arrays;

/**
 * Nearest-rank percentiles of a set of measurements: the {@code p}-th percentile of {@code n}
 * values is the smallest value with at least {@code p}% of the values at or below it, i.e. the
 * value at rank {@code ceil(p / 100 * n)} (1-based) of the sorted values. Always one of the values,
 * never an interpolation.
 */
public final class Percentiles {

    private final long[] sorted;

    private Percentiles(long[] sorted) {
        this.sorted = sorted;
    }

    /** The percentiles of {@code values} (copied, so the caller may reuse the array). */
    public static Percentiles of(long[] values, int count) {
        if (count < 0 || count > values.length) {
            throw new IllegalArgumentException(
                    "count must lie in [0, " + values.length + "], was " + count);
        }
        long[] v = Arrays.copyOf(values, count);
        Arrays.sort(v);
        return new Percentiles(v);
    }

    /** The percentiles of every value in {@code values}. */
    public static Percentiles of(long... values) {
        return of(values, values.length);
    }

    /** How many values. */
    public int count() {
        return sorted.length;
    }

    /**
     * The nearest-rank {@code p}-th percentile.
     *
     * @param p in (0, 100]
     * @throws IllegalStateException if there are no values
     */
    public long percentile(double p) {
        if (!(p > 0 && p <= 100)) {
            throw new IllegalArgumentException("percentile must lie in (0, 100], was " + p);
        }
        if (sorted.length == 0) {
            throw new IllegalStateException("no values");
        }
        // Integer arithmetic on p * 1000 avoids 99.9 / 100 * 1000 = 999.0000000000001 -> rank 1000.
        long milli = Math.round(p * 1000);
        long rank = (milli * sorted.length + 100_000 - 1) / 100_000;
        return sorted[(int) Math.max(1, rank) - 1];
    }

    /** The largest value. */
    public long max() {
        return percentile(100);
    }
}
