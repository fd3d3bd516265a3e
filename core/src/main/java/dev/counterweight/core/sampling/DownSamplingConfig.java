package dev.counterweight.core.sampling;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * Parameters of negative down-sampling: the keep rate for negatives, optionally per class, and the
 * seed that makes decisions reproducible.
 *
 * @param defaultRate keep rate for negatives of classes without an entry in {@code perClassRate};
 *     in (0, 1]
 * @param perClassRate class key to keep rate in (0, 1]; null means empty; copied into an
 *     unmodifiable sorted map
 * @param seed the hash seed; different seeds give independent decisions
 */
public record DownSamplingConfig(double defaultRate, Map<String, Double> perClassRate, long seed)
        implements java.io.Serializable {

    /**
     * Validates the rates and copies the map.
     *
     * @throws IllegalArgumentException naming {@code downsampling.rate} if a rate is outside (0, 1]
     * @throws NullPointerException if a per-class key or rate is null
     */
    public DownSamplingConfig {
        checkRate(defaultRate, "downsampling.rate");
        TreeMap<String, Double> copy = new TreeMap<>();
        if (perClassRate != null) {
            for (Map.Entry<String, Double> e : perClassRate.entrySet()) {
                if (e.getKey() == null) {
                    throw new NullPointerException("downsampling.rate class keys must not be null");
                }
                String name = "downsampling.rate[" + e.getKey() + "]";
                if (e.getValue() == null) {
                    throw new NullPointerException(name + " must not be null");
                }
                checkRate(e.getValue(), name);
                copy.put(e.getKey(), e.getValue());
            }
        }
        perClassRate = Collections.unmodifiableSortedMap(copy);
    }

    /**
     * Returns a configuration with one rate for every class.
     *
     * @param rate the keep rate for negatives, in (0, 1]
     * @param seed the hash seed
     * @return the configuration
     */
    public static DownSamplingConfig uniform(double rate, long seed) {
        return new DownSamplingConfig(rate, Map.of(), seed);
    }

    /**
     * Returns the keep rate for negatives of {@code classKey}.
     *
     * @param classKey the class key
     * @return the per-class rate if configured, else {@link #defaultRate()}
     */
    public double rateFor(String classKey) {
        Double rate = perClassRate.get(classKey);
        return rate == null ? defaultRate : rate;
    }

    static void checkRate(double rate, String name) {
        if (!(rate > 0 && rate <= 1)) {
            throw new IllegalArgumentException(name + " must be in (0, 1], was " + rate);
        }
    }
}
