package dev.counterweight.deploy.cli;

import dev.counterweight.connectors.kafka.ClientProperties;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The {@code --kafka-property key=value} option of every command that talks to Kafka: settings
 * passed unchanged to each Kafka client of the command (SASL/SSL and the like).
 */
public final class KafkaClientOptions {

    static final String OPTION = "--kafka-property";

    @Option(
            names = OPTION,
            paramLabel = "KEY=VALUE",
            description =
                    "Kafka client setting passed to every Kafka client of this command, e.g."
                            + " security.protocol=SASL_SSL; repeatable. Values of keys containing"
                            + " password, secret, jaas, token or key are never printed.")
    List<String> items = new ArrayList<>();

    /** The parsed settings; an immutable map that prints its secrets masked. */
    public Map<String, String> properties() {
        return ClientProperties.parse(items, OPTION);
    }
}
