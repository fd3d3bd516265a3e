package dev.counterweight.connectors.kafka;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.AuthenticationException;

/**
 * Start-up checks against the Kafka cluster, so a job or service with a wrong bootstrap address or
 * a missing topic fails at once with a message naming the setting, instead of retrying silently.
 */
public final class KafkaPreflight {

    private KafkaPreflight() {}

    /**
     * Fails unless the cluster answers within {@code timeout} and every topic exists.
     *
     * @param bootstrapKey name of the option that gave {@code bootstrapServers}, for the message
     * @param topics topic name to the option that named it
     */
    public static void requireTopics(
            String bootstrapServers,
            String bootstrapKey,
            Map<String, String> topics,
            Map<String, ?> clientProperties,
            Duration timeout) {
        Map<String, Object> config = new java.util.HashMap<>(clientProperties);
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        Set<String> existing;
        try (Admin admin = Admin.create(config)) {
            existing = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking Kafka", e);
        } catch (Exception e) {
            if (causedBy(e, AuthenticationException.class)) {
                throw new IllegalStateException(
                        "Kafka at '"
                                + bootstrapServers
                                + "' ("
                                + bootstrapKey
                                + ") rejected the client's credentials; check the SASL/SSL client"
                                + " properties: "
                                + rootMessage(e),
                        e);
            }
            throw new IllegalStateException(
                    "Cannot reach Kafka at '"
                            + bootstrapServers
                            + "' ("
                            + bootstrapKey
                            + ") within "
                            + timeout
                            + ": "
                            + e.getMessage(),
                    e);
        }
        Collection<String> missing = new TreeSet<>();
        topics.forEach(
                (topic, key) -> {
                    if (!existing.contains(topic)) {
                        missing.add("'" + topic + "' (" + key + ")");
                    }
                });
        if (!missing.isEmpty()) {
            throw new IllegalStateException(
                    "Missing Kafka topic(s) on "
                            + bootstrapServers
                            + ": "
                            + String.join(", ", missing)
                            + ". Create them first, e.g. with 'counterweight topics create'.");
        }
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage();
    }
}
