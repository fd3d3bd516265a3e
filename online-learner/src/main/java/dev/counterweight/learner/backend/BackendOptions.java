package dev.counterweight.learner.backend;

import java.util.Map;
import java.util.Objects;

/**
 * Options of the learner's compute backend.
 *
 * <table>
 *   <caption>Options</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@value #DEVICE_KEY}</td><td>{@code auto}</td><td>{@code auto}, {@code cpu} or
 *       {@code gpu}; see {@link Device} and {@link BackendSelector}</td></tr>
 *   <tr><td>{@value #OMP_THREADS_KEY}</td><td>available processors</td><td>threads of ND4J's
 *       OpenMP and BLAS (OpenBLAS) pools and of its operation dispatch</td></tr>
 * </table>
 *
 * <p>{@code OMP_NUM_THREADS} itself cannot be set from a running JVM. {@link BackendSelector}
 * applies {@value #OMP_THREADS_KEY} at start through ND4J instead: {@code omp_set_num_threads} (via
 * {@code NativeOps.setOmpNumThreads}), the BLAS thread count and {@code
 * Environment.setMaxMasterThreads}. In 1.0.0-M2.1 {@code Environment.setMaxThreads} is a no-op: the
 * size of libnd4j's own thread pool is fixed when the native library loads, from {@code
 * OMP_NUM_THREADS} (default: all cores); {@link BackendSelector#launchEnvironment} returns that
 * variable for launchers that start the learner JVM.
 *
 * @param device the accepted backend
 * @param ompThreads threads per ND4J operation; positive
 */
public record BackendOptions(Device device, int ompThreads) {

    /** Key of the device option. */
    public static final String DEVICE_KEY = "learner.device";

    /** Key of the thread-count option. */
    public static final String OMP_THREADS_KEY = "learner.omp-threads";

    /**
     * Validates the options.
     *
     * @throws NullPointerException naming {@value #DEVICE_KEY} if {@code device} is null
     * @throws IllegalArgumentException naming {@value #OMP_THREADS_KEY} if {@code ompThreads} is
     *     not positive
     */
    public BackendOptions {
        Objects.requireNonNull(device, DEVICE_KEY + " must not be null");
        if (ompThreads < 1) {
            throw new IllegalArgumentException(
                    OMP_THREADS_KEY + " must be positive, was " + ompThreads);
        }
    }

    /** Returns {@code auto} with one thread per available processor. */
    public static BackendOptions defaults() {
        return new BackendOptions(Device.AUTO, Runtime.getRuntime().availableProcessors());
    }

    /**
     * Reads the options from string settings; absent keys take their defaults, other keys are
     * ignored.
     *
     * @param settings option key to value
     * @return the options
     * @throws IllegalArgumentException naming the key of a malformed value
     */
    public static BackendOptions fromMap(Map<String, String> settings) {
        BackendOptions defaults = defaults();
        String device = settings.get(DEVICE_KEY);
        String threads = settings.get(OMP_THREADS_KEY);
        int ompThreads = defaults.ompThreads();
        if (threads != null) {
            try {
                ompThreads = Integer.parseInt(threads.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        OMP_THREADS_KEY + " must be a positive integer, was " + threads, e);
            }
        }
        return new BackendOptions(
                device == null ? defaults.device() : Device.parse(device), ompThreads);
    }
}
