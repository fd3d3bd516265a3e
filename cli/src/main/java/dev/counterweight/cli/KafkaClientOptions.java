package dev.counterweight.cli;

import dev.counterweight.connectors.kafka.ClientProperties;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The Kafka options of every command that talks to Kafka: {@code --bootstrap-servers}, and {@code
 * --kafka-property key=value} settings passed unchanged to each Kafka client of the command
 * (SASL/SSL and the like).
 */
public final class KafkaClientOptions {

    static final String OPTION = "--kafka-property";

    @Option(
            names = "--bootstrap-servers",
            required = true,
            description = "Kafka bootstrap servers, e.g. 127.0.0.1:9092.")
    String bootstrapServers;

    @Option(
            names = OPTION,
            paramLabel = "KEY=VALUE",
            description =
                    "Kafka client setting passed to every Kafka client of this command, e.g."
                            + " security.protocol=SASL_SSL; repeatable. Values of keys containing"
                            + " password, secret, jaas, token or key are never printed.")
    List<String> items = new ArrayList<>();

    /** The bootstrap servers. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The parsed settings; an immutable map that prints its secrets masked. */
    public Map<String, String> properties() {
        return ClientProperties.parse(items, OPTION);
    }
}
