package dev.counterweight.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClientPropertiesTest {

    private static final String JAAS =
            "org.apache.kafka.common.security.plain.PlainLoginModule required"
                    + " username=\"alice\" password=\"alice-secret\";";

    @Test
    void keepsOnlyPrefixedKeysWithThePrefixRemoved() {
        Map<String, String> props =
                ClientProperties.withPrefix(
                        Map.of(
                                "kafka.bootstrap-servers", "b:9092",
                                "kafka.properties.security.protocol", "SASL_SSL",
                                "kafka.properties.sasl.mechanism", "PLAIN",
                                "learner.kafka.properties.ignored", "x"),
                        "kafka.properties.");

        assertThat(props)
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "PLAIN"));
    }

    @Test
    void masksCredentialsWhenPrinted() {
        Map<String, String> props =
                ClientProperties.withPrefix(
                        Map.of(
                                "p.sasl.jaas.config", JAAS,
                                "p.ssl.truststore.password", "changeit",
                                "p.ssl.keystore.location", "/etc/ks.p12",
                                "p.sasl.oauthbearer.token.endpoint.url", "https://idp/token",
                                "p.client.secret", "s3cr3t",
                                "p.security.protocol", "SASL_SSL"),
                        "p.");

        String printed = props.toString();

        assertThat(printed)
                .doesNotContain("alice-secret", "changeit", "/etc/ks.p12", "s3cr3t", "idp")
                .contains("sasl.jaas.config=" + ClientProperties.MASK)
                .contains("ssl.truststore.password=" + ClientProperties.MASK)
                .contains("security.protocol=SASL_SSL");
        // The values themselves pass through unchanged.
        assertThat(props.get("sasl.jaas.config")).isEqualTo(JAAS);
        assertThat(ClientProperties.isSecret("SASL.JAAS.CONFIG")).isTrue();
        assertThat(ClientProperties.isSecret("security.protocol")).isFalse();
    }

    @Test
    void parsesKeyValueItemsAndNamesTheOptionOnError() {
        Map<String, String> props =
                ClientProperties.parse(
                        List.of("sasl.jaas.config=a=b;", "security.protocol=SASL_PLAINTEXT"),
                        "--kafka-property");

        assertThat(props).containsEntry("sasl.jaas.config", "a=b;");
        assertThatThrownBy(() -> ClientProperties.parse(List.of("nokey"), "--kafka-property"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--kafka-property");
    }

    @Test
    void rejectsABarePrefix() {
        assertThatThrownBy(
                        () ->
                                ClientProperties.withPrefix(
                                        Map.of("kafka.properties.", "x"), "kafka.properties."))
                .hasMessageContaining("kafka.properties.");
    }

    @Test
    void mergedLetsTheComponentsOwnSettingsWin() {
        Map<String, Object> merged =
                ClientProperties.merged(
                        Map.of("bootstrap.servers", "wrong", "security.protocol", "SSL"),
                        Map.of("bootstrap.servers", "right"));

        assertThat(merged).containsEntry("bootstrap.servers", "right");
        assertThat(merged).containsEntry("security.protocol", "SSL");
    }
}
