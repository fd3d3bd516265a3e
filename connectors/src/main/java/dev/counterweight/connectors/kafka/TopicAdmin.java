package dev.counterweight.connectors.kafka;

import dev.counterweight.connectors.kafka.Topics.TopicSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** Creates and lists the Counterweight topics on a cluster ({@code topics create|list}). */
public final class TopicAdmin {

    /**
     * One topic as found (or just created) on the cluster.
     *
     * @param name topic name
     * @param partitions partition count
     * @param replicationFactor replicas per partition
     * @param cleanupPolicy {@code delete} or {@code compact}
     * @param status {@code created}, {@code exists}, or for {@code list} the value type (or {@code
     *     -} for topics that are not Counterweight's)
     */
    public record TopicStatus(
            String name,
            int partitions,
            int replicationFactor,
            String cleanupPolicy,
            String status) {}

    private TopicAdmin() {}

    /**
     * Creates every topic of {@link Topics#specs}{@code (partitions)} that does not exist yet;
     * leaves existing ones as they are, noting a cleanup policy other than the registry's.
     */
    public static List<TopicStatus> createAll(
            String bootstrapServers, int partitions, short replicationFactor, Duration timeout) {
        return createAll(bootstrapServers, partitions, replicationFactor, timeout, Map.of());
    }

    /** {@link #createAll} with Kafka client pass-through settings (SASL/SSL). */
    public static List<TopicStatus> createAll(
            String bootstrapServers,
            int partitions,
            short replicationFactor,
            Duration timeout,
            Map<String, String> clientProperties) {
        List<TopicSpec> specs = Topics.specs(partitions);
        try (Admin admin = admin(bootstrapServers, timeout, clientProperties)) {
            Set<String> created = new TreeSet<>();
            for (TopicSpec spec : specs) {
                try {
                    admin.createTopics(List.of(spec.toNewTopic(replicationFactor)))
                            .all()
                            .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                    created.add(spec.name());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw failure(bootstrapServers, "cannot create topic " + spec.name(), e);
                    }
                }
            }
            List<TopicStatus> described =
                    describe(admin, specs.stream().map(TopicSpec::name).toList(), timeout);
            List<TopicStatus> out = new ArrayList<>();
            for (int i = 0; i < specs.size(); i++) {
                TopicSpec spec = specs.get(i);
                TopicStatus found = described.get(i);
                String expected =
                        spec.compacted()
                                ? TopicConfig.CLEANUP_POLICY_COMPACT
                                : TopicConfig.CLEANUP_POLICY_DELETE;
                String status = created.contains(spec.name()) ? "created" : "exists";
                if (!found.cleanupPolicy().equals(expected)) {
                    status += " (expected cleanup.policy=" + expected + ")";
                }
                out.add(
                        new TopicStatus(
                                found.name(),
                                found.partitions(),
                                found.replicationFactor(),
                                found.cleanupPolicy(),
                                status));
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (TimeoutException e) {
            throw failure(bootstrapServers, "timed out after " + timeout, e);
        }
    }

    /** Every (non-internal) topic of the cluster, sorted by name; status = value type or "-". */
    public static List<TopicStatus> list(String bootstrapServers, Duration timeout) {
        return list(bootstrapServers, timeout, Map.of());
    }

    /** {@link #list} with Kafka client pass-through settings (SASL/SSL). */
    public static List<TopicStatus> list(
            String bootstrapServers, Duration timeout, Map<String, String> clientProperties) {
        try (Admin admin = admin(bootstrapServers, timeout, clientProperties)) {
            Set<String> names =
                    new TreeSet<>(
                            admin.listTopics()
                                    .names()
                                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS));
            return describe(admin, names, timeout).stream()
                    .map(
                            t ->
                                    new TopicStatus(
                                            t.name(),
                                            t.partitions(),
                                            t.replicationFactor(),
                                            t.cleanupPolicy(),
                                            Topics.find(t.name())
                                                    .map(k -> k.valueType().getSimpleName())
                                                    .orElse("-")))
                    .toList();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while listing topics", e);
        } catch (ExecutionException | TimeoutException e) {
            throw failure(bootstrapServers, "cannot list topics", e);
        }
    }

    /**
     * Describes the topics, retrying while the broker does not know one yet: a topic created a
     * moment ago may not have reached the metadata the describe calls read (seen in CI right after
     * {@code topics create}: "This server does not host this topic-partition").
     */
    private static List<TopicStatus> describe(
            Admin admin, Collection<String> names, Duration timeout)
            throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                return describeOnce(admin, names, timeout);
            } catch (IllegalStateException e) {
                boolean unknown =
                        e.getCause() instanceof ExecutionException ee
                                && ee.getCause() instanceof UnknownTopicOrPartitionException;
                if (!unknown || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    private static List<TopicStatus> describeOnce(
            Admin admin, Collection<String> names, Duration timeout)
            throws InterruptedException, TimeoutException {
        try {
            Map<String, TopicDescription> descriptions =
                    admin.describeTopics(names)
                            .allTopicNames()
                            .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            Map<ConfigResource, Config> configs =
                    admin.describeConfigs(
                                    names.stream()
                                            .map(
                                                    n ->
                                                            new ConfigResource(
                                                                    ConfigResource.Type.TOPIC, n))
                                            .toList())
                            .all()
                            .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            List<TopicStatus> out = new ArrayList<>();
            for (String name : names) {
                TopicDescription d = descriptions.get(name);
                var policy =
                        configs.get(new ConfigResource(ConfigResource.Type.TOPIC, name))
                                .get(TopicConfig.CLEANUP_POLICY_CONFIG);
                out.add(
                        new TopicStatus(
                                name,
                                d.partitions().size(),
                                d.partitions().isEmpty()
                                        ? 0
                                        : d.partitions().get(0).replicas().size(),
                                policy == null ? "?" : policy.value(),
                                ""));
            }
            return out;
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot describe topics: " + e.getCause(), e);
        }
    }

    private static Admin admin(
            String bootstrapServers, Duration timeout, Map<String, String> clientProperties) {
        return Admin.create(
                ClientProperties.merged(
                        clientProperties,
                        Map.of(
                                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                                bootstrapServers,
                                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                                (int) timeout.toMillis(),
                                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                                (int) timeout.toMillis())));
    }

    private static IllegalStateException failure(
            String bootstrapServers, String what, Exception e) {
        Throwable cause =
                e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        return new IllegalStateException(
                "Kafka at '"
                        + bootstrapServers
                        + "' (--bootstrap-servers): "
                        + what
                        + ": "
                        + cause.getMessage(),
                e);
    }
}
