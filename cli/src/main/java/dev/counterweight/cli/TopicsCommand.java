package dev.counterweight.cli;

import dev.counterweight.connectors.kafka.TopicAdmin;
import dev.counterweight.connectors.kafka.TopicAdmin.TopicStatus;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code topics create} and {@code topics list}. */
@Command(
        name = "topics",
        mixinStandardHelpOptions = true,
        description = "Create or list the Counterweight topics on a Kafka cluster.",
        subcommands = {TopicsCommand.Create.class, TopicsCommand.ListTopics.class})
public final class TopicsCommand implements Runnable {

    @Spec CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing subcommand: create or list");
    }

    /** {@code topics create}. */
    @Command(
            name = "create",
            mixinStandardHelpOptions = true,
            description =
                    "Create every Counterweight topic that does not exist yet (class-weights and"
                            + " model-snapshots compacted) and print what exists.")
    static final class Create implements Callable<Integer> {

        @Spec CommandSpec spec;

        @Mixin KafkaClientOptions kafka = new KafkaClientOptions();

        @Option(
                names = "--partitions",
                defaultValue = "2",
                description =
                        "Partitions of the data topics (events, weighted-samples); the others"
                                + " have one. Default: ${DEFAULT-VALUE}.")
        int partitions;

        @Option(
                names = "--replication-factor",
                defaultValue = "1",
                description = "Replicas per partition. Default: ${DEFAULT-VALUE}.")
        short replicationFactor;

        @Option(
                names = "--timeout",
                defaultValue = "PT30S",
                description = "How long to wait for the cluster. Default: ${DEFAULT-VALUE}.")
        Duration timeout;

        @Override
        public Integer call() {
            if (partitions < 1) {
                throw new ParameterException(
                        spec.commandLine(), "--partitions must be at least 1, was " + partitions);
            }
            if (replicationFactor < 1) {
                throw new ParameterException(
                        spec.commandLine(),
                        "--replication-factor must be at least 1, was " + replicationFactor);
            }
            print(
                    spec.commandLine().getOut(),
                    TopicAdmin.createAll(
                            kafka.bootstrapServers(),
                            partitions,
                            replicationFactor,
                            timeout,
                            kafka.properties()),
                    "STATUS");
            return 0;
        }
    }

    /** {@code topics list}. */
    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description =
                    "List the topics of a Kafka cluster with their layout and, for Counterweight"
                            + " topics, the Avro type they carry.")
    static final class ListTopics implements Callable<Integer> {

        @Spec CommandSpec spec;

        @Mixin KafkaClientOptions kafka = new KafkaClientOptions();

        @Option(
                names = "--timeout",
                defaultValue = "PT30S",
                description = "How long to wait for the cluster. Default: ${DEFAULT-VALUE}.")
        Duration timeout;

        @Override
        public Integer call() {
            print(
                    spec.commandLine().getOut(),
                    TopicAdmin.list(kafka.bootstrapServers(), timeout, kafka.properties()),
                    "VALUE TYPE");
            return 0;
        }
    }

    static void print(PrintWriter out, List<TopicStatus> topics, String statusHeader) {
        out.print(
                TextTable.format(
                        List.of(
                                "TOPIC",
                                "PARTITIONS",
                                "REPLICATION",
                                "CLEANUP.POLICY",
                                statusHeader),
                        topics.stream()
                                .map(
                                        t ->
                                                List.of(
                                                        t.name(),
                                                        String.valueOf(t.partitions()),
                                                        String.valueOf(t.replicationFactor()),
                                                        t.cleanupPolicy(),
                                                        t.status()))
                                .toList()));
        out.flush();
    }
}
