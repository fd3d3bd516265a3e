package dev.counterweight.learner.backend;

/** A scripted {@link BackendProbe} for selection rules that need a GPU or a broken backend. */
final class TestingBackendProbe implements BackendProbe {

    private final String name;
    private final boolean gpu;
    private final RuntimeException loadFailure;
    private final double selfTestError;
    private int threads = 1;

    private TestingBackendProbe(
            String name, boolean gpu, RuntimeException loadFailure, double selfTestError) {
        this.name = name;
        this.gpu = gpu;
        this.loadFailure = loadFailure;
        this.selfTestError = selfTestError;
    }

    static TestingBackendProbe workingGpu() {
        return new TestingBackendProbe("JCublasBackend", true, null, 0.0);
    }

    static TestingBackendProbe gpuComputingWrongly() {
        return new TestingBackendProbe("JCublasBackend", true, null, 3.5);
    }

    static TestingBackendProbe noBackend() {
        return new TestingBackendProbe(
                null,
                false,
                new RuntimeException("Please ensure that you have an nd4j backend"),
                0);
    }

    @Override
    public String backendName() {
        if (loadFailure != null) {
            throw loadFailure;
        }
        return name;
    }

    @Override
    public boolean isGpu() {
        return gpu;
    }

    @Override
    public void applyThreads(int threads) {
        this.threads = threads;
    }

    @Override
    public int ompThreads() {
        return threads;
    }

    @Override
    public int blasThreads() {
        return threads;
    }

    @Override
    public int poolThreads() {
        return 16;
    }

    @Override
    public double selfTest() {
        return selfTestError;
    }
}
