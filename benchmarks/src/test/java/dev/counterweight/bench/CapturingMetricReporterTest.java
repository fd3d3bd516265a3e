package dev.counterweight.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;

class CapturingMetricReporterTest {

    /** A metric group of one subtask: identifiers {@code job.<subtask>.<name>}. */
    private static UnregisteredMetricsGroup subtask(int index) {
        return new UnregisteredMetricsGroup() {
            @Override
            public String getMetricIdentifier(String metricName) {
                return "job.op." + index + "." + metricName;
            }
        };
    }

    @Test
    void sumsLiveAndRemovedMetricsOfOneNameOverSubtasks() {
        CapturingMetricReporter.reset();
        CapturingMetricReporter reporter = new CapturingMetricReporter();
        SimpleCounter first = new SimpleCounter();
        SimpleCounter second = new SimpleCounter();
        SimpleCounter other = new SimpleCounter();
        reporter.notifyOfAddedMetric(first, "samplesOut", subtask(0));
        reporter.notifyOfAddedMetric(second, "samplesOut", subtask(1));
        reporter.notifyOfAddedMetric(other, "eventsIn", subtask(0));
        reporter.notifyOfAddedMetric((Gauge<Long>) () -> 7L, "numClasses", subtask(0));
        first.inc(5);
        second.inc(3);
        other.inc(100);

        assertThat(CapturingMetricReporter.sum("samplesOut")).isEqualTo(8.0);

        // A finished task's metrics are removed; their last values still count, later changes
        // to the removed counter do not.
        reporter.notifyOfRemovedMetric(first, "samplesOut", subtask(0));
        first.inc(1_000);
        second.inc(2);
        assertThat(CapturingMetricReporter.sum("samplesOut")).isEqualTo(10.0);
        assertThat(CapturingMetricReporter.sum("numClasses")).isEqualTo(7.0);
        assertThat(CapturingMetricReporter.sum("nothing")).isZero();

        CapturingMetricReporter.reset();
        assertThat(CapturingMetricReporter.sum("samplesOut")).isZero();
    }
}
