package dev.counterweight.connectors.config;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parses {@code --key value} argument lists, the option syntax of every Counterweight service;
 * {@code --key=value} is the same pair (option keys never contain {@code =}).
 */
public final class CommandLineArgs {

    private CommandLineArgs() {}

    /**
     * The pairs in order.
     *
     * @throws IllegalArgumentException naming the offending argument or the key without a value
     */
    public static Map<String, String> parse(String[] args) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") || a.length() == 2 || a.charAt(2) == '=') {
                throw new IllegalArgumentException("Expected --key value, got '" + a + "'");
            }
            int eq = a.indexOf('=');
            if (eq > 2) {
                // --key=value, as Kubernetes manifests write container args.
                out.put(a.substring(2, eq), a.substring(eq + 1));
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("Option '" + a.substring(2) + "' has no value");
            }
            out.put(a.substring(2), args[++i]);
        }
        return out;
    }
}
