package dev.counterweight.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
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
    private static final Map<String, Map<String, String>> VARIABLES = new ConcurrentHashMap<>();

    /**
     * One metric's value now (or its last value, once removed).
     *
     * @param name the metric's simple name
     * @param variables its group's scope variables, e.g. {@code <job_name>}, {@code <task_name>},
     *     {@code <subtask_index>}
     * @param value the counter's count or the numeric gauge's value
     */
    public record Reading(String name, Map<String, String> variables, double value) {
        /** The scope variable {@code <key>}, or null. */
        public String variable(String key) {
            return variables.get("<" + key + ">");
        }
    }

    /** Registers this reporter (by factory class) in a Flink configuration. */
    public static void configure(org.apache.flink.configuration.Configuration config) {
        config.setString("metrics.reporter.bench.factory.class", Factory.class.getName());
    }

    /** Forgets everything captured so far (call before each job). */
    public static void reset() {
        LIVE.clear();
        FINAL.clear();
        VARIABLES.clear();
    }

    /**
     * Every metric with one of these simple names whose group belongs to the job named {@code job}
     * (scope variable {@code <job_name>}): live ones read now, removed ones at their last value.
     */
    public static List<Reading> readings(String job, Set<String> names) {
        List<Reading> out = new ArrayList<>();
        for (Map.Entry<String, Map<String, String>> e : VARIABLES.entrySet()) {
            String id = e.getKey();
            String name = simpleName(id);
            if (!names.contains(name) || !job.equals(e.getValue().get("<job_name>"))) {
                continue;
            }
            Double last = FINAL.get(id);
            Metric live = LIVE.get(id);
            double value;
            if (last != null) {
                value = last;
            } else if (live != null) {
                try {
                    value = value(live);
                } catch (RuntimeException ex) {
                    continue;
                }
            } else {
                continue;
            }
            out.add(new Reading(name, e.getValue(), value));
        }
        return out;
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
            VARIABLES.put(id, Map.copyOf(group.getAllVariables()));
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
