package dev.counterweight.jobs.weighting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.counterweight.core.attribution.ClassKeyMode;
import dev.counterweight.core.weighting.WeightingStrategy;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

class SampleWeightingSettingsTest {

    private static Configuration withBootstrap(Map<String, String> extra) {
        Configuration c = new Configuration();
        c.setString("kafka.bootstrap-servers", "localhost:9092");
        extra.forEach(c::setString);
        return c;
    }

    @Test
    void defaultsWithOnlyBootstrapServersAreValid() {
        SampleWeightingSettings s = SampleWeightingSettings.from(withBootstrap(Map.of()));
        assertThat(s.bootstrapServers()).isEqualTo("localhost:9092");
        assertThat(s.eventsTopic()).isEqualTo("events");
        assertThat(s.startingOffsets()).isEqualTo("earliest");
        assertThat(s.transactionTimeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(s.classKey()).isEqualTo(ClassKeyMode.CATEGORY_LABEL);
        assertThat(s.weighting().strategy()).isEqualTo(WeightingStrategy.SQRT_INVERSE);
        assertThat(s.downSampling().defaultRate()).isEqualTo(1.0);
        assertThat(s.updateIntervalMillis()).isEqualTo(60_000L);
        assertThat(s.attribution().windowMillis()).isEqualTo(Duration.ofMinutes(30).toMillis());
        assertThat(s.checkpointDir()).isNull();
        assertThat(s.parallelism()).isEqualTo(-1);
        assertThat(s.maxParallelism()).isEqualTo(720);
    }

    @Test
    void lossAwareIsOffByDefaultAndReadWhenEnabled() {
        assertThat(SampleWeightingSettings.from(withBootstrap(Map.of())).lossAware()).isNull();
        SampleWeightingSettings s =
                SampleWeightingSettings.from(
                        withBootstrap(
                                Map.of(
                                        "weights.loss-aware.enabled", "true",
                                        "weights.loss-aware.strength", "0.5",
                                        "weights.loss-aware.max", "3",
                                        "kafka.class-loss-topic", "losses")));
        assertThat(s.lossAwareEnabled()).isTrue();
        assertThat(s.lossAware().strength()).isEqualTo(0.5);
        assertThat(s.lossAware().maxMultiplier()).isEqualTo(3.0);
        assertThat(s.lossAware().smoothing()).isEqualTo(0.3);
        assertThat(s.classLossTopic()).isEqualTo("losses");
    }

    @Test
    void badLossAwareValuesFailNamingTheKey() {
        Map<String, String> bad =
                Map.of(
                        "weights.loss-aware.strength", "-1",
                        "weights.loss-aware.smoothing", "0",
                        "weights.loss-aware.min", "1.5",
                        "weights.loss-aware.max", "0.5",
                        "weights.loss-aware.min-samples", "0");
        bad.forEach(
                (key, value) ->
                        assertThatThrownBy(
                                        () ->
                                                SampleWeightingSettings.from(
                                                        withBootstrap(
                                                                Map.of(
                                                                        "weights.loss-aware.enabled",
                                                                        "true",
                                                                        key,
                                                                        value))))
                                .isInstanceOf(IllegalArgumentException.class)
                                .hasMessageContaining("'" + key + "'"));
        assertThat(
                        SampleWeightingSettings.from(
                                        withBootstrap(Map.of("weights.loss-aware.strength", "-1")))
                                .lossAware())
                .as("not validated while off")
                .isNull();
    }

    @Test
    void missingBootstrapServersFailsNamingTheKey() {
        assertThatThrownBy(() -> SampleWeightingSettings.from(new Configuration()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("kafka.bootstrap-servers");
        Configuration blank = new Configuration();
        blank.setString("kafka.bootstrap-servers", " ");
        assertThatThrownBy(() -> SampleWeightingSettings.from(blank))
                .hasMessageContaining("kafka.bootstrap-servers");
    }

    @Test
    void minWeightAboveMaxWeightFailsNamingWeightsMax() {
        assertThatThrownBy(
                        () ->
                                SampleWeightingSettings.from(
                                        withBootstrap(
                                                Map.of("weights.min", "5", "weights.max", "2"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("weights.max");
    }

    @Test
    void downSamplingRateZeroFailsNamingTheKey() {
        assertThatThrownBy(
                        () ->
                                SampleWeightingSettings.from(
                                        withBootstrap(Map.of("downsampling.rate", "0"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("downsampling.rate");
    }

    @Test
    void transactionTimeoutAboveFifteenMinutesFailsNamingTheKey() {
        assertThatThrownBy(
                        () ->
                                SampleWeightingSettings.from(
                                        withBootstrap(
                                                Map.of("kafka.transaction-timeout", "16 min"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("kafka.transaction-timeout");
        assertThat(
                        SampleWeightingSettings.from(
                                        withBootstrap(
                                                Map.of("kafka.transaction-timeout", "15 min")))
                                .transactionTimeout())
                .isEqualTo(Duration.ofMinutes(15));
    }

    @Test
    void badStartingOffsetsFailNamingTheKey() {
        assertThatThrownBy(
                        () ->
                                SampleWeightingSettings.from(
                                        withBootstrap(
                                                Map.of("kafka.starting-offsets", "yesterday"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("kafka.starting-offsets")
                .hasMessageContaining("yesterday");
    }

    @Test
    void maxParallelismOutOfRangeOrBelowTheParallelismFailsNamingTheKey() {
        for (String bad : new String[] {"0", "-1", "32769"}) {
            assertThatThrownBy(
                            () ->
                                    SampleWeightingSettings.from(
                                            withBootstrap(Map.of("job.max-parallelism", bad))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("job.max-parallelism")
                    .hasMessageContaining("'" + bad + "'");
        }
        assertThatThrownBy(
                        () ->
                                SampleWeightingSettings.from(
                                        withBootstrap(
                                                Map.of(
                                                        "job.max-parallelism", "4",
                                                        "job.parallelism", "8"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("job.parallelism")
                .hasMessageContaining("job.max-parallelism (4)");
        assertThat(
                        SampleWeightingSettings.from(
                                        withBootstrap(Map.of("job.max-parallelism", "32768")))
                                .maxParallelism())
                .isEqualTo(32768);
    }
}
