package dev.counterweight.jobs.weighting;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

/** The {@code kafka.properties.*} pass-through of the job. */
class SampleWeightingKafkaPropertiesTest {

    private static final String JAAS =
            "org.apache.kafka.common.security.plain.PlainLoginModule required"
                    + " username=\"alice\" password=\"alice-secret\";";

    @Test
    void prefixedOptionsBecomeClientPropertiesThatPrintMasked() {
        SampleWeightingSettings settings =
                SampleWeightingSettings.from(
                        Configuration.fromMap(
                                Map.of(
                                        "kafka.bootstrap-servers", "broker:9093",
                                        "kafka.properties.security.protocol", "SASL_SSL",
                                        "kafka.properties.sasl.jaas.config", JAAS)));

        assertThat(settings.kafkaProperties())
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of("security.protocol", "SASL_SSL", "sasl.jaas.config", JAAS));
        assertThat(settings.toString()).doesNotContain("alice-secret").contains("SASL_SSL");
        assertThat(SampleWeightingJob.clientProperties(settings))
                .containsEntry("sasl.jaas.config", JAAS);
    }

    @Test
    void noPrefixedOptionsMeansNoClientProperties() {
        SampleWeightingSettings settings =
                SampleWeightingSettings.from(
                        Configuration.fromMap(Map.of("kafka.bootstrap-servers", "broker:9092")));

        assertThat(settings.kafkaProperties()).isEmpty();
    }
}
