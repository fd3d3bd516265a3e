package dev.counterweight.connectors.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CommandLineArgsTest {

    @Test
    void pairsAreReadInOrderInBothSpellings() {
        Map<String, String> m =
                CommandLineArgs.parse(
                        new String[] {
                            "--weights.strategy",
                            "INVERSE",
                            "--learner.bootstrap-servers=$(KAFKA_BOOTSTRAP_SERVERS)",
                            "--kafka.properties.sasl.jaas.config=a=b c=d",
                            "--job.checkpoint-interval",
                            "30 s"
                        });
        assertThat(m)
                .containsExactly(
                        Map.entry("weights.strategy", "INVERSE"),
                        Map.entry("learner.bootstrap-servers", "$(KAFKA_BOOTSTRAP_SERVERS)"),
                        Map.entry("kafka.properties.sasl.jaas.config", "a=b c=d"),
                        Map.entry("job.checkpoint-interval", "30 s"));
    }

    @Test
    void aValueMayContainEqualsSigns() {
        assertThat(CommandLineArgs.parse(new String[] {"--k", "a=b"})).containsEntry("k", "a=b");
    }

    @Test
    void malformedArgumentsFailNamingThem() {
        assertThatThrownBy(() -> CommandLineArgs.parse(new String[] {"weights.strategy"}))
                .hasMessageContaining("'weights.strategy'");
        assertThatThrownBy(() -> CommandLineArgs.parse(new String[] {"--weights.strategy"}))
                .hasMessageContaining("Option 'weights.strategy' has no value");
        assertThatThrownBy(() -> CommandLineArgs.parse(new String[] {"--=x"}))
                .hasMessageContaining("'--=x'");
    }
}
