package dev.counterweight.jobs.weighting.internal;

/**
 * A sample between attribution and weight stamping. A Flink POJO; the feature array is laid out as
 * {@link dev.counterweight.jobs.weighting.FeatureLayout} says and filled in by the operators it
 * passes.
 */
public class LabeledSample {
    public String sampleId;
    public String userId;
    public String itemId;
    public String categoryId;
    public String requestId;
    public long exposureTime;

    /** Event time the sample was emitted at (window close, or the late purchase). */
    public long closedAt;

    public boolean click;
    public boolean conversion;
    public boolean correction;
    public float[] features;

    /** Class key, set before class counting. */
    public String classKey;

    /** Source partitions of the events that made the sample, exposure first. */
    public int[] sourcePartitions;

    /** Source offsets, parallel to {@link #sourcePartitions}. */
    public long[] sourceOffsets;

    public LabeledSample() {}
}
