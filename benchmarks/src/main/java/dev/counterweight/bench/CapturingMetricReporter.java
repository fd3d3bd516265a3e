package dev.counterweight.bench;

import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * A Flink metric reporter for benchmarks on a MiniCluster in the same JVM: it keeps every counter
 * and numeric gauge it is told about, and the last value of each one that is removed (a bounded
 * job's task metrics are removed when the task finishes), so a benchmark can read a job's own
 * counters after the job has ended. Enable with {@link #configure}.
 */
public final class CapturingMetricReporter implements MetricReporter {

    private static final Map<String, Metric> LIVE = new ConcurrentHashMap<>();
    private static final Map<String, Double> FINAL = new ConcurrentHashMap<>();

    /** Registers this reporter (by factory class) in a Flink configuration. */
    public static void configure(org.apache.flink.configuration.Configuration config) {
        config.setString("metrics.reporter.bench.factory.class", Factory.class.getName());
    }

    /** Forgets everything captured so far (call before each job). */
    public static void reset() {
        LIVE.clear();
        FINAL.clear();
    }

    /**
     * Sum over all subtasks of the metric with this simple name (the last segment of the
     * identifier), live or already removed; 0 when there is none.
     */
    public static double sum(String name) {
        double total = 0;
        for (Map.Entry<String, Double> e : FINAL.entrySet()) {
            if (simpleName(e.getKey()).equals(name)) {
                total += e.getValue();
            }
        }
        for (Map.Entry<String, Metric> e : LIVE.entrySet()) {
            if (simpleName(e.getKey()).equals(name) && !FINAL.containsKey(e.getKey())) {
                total += value(e.getValue());
            }
        }
        return total;
    }

    private static String simpleName(String identifier) {
        return identifier.substring(identifier.lastIndexOf('.') + 1);
    }

    private static double value(Metric m) {
        if (m instanceof Counter c) {
            return c.getCount();
        }
        if (m instanceof Gauge<?> g && g.getValue() instanceof Number n) {
            return n.doubleValue();
        }
        return 0;
    }

    @Override
    public void open(MetricConfig config) {}

    @Override
    public void close() {}

    @Override
    public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
        if (metric instanceof Counter || metric instanceof Gauge<?>) {
            String id = group.getMetricIdentifier(name);
            LIVE.put(id, metric);
            FINAL.remove(id);
        }
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
        String id = group.getMetricIdentifier(name);
        if (LIVE.remove(id) != null) {
            try {
                FINAL.put(id, value(metric));
            } catch (RuntimeException e) {
                // A gauge whose source is gone; its last value is lost, not the benchmark.
            }
        }
    }

    /** Factory Flink instantiates by class name (listed in META-INF/services). */
    public static final class Factory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            return new CapturingMetricReporter();
        }
    }
}
