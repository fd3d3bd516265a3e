package dev.counterweight.learner.backend;

/**
 * What {@link BackendSelector} found: the active ND4J backend and the result of its self-test.
 *
 * @param requested the {@code learner.device} value that was checked
 * @param backendName simple class name of the ND4J backend, e.g. {@code CpuBackend}
 * @param gpu whether the backend computes on a GPU
 * @param ompThreads OpenMP threads after applying {@code learner.omp-threads}
 * @param blasThreads BLAS threads after applying {@code learner.omp-threads}; 0 if not reported
 * @param poolThreads size of libnd4j's own thread pool, fixed when the native library loaded
 * @param selfTestError largest absolute deviation of the self-test product from its Java reference
 */
public record BackendInfo(
        Device requested,
        String backendName,
        boolean gpu,
        int ompThreads,
        int blasThreads,
        int poolThreads,
        double selfTestError) {

    /**
     * Validates the fields.
     *
     * @throws NullPointerException if {@code requested} or {@code backendName} is null
     */
    public BackendInfo {
        if (requested == null) {
            throw new NullPointerException("requested must not be null");
        }
        if (backendName == null) {
            throw new NullPointerException("backendName must not be null");
        }
    }

    /** Returns a one-line description for the start-up log. */
    public String describe() {
        return backendName
                + (gpu ? " (GPU)" : " (CPU)")
                + ", "
                + BackendOptions.DEVICE_KEY
                + "="
                + requested.optionValue()
                + ", threads: omp="
                + ompThreads
                + " blas="
                + blasThreads
                + " pool="
                + poolThreads
                + ", self-test error="
                + selfTestError;
    }
}
