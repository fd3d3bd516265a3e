package dev.counterweight.learner.snapshot;

/**
 * How long the quality gate has been holding publication back: since when, and how many snapshots
 * in a row it refused. Downstream consumers get no new model while this grows, so operators watch
 * it (the learner's {@code /metrics} exports it as a gauge). Not thread-safe; the learner's loop
 * owns it.
 */
public final class PublishingHold {

    private long since = -1;
    private long snapshots;

    /** A snapshot was announced: the hold ends. */
    public void announced() {
        since = -1;
        snapshots = 0;
    }

    /**
     * A snapshot was written but not announced.
     *
     * @param nowMillis wall-clock time of the decision
     */
    public void heldBack(long nowMillis) {
        if (since < 0) {
            since = nowMillis;
        }
        snapshots++;
    }

    /** Snapshots refused in a row since the last announcement (or the start). */
    public long snapshots() {
        return snapshots;
    }

    /**
     * Milliseconds since the first refused snapshot of the current hold; 0 when none is held.
     *
     * @param nowMillis wall-clock time now
     */
    public long heldBackMillis(long nowMillis) {
        return since < 0 ? 0 : Math.max(0, nowMillis - since);
    }
}
