package dev.counterweight.jobs.weighting;

/** Where a fresh start of the job reads the events topic from ({@code kafka.starting-offsets}). */
public enum StartingOffsets {
    /** The oldest retained event. */
    EARLIEST,
    /** Only events written after the start. */
    LATEST,
    /** The consumer group's committed offsets; earliest where the group has none. */
    COMMITTED
}
