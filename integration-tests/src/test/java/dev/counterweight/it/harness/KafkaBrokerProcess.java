package dev.counterweight.it.harness;

import dev.counterweight.connectors.kafka.Topics;
import dev.counterweight.testing.Await;
import dev.counterweight.testing.EmbeddedKafkaBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * A single-node KRaft Kafka broker in its own JVM ({@code kafka.Kafka server.properties}), bound to
 * 127.0.0.1 on ports fixed at creation, so {@link #restart()} keeps the address clients know. The
 * log directory is formatted once, in this JVM, with {@code StorageTool}; settings mirror {@link
 * EmbeddedKafkaBroker}.
 */
public final class KafkaBrokerProcess implements AutoCloseable {

    private static final String HOST = "127.0.0.1";

    private final Path dir;
    private final Path propertiesFile;
    private final int brokerPort;
    private final List<String> flags;
    private ChildJvm jvm;
    private int starts;

    private KafkaBrokerProcess(Path dir, Path propertiesFile, int brokerPort, List<String> flags) {
        this.dir = dir;
        this.propertiesFile = propertiesFile;
        this.brokerPort = brokerPort;
        this.flags = flags;
    }

    /** Formats a log directory under {@code dir} and starts the broker; waits until it answers. */
    public static KafkaBrokerProcess start(Path dir, Map<String, String> overrides) {
        try {
            Files.createDirectories(dir);
            int brokerPort = EmbeddedKafkaBroker.freePort();
            int controllerPort = EmbeddedKafkaBroker.freePort();
            Map<String, String> props = defaults(dir.resolve("data"), brokerPort, controllerPort);
            props.putAll(overrides);
            Path file = dir.resolve("server.properties");
            Files.writeString(
                    file,
                    props.entrySet().stream()
                            .map(e -> e.getKey() + "=" + e.getValue())
                            .collect(Collectors.joining("\n", "", "\n")));
            EmbeddedKafkaBroker.format(file);
            List<String> flags = new ArrayList<>(ItConfig.commonJvmFlags());
            flags.add("-Xms256m");
            flags.add("-Xmx768m");
            flags.addAll(Log4jFiles.flagsFor(dir.resolve("logs").resolve("broker.log")));
            KafkaBrokerProcess broker = new KafkaBrokerProcess(dir, file, brokerPort, flags);
            broker.launch();
            return broker;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the Kafka broker JVM", e);
        }
    }

    public String bootstrapServers() {
        return HOST + ":" + brokerPort;
    }

    /** A new admin client; the caller closes it. */
    public Admin admin() {
        return Admin.create(
                Map.of(
                        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                        (Object) bootstrapServers(),
                        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                        30_000));
    }

    /**
     * Creates every Counterweight topic with {@code partitions} partitions for the data topics,
     * with delete policy and unlimited retention, so the tests can read everything ever written.
     * The tests replay event times from the past: time-based retention would delete those records
     * within a minute, and the compacted topics ({@code class-weights}, {@code model-snapshots})
     * would lose older versions as soon as a transaction marker (stamped with the broker's clock)
     * rolls a segment of past-dated records.
     */
    public void createCounterweightTopics(int partitions) {
        List<NewTopic> topics = new ArrayList<>();
        for (Topics.TopicSpec spec : Topics.specs(partitions)) {
            topics.add(
                    new NewTopic(spec.name(), spec.partitions(), (short) 1)
                            .configs(
                                    Map.of(
                                            "cleanup.policy", "delete",
                                            "retention.ms", "-1",
                                            "retention.bytes", "-1")));
        }
        createTopics(topics);
    }

    /** Creates topics, ignoring ones that exist. */
    public void createTopics(Collection<NewTopic> topics) {
        try (Admin admin = admin()) {
            for (NewTopic topic : topics) {
                try {
                    admin.createTopics(List.of(topic)).all().get(60, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + topic.name(), e);
                    }
                }
            }
        } catch (Exception e) {
            if (e instanceof IllegalStateException ise) {
                throw ise;
            }
            throw new IllegalStateException("cannot create topics", e);
        }
    }

    /** SIGKILL of the broker JVM. */
    public void kill9() {
        jvm.kill9();
    }

    /** Starts the broker again on the same ports and log directory; waits until it answers. */
    public void restart() {
        if (jvm != null && jvm.isAlive()) {
            throw new IllegalStateException("the broker is still running");
        }
        launch();
    }

    public boolean isAlive() {
        return jvm != null && jvm.isAlive();
    }

    public Path dir() {
        return dir;
    }

    @Override
    public void close() {
        if (jvm != null) {
            jvm.stop(Duration.ofSeconds(20));
        }
    }

    private void launch() {
        starts++;
        jvm =
                ChildJvm.start(
                        "kafka-broker#" + starts,
                        ItConfig.childClasspath(),
                        flags,
                        "kafka.Kafka",
                        List.of(propertiesFile.toString()),
                        dir.resolve("logs").resolve("broker-" + starts + ".out"));
        Await.until(
                "the Kafka broker at " + bootstrapServers() + " answers",
                () -> {
                    jvm.requireAlive();
                    try (Admin admin =
                            Admin.create(
                                    Map.of(
                                            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                                            (Object) bootstrapServers(),
                                            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                                            2_000,
                                            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                                            3_000))) {
                        return !admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty();
                    }
                },
                Duration.ofSeconds(120));
    }

    private static Map<String, String> defaults(Path logDir, int brokerPort, int controllerPort) {
        // The same settings as the in-process broker, so both tiers test one configuration.
        Map<String, String> p =
                new TreeMap<>(EmbeddedKafkaBroker.defaults(logDir, brokerPort, controllerPort));
        // Room for the 1 MB bad record of BadInputITCase.
        p.put("message.max.bytes", String.valueOf(4 * 1024 * 1024));
        return p;
    }
}
