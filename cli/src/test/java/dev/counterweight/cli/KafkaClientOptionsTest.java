package dev.counterweight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code --kafka-property} on the commands that talk to Kafka. */
class KafkaClientOptionsTest {

    @Test
    void everyKafkaCommandTakesRepeatedKafkaProperties() {
        for (Object command :
                List.of(
                        new TopicsCommand.Create(),
                        new TopicsCommand.ListTopics(),
                        new ReplayCommand(),
                        new InspectCommand(),
                        new ReportCommand())) {
            assertThat(new CommandLine(command).getCommandSpec().findOption("--kafka-property"))
                    .as(command.getClass().getSimpleName())
                    .isNotNull();
        }
        TopicsCommand.Create create = new TopicsCommand.Create();
        new CommandLine(create)
                .parseArgs(
                        "--bootstrap-servers=b:9093",
                        "--kafka-property=security.protocol=SASL_SSL",
                        "--kafka-property",
                        "sasl.jaas.config=x required password=\"p=w\";");

        assertThat(create.kafka.properties())
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.jaas.config", "x required password=\"p=w\";");
        assertThat(create.kafka.properties().toString()).doesNotContain("p=w");
    }
}
