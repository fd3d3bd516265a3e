package dev.counterweight.jobs.weighting.internal;

import dev.counterweight.core.attribution.ExposureWindow;

/** Keyed state of one exposure awaiting its labels. A Flink POJO. */
public class PendingExposure {
    public ExposureWindow window;
    public String exposureId;
    public String itemId;
    public String categoryId;
    public String requestId;
    public float[] dense;
    public double price = Double.NaN;
    public int position = -1;
    public int[] sourcePartitions;
    public long[] sourceOffsets;

    public PendingExposure() {}

    /** Remembers where a contributing event came from. */
    public void addSource(int partition, long offset) {
        int n = sourcePartitions.length;
        sourcePartitions = java.util.Arrays.copyOf(sourcePartitions, n + 1);
        sourceOffsets = java.util.Arrays.copyOf(sourceOffsets, n + 1);
        sourcePartitions[n] = partition;
        sourceOffsets[n] = offset;
    }
}
