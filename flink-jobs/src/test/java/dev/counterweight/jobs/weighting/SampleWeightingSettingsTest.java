package dev.counterweight.jobs.weighting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.counterweight.core.attribution.ClassKeyMode;
import dev.counterweight.core.weighting.WeightingStrategy;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
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
        assertThat(s.startingOffsets()).isEqualTo(StartingOffsets.EARLIEST);
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
                .hasMessageContaining("yesterday")
                .hasMessageContaining("EARLIEST, LATEST, COMMITTED");
    }

    @Test
    void startingOffsetsAreReadInAnyCase() {
        assertThat(
                        SampleWeightingSettings.from(
                                        withBootstrap(Map.of("kafka.starting-offsets", "latest")))
                                .startingOffsets())
                .isEqualTo(StartingOffsets.LATEST);
        assertThat(
                        SampleWeightingSettings.from(
                                        withBootstrap(
                                                Map.of("kafka.starting-offsets", "COMMITTED")))
                                .startingOffsets())
                .isEqualTo(StartingOffsets.COMMITTED);
    }

    @Test
    void aMisspeltKeyFailsNamingItAndTheNearestKnownKey() {
        // Before: ignored, and the job ran the default SQRT_INVERSE.
        assertThatThrownBy(
                        () ->
                                SampleWeightingSettings.from(
                                        withBootstrap(Map.of("weights.stratgy", "INVERSE"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "Unknown option 'weights.stratgy' (nearest known option:"
                                + " 'weights.strategy')");
        assertThatThrownBy(
                        () ->
                                SampleWeightingSettings.from(
                                        withBootstrap(Map.of("kafka.bootstrap.servers", "x"))))
                .hasMessageContaining("'kafka.bootstrap.servers'")
                .hasMessageContaining("'kafka.bootstrap-servers'");
        assertThatThrownBy(
                        () ->
                                SampleWeightingSettings.from(
                                        withBootstrap(Map.of("metrics.top-class", "3"))))
                .hasMessageContaining("'metrics.top-class'")
                .hasMessageContaining("'metrics.top-classes'");
        assertThatThrownBy(
                        () ->
                                SampleWeightingSettings.from(
                                        withBootstrap(Map.of("job.checkpoint-intervall", "5 s"))))
                .hasMessageContaining("'job.checkpoint-intervall'")
                .hasMessageContaining("'job.checkpoint-interval'");
    }

    @Test
    void passThroughAndFlinkKeysStayOpen() {
        SampleWeightingSettings s =
                SampleWeightingSettings.from(
                        withBootstrap(
                                Map.of(
                                        "kafka.properties.security.protocol", "SASL_SSL",
                                        "metrics.reporter.prom.factory.class", "x.Factory",
                                        "metrics.latency.interval", "0 ms",
                                        "state.backend.type", "rocksdb",
                                        "pipeline.auto-watermark-interval", "50 ms",
                                        "execution.buffer-timeout.interval", "5 ms",
                                        "weights.strategy", "INVERSE")));
        assertThat(s.kafkaProperties()).containsEntry("security.protocol", "SASL_SSL");
        assertThat(s.weighting().strategy()).isEqualTo(WeightingStrategy.INVERSE);
    }

    @Test
    void aBadEnumValueFailsNamingTheKeyAndListingTheValues() {
        assertThatThrownBy(
                        () ->
                                SampleWeightingSettings.from(
                                        withBootstrap(Map.of("weights.strategy", "INVERS"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "Invalid value 'INVERS' for option 'weights.strategy': expected one of"
                                + " NONE, INVERSE, SQRT_INVERSE, EFFECTIVE_NUMBER");
        assertThatThrownBy(
                        () ->
                                SampleWeightingSettings.from(
                                        withBootstrap(Map.of("classes.key", "ITEM"))))
                .hasMessageContaining("'classes.key'")
                .hasMessageContaining("CATEGORY, CATEGORY_LABEL, LABEL, POPULARITY");
        assertThat(
                        SampleWeightingSettings.from(
                                        withBootstrap(Map.of("weights.strategy", "inverse")))
                                .weighting()
                                .strategy())
                .isEqualTo(WeightingStrategy.INVERSE);
    }

    @Test
    void allListsEveryDeclaredOption() throws IllegalAccessException {
        List<ConfigOption<?>> declared = new ArrayList<>();
        for (Field f : SampleWeightingOptions.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers())
                    && ConfigOption.class.isAssignableFrom(f.getType())) {
                declared.add((ConfigOption<?>) f.get(null));
            }
        }
        assertThat(declared).isNotEmpty();
        assertThat(SampleWeightingOptions.all()).containsExactlyInAnyOrderElementsOf(declared);
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
