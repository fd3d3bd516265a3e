package dev.counterweight.jobs.weighting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;

/**
 * The job sets its own max parallelism ({@code job.max-parallelism}), so every run splits keyed
 * state into the same key groups; the global weight table keeps 1. Builds the graph only (the Kafka
 * connectors do not connect until the job runs).
 */
class SampleWeightingMaxParallelismTest {

    private static SampleWeightingSettings settings(Map<String, String> extra) {
        Configuration c = new Configuration();
        c.setString("kafka.bootstrap-servers", "127.0.0.1:9");
        extra.forEach(c::setString);
        return SampleWeightingSettings.from(c);
    }

    private static StreamGraph build(SampleWeightingSettings settings, Configuration flink) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
        new SampleWeightingJob(settings).buildWithKafka(env);
        assertThat(env.getMaxParallelism()).isEqualTo(settings.maxParallelism());
        return env.getStreamGraph();
    }

    private static StreamNode node(StreamGraph graph, String uid) {
        return graph.getStreamNodes().stream()
                .filter(n -> uid.equals(n.getTransformationUID()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no operator with uid " + uid));
    }

    @Test
    void theDefault720IsSetByTheJobAndTheWeightTableKeepsOne() {
        StreamGraph graph = build(settings(Map.of()), new Configuration());
        assertThat(graph.getExecutionConfig().getMaxParallelism()).isEqualTo(720);
        assertThat(node(graph, SampleWeightingJob.Uids.WEIGHT_TABLE).getMaxParallelism())
                .isEqualTo(1);
    }

    @Test
    void anEqualFlinkSettingIsAccepted() {
        Configuration flink = new Configuration();
        flink.set(PipelineOptions.MAX_PARALLELISM, 360);
        StreamGraph graph = build(settings(Map.of("job.max-parallelism", "360")), flink);
        assertThat(graph.getExecutionConfig().getMaxParallelism()).isEqualTo(360);
    }

    @Test
    void aDifferentFlinkSettingFailsNamingBothKeys() {
        Configuration flink = new Configuration();
        flink.set(PipelineOptions.MAX_PARALLELISM, 128);
        assertThatThrownBy(() -> build(settings(Map.of()), flink))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pipeline.max-parallelism")
                .hasMessageContaining("job.max-parallelism")
                .hasMessageContaining("128")
                .hasMessageContaining("720");
    }
}
