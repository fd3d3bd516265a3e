package dev.counterweight.jobs.weighting.internal;

import dev.counterweight.core.decay.DecayedCount;

/** A decayed count in state. A Flink POJO mirror of {@link DecayedCount}. */
public class CountState {
    public double value;
    public long referenceTime = Long.MIN_VALUE;

    public CountState() {}

    public static CountState of(DecayedCount count) {
        CountState s = new CountState();
        s.value = count.value();
        s.referenceTime = count.referenceTimeMillis();
        return s;
    }

    public DecayedCount toDecayedCount() {
        return new DecayedCount(value, referenceTime);
    }
}
