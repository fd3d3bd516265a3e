package dev.counterweight.learner.backend;

/**
 * The questions {@link BackendSelector} asks of the active ND4J backend; a seam so that the
 * selection rules can be tested with a {@code Testing*} fake on machines without a GPU.
 */
interface BackendProbe {

    /**
     * Returns the simple class name of the active backend, initialising ND4J if necessary; may
     * throw a {@link RuntimeException} or {@link LinkageError} if no backend can be loaded.
     */
    String backendName();

    /** Returns whether the active backend computes on a GPU. */
    boolean isGpu();

    /**
     * Bounds the threads of OpenMP, of the BLAS library and of ND4J's dispatch ("master" threads);
     * a part the backend does not support is left as it is.
     */
    void applyThreads(int threads);

    /** Returns the OpenMP thread count now in effect. */
    int ompThreads();

    /** Returns the BLAS thread count now in effect, or 0 if the backend does not report it. */
    int blasThreads();

    /** Returns the size of libnd4j's own thread pool, fixed when the native library loaded. */
    int poolThreads();

    /**
     * Runs a small matrix product on the backend and returns its largest absolute deviation from a
     * reference computed in Java; may throw if the backend cannot execute it.
     */
    double selfTest();
}
