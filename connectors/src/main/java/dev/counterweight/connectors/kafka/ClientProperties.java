package dev.counterweight.connectors.kafka;

import java.io.Serializable;
import java.util.AbstractMap;
import java.util.Collection;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Kafka client settings passed through unchanged to every Kafka client of a component (source,
 * sinks, admin/preflight, producer, consumer): the one mechanism for SASL/SSL and any other client
 * setting Counterweight has no option of its own for. The job reads them from options prefixed
 * {@code kafka.properties.}, the learner from {@code learner.kafka.properties.}, the CLI from
 * repeated {@code --kafka-property key=value}.
 *
 * <p>The maps returned here print themselves masked: values of keys containing {@code password},
 * {@code secret}, {@code jaas}, {@code token} or {@code key} show as {@value #MASK}, so logging a
 * settings record never leaks a credential.
 */
public final class ClientProperties {

    /** What a secret value prints as. */
    public static final String MASK = "******";

    private static final java.util.List<String> SECRET_MARKERS =
            java.util.List.of("password", "secret", "jaas", "token", "key");

    private ClientProperties() {}

    /**
     * The entries of {@code options} whose key starts with {@code prefix}, with the prefix removed,
     * sorted by key; an immutable map that prints masked.
     *
     * @throws IllegalArgumentException naming the option if a key is only the prefix
     */
    public static Map<String, String> withPrefix(Map<String, String> options, String prefix) {
        TreeMap<String, String> out = new TreeMap<>();
        options.forEach(
                (k, v) -> {
                    if (k.startsWith(prefix)) {
                        String key = k.substring(prefix.length()).trim();
                        if (key.isEmpty()) {
                            throw new IllegalArgumentException(
                                    "Invalid option '"
                                            + k
                                            + "': expected "
                                            + prefix
                                            + "<client key>");
                        }
                        out.put(key, v);
                    }
                });
        return new Masked(out);
    }

    /**
     * Parses {@code key=value} items (the value may contain {@code =}); {@code optionName} names
     * the option in the error message.
     */
    public static Map<String, String> parse(Collection<String> items, String optionName) {
        TreeMap<String, String> out = new TreeMap<>();
        for (String item : items) {
            int eq = item.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(
                        "Invalid value for option '"
                                + optionName
                                + "': expected key=value, was '"
                                + mask(item)
                                + "'");
            }
            out.put(item.substring(0, eq).trim(), item.substring(eq + 1));
        }
        return new Masked(out);
    }

    /** An immutable, masked-printing copy of {@code properties}. */
    public static Map<String, String> of(Map<String, String> properties) {
        return properties instanceof Masked ? properties : new Masked(new TreeMap<>(properties));
    }

    /** Whether the value of {@code key} is a credential that must never be logged. */
    public static boolean isSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return SECRET_MARKERS.stream().anyMatch(k::contains);
    }

    /** {@code properties} as {@code {k=v, ...}} with secret values replaced by {@value #MASK}. */
    public static String toMaskedString(Map<String, String> properties) {
        return new TreeMap<>(properties)
                .entrySet().stream()
                        .map(e -> e.getKey() + "=" + (isSecret(e.getKey()) ? MASK : e.getValue()))
                        .collect(Collectors.joining(", ", "{", "}"));
    }

    /** {@code base} plus {@code properties} as a new mutable client config map. */
    public static Map<String, Object> merged(
            Map<String, String> properties, Map<String, Object> base) {
        Map<String, Object> out = new java.util.HashMap<>(properties);
        out.putAll(base);
        return out;
    }

    private static String mask(String item) {
        int eq = item.indexOf('=');
        return eq > 0 && isSecret(item.substring(0, eq)) ? item.substring(0, eq + 1) + MASK : item;
    }

    /** Immutable sorted map whose {@code toString} masks secrets; serializable for Flink. */
    private static final class Masked extends AbstractMap<String, String> implements Serializable {
        private static final long serialVersionUID = 1L;
        private final TreeMap<String, String> map;

        Masked(TreeMap<String, String> map) {
            this.map = map;
        }

        @Override
        public Set<Entry<String, String>> entrySet() {
            return Collections.unmodifiableMap(map).entrySet();
        }

        @Override
        public String get(Object key) {
            return map.get(key);
        }

        @Override
        public boolean containsKey(Object key) {
            return map.containsKey(key);
        }

        @Override
        public String toString() {
            return toMaskedString(map);
        }
    }
}
