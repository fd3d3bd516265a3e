package dev.counterweight.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool$;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker in KRaft mode (combined broker and controller), running inside
 * this JVM and bound to 127.0.0.1 only. Used by the local launcher and by the tests: it is the same
 * server code as a production broker, started from the {@code kafka_2.13} jars.
 *
 * <p>Requires {@code org.apache.kafka:kafka_2.13} on the classpath (an optional dependency of this
 * module).
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
    private static final String HOST = "127.0.0.1";

    private final Path logDir;
    private final int brokerPort;
    private final Map<String, Integer> extraPorts;
    private final KafkaRaftServer server;

    private EmbeddedKafkaBroker(
            Path logDir, int brokerPort, Map<String, Integer> extraPorts, KafkaRaftServer server) {
        this.logDir = logDir;
        this.brokerPort = brokerPort;
        this.extraPorts = extraPorts;
        this.server = server;
    }

    /** Starts a broker with default settings and a fresh log directory under {@code dataDir}. */
    public static EmbeddedKafkaBroker start(Path dataDir) {
        return start(dataDir, Map.of());
    }

    /**
     * Formats a fresh log directory under {@code dataDir} and starts a broker on free loopback
     * ports; {@code overrides} are broker settings applied last.
     */
    public static EmbeddedKafkaBroker start(Path dataDir, Map<String, String> overrides) {
        return start(dataDir, overrides, Map.of());
    }

    /**
     * Like {@link #start(Path, Map)}, with extra client listeners besides the PLAINTEXT one (which
     * stays the inter-broker listener): {@code extraListeners} maps a listener name to its security
     * protocol, e.g. {@code SASL_PLAINTEXT -> SASL_PLAINTEXT}; each gets a free loopback port (see
     * {@link #bootstrapServers(String)}). Listener-specific settings such as {@code
     * listener.name.sasl_plaintext.plain.sasl.jaas.config} go in {@code overrides}.
     */
    public static EmbeddedKafkaBroker start(
            Path dataDir, Map<String, String> overrides, Map<String, String> extraListeners) {
        try {
            Files.createDirectories(dataDir);
            Path logDir = Files.createTempDirectory(dataDir, "kafka-");
            int brokerPort = freePort();
            int controllerPort = freePort();
            Map<String, String> props = defaults(logDir, brokerPort, controllerPort);
            Map<String, Integer> extraPorts = new HashMap<>();
            extraListeners.forEach(
                    (name, protocol) -> {
                        int port = freePort();
                        extraPorts.put(name, port);
                        String address = name + "://" + HOST + ":" + port;
                        props.merge("listeners", address, (a, b) -> a + "," + b);
                        props.merge("advertised.listeners", address, (a, b) -> a + "," + b);
                        props.merge(
                                "listener.security.protocol.map",
                                name + ":" + protocol,
                                (a, b) -> a + "," + b);
                    });
            props.putAll(overrides);
            Path propsFile = logDir.resolveSibling(logDir.getFileName() + ".properties");
            writeProperties(props, propsFile);
            format(propsFile);
            Properties properties = new Properties();
            properties.putAll(props);
            KafkaRaftServer server =
                    new KafkaRaftServer(KafkaConfig.fromProps(properties), Time.SYSTEM);
            server.startup();
            EmbeddedKafkaBroker broker =
                    new EmbeddedKafkaBroker(logDir, brokerPort, Map.copyOf(extraPorts), server);
            broker.awaitReady(Duration.ofSeconds(60));
            LOG.info(
                    "Kafka broker (KRaft) ready at {} with logs in {}",
                    broker.bootstrapServers(),
                    logDir);
            return broker;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start embedded Kafka broker", e);
        }
    }

    /** The bootstrap servers string for clients, e.g. {@code 127.0.0.1:40123}. */
    public String bootstrapServers() {
        return HOST + ":" + brokerPort;
    }

    /** The address of an extra listener given to {@link #start(Path, Map, Map)}. */
    public String bootstrapServers(String listenerName) {
        Integer port = extraPorts.get(listenerName);
        if (port == null) {
            throw new IllegalArgumentException(
                    "no listener '" + listenerName + "'; extra listeners: " + extraPorts.keySet());
        }
        return HOST + ":" + port;
    }

    /** The broker's log directory. */
    public Path logDir() {
        return logDir;
    }

    /** Creates the given topics, ignoring ones that exist already; waits until they are created. */
    public void createTopics(Collection<NewTopic> topics) {
        try (Admin admin = admin()) {
            for (NewTopic topic : topics) {
                try {
                    admin.createTopics(java.util.List.of(topic)).all().get(60, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + topic.name(), e);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("timed out creating topics", e);
        }
    }

    /** A new admin client for this broker; the caller closes it. */
    public Admin admin() {
        return Admin.create(
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, (Object) bootstrapServers()));
    }

    @Override
    public void close() {
        server.shutdown();
        server.awaitShutdown();
        LOG.info("Kafka broker at {} stopped", bootstrapServers());
    }

    private void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try (Admin admin = admin()) {
                admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                return;
            } catch (Exception e) {
                last = e;
            }
        }
        throw new IllegalStateException("broker did not become ready in " + timeout, last);
    }

    /**
     * The settings of a single-node KRaft broker (combined broker and controller) on 127.0.0.1:
     * replication factor 1 everywhere, no topic auto-creation, a transaction timeout ceiling above
     * the Flink sinks', and no time-based deletion. Also used to run the same broker as its own JVM
     * ({@code kafka.Kafka server.properties}).
     */
    public static Map<String, String> defaults(Path logDir, int brokerPort, int controllerPort) {
        Map<String, String> p = new HashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@" + HOST + ":" + controllerPort);
        p.put(
                "listeners",
                "PLAINTEXT://"
                        + HOST
                        + ":"
                        + brokerPort
                        + ",CONTROLLER://"
                        + HOST
                        + ":"
                        + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + brokerPort);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", logDir.toAbsolutePath().toString());
        p.put("num.partitions", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "5");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "5");
        // Must be >= the Flink sink's transaction.timeout.ms.
        p.put("transaction.max.timeout.ms", "900000");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "false");
        p.put("log.flush.interval.messages", String.valueOf(Long.MAX_VALUE));
        // Replays carry historical event times as record timestamps; a local broker must not
        // delete them by time-based retention in the middle of a run. A long check interval alone
        // is not enough: the first check runs 30 s after start-up and deleted the older part of
        // a topic produced just before it (the scale benchmark lost 89% of its input that way).
        p.put("log.retention.ms", "-1");
        p.put("log.retention.check.interval.ms", String.valueOf(Long.MAX_VALUE / 2));
        return p;
    }

    /**
     * Formats the KRaft log directory named by a broker properties file (a fresh cluster id; an
     * already formatted directory is left as it is), as {@code kafka-storage.sh format} does.
     */
    public static void format(Path propsFile) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int rc;
        try (PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            rc =
                    StorageTool$.MODULE$.execute(
                            new String[] {
                                "format",
                                "-t",
                                Uuid.randomUuid().toString(),
                                "-c",
                                propsFile.toString(),
                                "--ignore-formatted"
                            },
                            print);
        }
        if (rc != 0) {
            throw new IllegalStateException(
                    "formatting the KRaft log directory failed: "
                            + out.toString(StandardCharsets.UTF_8));
        }
    }

    private static void writeProperties(Map<String, String> props, Path file) throws IOException {
        String text =
                props.entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue())
                        .sorted()
                        .collect(Collectors.joining("\n", "", "\n"));
        Files.writeString(file, text);
    }

    /** A port that was free on 127.0.0.1 a moment ago. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
