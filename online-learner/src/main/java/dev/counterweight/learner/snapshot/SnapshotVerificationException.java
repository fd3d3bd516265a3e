package dev.counterweight.learner.snapshot;

/** A snapshot that must not be loaded: missing, corrupt, or for another feature schema. */
public final class SnapshotVerificationException extends Exception {
    private static final long serialVersionUID = 1L;

    public SnapshotVerificationException(String message) {
        super(message);
    }

    public SnapshotVerificationException(String message, Throwable cause) {
        super(message, cause);
    }
}
