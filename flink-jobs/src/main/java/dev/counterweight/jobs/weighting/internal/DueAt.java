package dev.counterweight.jobs.weighting.internal;

import java.util.Arrays;

/**
 * Everything a user's attribution timer has to do at one event time: the buffered events with that
 * time, the exposure windows that close then, and the closed windows that expire then. One entry
 * per (user, time) keeps a timer at one state read, where three separate indexes cost three reads,
 * two of them usually misses. A Flink POJO; arrays rather than lists so that no field falls back to
 * a generic serializer.
 */
public class DueAt {
    public IngestedEvent[] events = new IngestedEvent[0];

    /** Attribution keys of windows closing at this time. */
    public String[] closing = new String[0];

    /** Attribution keys of closed windows expiring at this time. */
    public String[] expiring = new String[0];

    public DueAt() {}

    public DueAt withEvent(IngestedEvent e) {
        events = append(events, e);
        return this;
    }

    public DueAt withClosing(String key) {
        closing = append(closing, key);
        return this;
    }

    public DueAt withExpiring(String key) {
        expiring = append(expiring, key);
        return this;
    }

    private static <T> T[] append(T[] array, T value) {
        T[] out = Arrays.copyOf(array, array.length + 1);
        out[array.length] = value;
        return out;
    }
}
