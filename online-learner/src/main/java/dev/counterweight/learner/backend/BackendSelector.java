package dev.counterweight.learner.backend;

import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.common.config.ND4JEnvironmentVars;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks at learner start that the ND4J backend matches {@code learner.device} and actually
 * computes, applies {@code learner.omp-threads} (see {@link BackendOptions} for what can be changed
 * at run time), and reports what it found.
 *
 * <p><b>How the backend is chosen.</b> ND4J picks its backend once per JVM, when it first
 * initialises: among the backends on the classpath ({@code nd4j-native} by default, {@code
 * nd4j-cuda-11.6} with the Maven profile {@code cuda}) it takes the highest priority one that
 * reports itself available, skipping e.g. a CUDA backend on a host without a driver. Priorities
 * come only from the environment variables {@code BACKEND_PRIORITY_CPU} (default 0) and {@code
 * BACKEND_PRIORITY_GPU} (default 100), so the choice cannot be changed from inside a running JVM;
 * {@link #launchEnvironment(BackendOptions)} gives the variables a launcher should set.
 *
 * <p><b>Rules.</b> {@code cpu} requires a CPU backend and {@code gpu} a GPU backend; {@code auto}
 * accepts either, which makes ND4J's own skip of an unavailable CUDA backend the fallback to the
 * CPU when both are on the classpath. In every mode the backend must then pass a self-test (a small
 * matrix product compared with a Java reference); a backend that loads but computes wrongly or
 * fails cannot be swapped in-process, so the selector throws with instructions to relaunch on the
 * CPU. All failures are {@link IllegalStateException}s whose message names {@code learner.device}.
 */
public final class BackendSelector {

    private static final Logger LOG = LoggerFactory.getLogger(BackendSelector.class);

    /** Largest accepted self-test deviation; the product is computed in single precision. */
    static final double SELF_TEST_TOLERANCE = 1e-4;

    private BackendSelector() {}

    /**
     * Initialises ND4J if necessary, checks its backend against {@code options} and self-tests it.
     *
     * @param options the backend options
     * @return what was found
     * @throws IllegalStateException naming {@code learner.device} if no backend loads, the backend
     *     does not match the requested device, or the self-test fails
     */
    public static BackendInfo select(BackendOptions options) {
        return select(options, new Nd4jProbe());
    }

    /**
     * Returns the environment variables a launcher should set for a learner JVM with these options:
     * the backend priorities for {@code cpu} or {@code gpu} (none for {@code auto}) and {@code
     * OMP_NUM_THREADS}.
     *
     * @param options the backend options
     * @return variable name to value, in a stable order
     */
    public static Map<String, String> launchEnvironment(BackendOptions options) {
        Map<String, String> env = new LinkedHashMap<>();
        switch (options.device()) {
            case CPU -> {
                env.put(ND4JEnvironmentVars.BACKEND_PRIORITY_CPU, "100");
                env.put(ND4JEnvironmentVars.BACKEND_PRIORITY_GPU, "0");
            }
            case GPU -> {
                env.put(ND4JEnvironmentVars.BACKEND_PRIORITY_CPU, "0");
                env.put(ND4JEnvironmentVars.BACKEND_PRIORITY_GPU, "100");
            }
            case AUTO -> {}
        }
        env.put(ND4JEnvironmentVars.OMP_NUM_THREADS, Integer.toString(options.ompThreads()));
        return env;
    }

    static BackendInfo select(BackendOptions options, BackendProbe probe) {
        Device requested = options.device();
        String setting = BackendOptions.DEVICE_KEY + "=" + requested.optionValue();
        String name;
        boolean gpu;
        try {
            name = probe.backendName();
            gpu = probe.isGpu();
        } catch (RuntimeException | LinkageError e) {
            throw new IllegalStateException(
                    setting
                            + ": no ND4J backend could be initialised ("
                            + e
                            + "). The CPU build needs org.nd4j:nd4j-native with its linux-x86_64"
                            + " natives and org.bytedeco:openblas on the classpath; the GPU build"
                            + " (Maven profile cuda) needs CUDA 11.6 on the host.",
                    e);
        }
        if (requested == Device.GPU && !gpu) {
            throw new IllegalStateException(
                    setting
                            + " but the active ND4J backend is "
                            + name
                            + " (CPU): no CUDA backend is on the classpath or it is unavailable"
                            + " on this host. Build with the Maven profile cuda (nd4j-cuda-11.6)"
                            + " and run on a host with CUDA 11.6, or set "
                            + BackendOptions.DEVICE_KEY
                            + "=auto or cpu.");
        }
        if (requested == Device.CPU && gpu) {
            throw new IllegalStateException(
                    setting
                            + " but the active ND4J backend is "
                            + name
                            + " (GPU). ND4J picks its backend once per JVM: start the learner"
                            + " with BACKEND_PRIORITY_CPU=100 and BACKEND_PRIORITY_GPU=0 (and"
                            + " nd4j-native on the classpath), or build without the cuda"
                            + " profile.");
        }
        probe.applyThreads(options.ompThreads());
        double error;
        try {
            error = probe.selfTest();
        } catch (RuntimeException | LinkageError e) {
            throw selfTestFailure(setting, name, gpu, "failed with " + e, e);
        }
        if (!(error <= SELF_TEST_TOLERANCE)) {
            throw selfTestFailure(
                    setting,
                    name,
                    gpu,
                    "deviates from the Java reference by "
                            + error
                            + " (limit "
                            + SELF_TEST_TOLERANCE
                            + ")",
                    null);
        }
        BackendInfo info =
                new BackendInfo(
                        requested,
                        name,
                        gpu,
                        probe.ompThreads(),
                        probe.blasThreads(),
                        probe.poolThreads(),
                        error);
        LOG.info("ND4J backend: {}", info.describe());
        if (info.poolThreads() > options.ompThreads()) {
            LOG.info(
                    "libnd4j's thread pool keeps {} threads ({} = {}): its size is fixed when the"
                            + " native library loads; start the JVM with OMP_NUM_THREADS={} to"
                            + " shrink it",
                    info.poolThreads(),
                    BackendOptions.OMP_THREADS_KEY,
                    options.ompThreads(),
                    options.ompThreads());
        }
        return info;
    }

    private static IllegalStateException selfTestFailure(
            String setting, String name, boolean gpu, String what, Throwable cause) {
        String advice =
                gpu
                        ? " The backend cannot be swapped inside a running JVM: to fall back to"
                                + " the CPU, restart with BACKEND_PRIORITY_CPU=100 and"
                                + " BACKEND_PRIORITY_GPU=0 (nd4j-native on the classpath) and "
                                + BackendOptions.DEVICE_KEY
                                + "=cpu or auto."
                        : " Check that the nd4j-native and openblas natives match the platform"
                                + " (linux-x86_64) and the ND4J version.";
        return new IllegalStateException(
                setting + ": the self-test of ND4J backend " + name + " " + what + "." + advice,
                cause);
    }

    /** The real probe: asks ND4J. */
    private static final class Nd4jProbe implements BackendProbe {

        @Override
        public String backendName() {
            return Nd4j.getBackend().getClass().getSimpleName();
        }

        @Override
        public boolean isGpu() {
            return !Nd4j.getEnvironment().isCPU();
        }

        @Override
        public void applyThreads(int threads) {
            NativeOps ops = NativeOpsHolder.getInstance().getDeviceNativeOps();
            ops.setOmpNumThreads(threads);
            Nd4j.getEnvironment().setMaxThreads(threads); // a no-op in 1.0.0-M2.1, see options
            Nd4j.getEnvironment().setMaxMasterThreads(threads);
            try {
                Nd4j.factory().blas().setMaxThreads(threads);
            } catch (UnsupportedOperationException e) {
                LOG.debug("backend does not set BLAS threads: {}", e.toString());
            }
        }

        @Override
        public int ompThreads() {
            return NativeOpsHolder.getInstance().getDeviceNativeOps().ompGetMaxThreads();
        }

        @Override
        public int blasThreads() {
            try {
                return Nd4j.factory().blas().getMaxThreads();
            } catch (UnsupportedOperationException e) {
                return 0;
            }
        }

        @Override
        public int poolThreads() {
            return Nd4j.getEnvironment().maxThreads();
        }

        @Override
        public double selfTest() {
            int rows = 3;
            int inner = 4;
            int cols = 2;
            float[][] a = new float[rows][inner];
            float[][] b = new float[inner][cols];
            for (int i = 0; i < rows; i++) {
                for (int k = 0; k < inner; k++) {
                    a[i][k] = 0.5f * (i + 1) - 0.25f * k;
                }
            }
            for (int k = 0; k < inner; k++) {
                for (int j = 0; j < cols; j++) {
                    b[k][j] = 0.125f * (k + 1) * (j + 1) - 0.5f;
                }
            }
            INDArray product =
                    Nd4j.createFromArray(a)
                            .castTo(DataType.FLOAT)
                            .mmul(Nd4j.createFromArray(b).castTo(DataType.FLOAT));
            double worst = 0;
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    double expected = 0;
                    for (int k = 0; k < inner; k++) {
                        expected += (double) a[i][k] * b[k][j];
                    }
                    double actual = product.getDouble(i, j);
                    worst =
                            Double.isNaN(actual)
                                    ? Double.NaN
                                    : Math.max(worst, Math.abs(actual - expected));
                    if (Double.isNaN(worst)) {
                        return worst;
                    }
                }
            }
            return worst;
        }
    }
}
