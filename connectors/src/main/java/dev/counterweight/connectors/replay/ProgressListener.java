package dev.counterweight.connectors.replay;

/** Hears how far a replay has got. Called on the replaying thread, often: keep it cheap. */
@FunctionalInterface
public interface ProgressListener {

    /** A listener that ignores everything. */
    ProgressListener NONE = (sent, total, elapsedNanos) -> {};

    /**
     * Called after every send and while waiting for the next one.
     *
     * @param sent events handed to the sink so far
     * @param total events to replay
     * @param elapsedNanos time since the replay started
     */
    void onProgress(long sent, long total, long elapsedNanos);

    /** Called once when every event has been sent and the sink flushed. */
    default void onDone(long sent, long total, long elapsedNanos) {}
}
