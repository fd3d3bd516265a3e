package dev.counterweight.jobs.weighting.internal;

/**
 * The decayed count of one class as of an update boundary, sent from the keyed class counter to the
 * global weight-table operator. A Flink POJO.
 */
public class ClassCountUpdate {
    public String classKey;
    public double value;
    public long referenceTime;

    /** The event-time boundary this update belongs to. */
    public long boundary;

    public ClassCountUpdate() {}

    public ClassCountUpdate(String classKey, double value, long referenceTime, long boundary) {
        this.classKey = classKey;
        this.value = value;
        this.referenceTime = referenceTime;
        this.boundary = boundary;
    }
}
