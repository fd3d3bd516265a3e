package dev.counterweight.core.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The option keys one service owns, so that a misspelt key fails at start instead of silently
 * running the default.
 *
 * <p>A service owns the namespaces of its known keys (the text up to the first dot, e.g. {@code
 * weights.} for {@code weights.strategy}). A key inside one of those namespaces is unknown unless
 * it is a known key, starts with an open prefix (a pass-through such as {@code kafka.properties.})
 * or is a key another system owns in the same namespace (Flink's {@code metrics.*}). Keys outside
 * the namespaces belong to someone else and are never checked.
 */
public final class KeySpace {

    private final SortedSet<String> known;
    private final Set<String> namespaces;
    private final List<String> openPrefixes;
    private final Set<String> foreignKeys;
    private final List<String> foreignPrefixes;

    private KeySpace(
            SortedSet<String> known,
            List<String> openPrefixes,
            Set<String> foreignKeys,
            List<String> foreignPrefixes) {
        if (known.isEmpty()) {
            throw new IllegalArgumentException("a key space needs at least one known key");
        }
        this.known = known;
        this.openPrefixes = List.copyOf(openPrefixes);
        this.foreignKeys = Set.copyOf(foreignKeys);
        this.foreignPrefixes = List.copyOf(foreignPrefixes);
        Set<String> ns = new TreeSet<>();
        for (String key : known) {
            ns.add(namespace(key));
        }
        for (String prefix : openPrefixes) {
            ns.add(namespace(prefix));
        }
        this.namespaces = Set.copyOf(ns);
    }

    /**
     * The keys of one service.
     *
     * @param known every key the service declares
     * @param openPrefixes prefixes whose keys are passed on unchecked (e.g. {@code
     *     kafka.properties.})
     */
    public static KeySpace of(Collection<String> known, Collection<String> openPrefixes) {
        return new KeySpace(new TreeSet<>(known), List.copyOf(openPrefixes), Set.of(), List.of());
    }

    /**
     * The same key space, also accepting keys another system owns inside its namespaces (for the
     * job: Flink's own {@code metrics.*} keys).
     */
    public KeySpace allowingForeign(Collection<String> keys, Collection<String> prefixes) {
        List<String> allPrefixes = new ArrayList<>(foreignPrefixes);
        allPrefixes.addAll(prefixes);
        Set<String> allKeys = new TreeSet<>(foreignKeys);
        allKeys.addAll(keys);
        return new KeySpace(known, openPrefixes, allKeys, allPrefixes);
    }

    /** Whether {@code key} is inside this service's namespaces and nobody knows it. */
    public boolean isUnknown(String key) {
        if (!namespaces.contains(namespace(key))
                || known.contains(key)
                || foreignKeys.contains(key)) {
            return false;
        }
        for (String p : openPrefixes) {
            if (key.startsWith(p)) {
                return false;
            }
        }
        for (String p : foreignPrefixes) {
            if (key.startsWith(p)) {
                return false;
            }
        }
        return true;
    }

    /** The unknown keys among {@code keys}, sorted. */
    public List<String> unknown(Collection<String> keys) {
        SortedSet<String> out = new TreeSet<>();
        for (String key : keys) {
            if (isUnknown(key)) {
                out.add(key);
            }
        }
        return List.copyOf(out);
    }

    /**
     * Fails if any key is unknown.
     *
     * @throws IllegalArgumentException naming each unknown key and the nearest known key, e.g.
     *     {@code Unknown option 'weights.stratgy' (nearest known option: 'weights.strategy')}
     */
    public void requireKnown(Collection<String> keys) {
        List<String> unknown = unknown(keys);
        if (unknown.isEmpty()) {
            return;
        }
        List<String> parts = new ArrayList<>();
        for (String key : unknown) {
            parts.add(
                    "Unknown option '" + key + "' (nearest known option: '" + nearest(key) + "')");
        }
        throw new IllegalArgumentException(String.join("; ", parts));
    }

    /**
     * The known key closest to {@code key} by edit distance (ignoring case); on a tie the one that
     * shares the longest prefix, then the first in alphabetical order.
     */
    public String nearest(String key) {
        String lower = key.toLowerCase(Locale.ROOT);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        int bestPrefix = -1;
        for (String candidate : known) {
            int d = distance(lower, candidate.toLowerCase(Locale.ROOT));
            int prefix = commonPrefix(lower, candidate);
            if (d < bestDistance || (d == bestDistance && prefix > bestPrefix)) {
                best = candidate;
                bestDistance = d;
                bestPrefix = prefix;
            }
        }
        return best;
    }

    /** The known keys, sorted. */
    public SortedSet<String> known() {
        return Collections.unmodifiableSortedSet(known);
    }

    /**
     * Levenshtein distance: the fewest single-character insertions, deletions and substitutions
     * that turn {@code a} into {@code b}.
     */
    public static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    /**
     * A closed choice: returns the allowed value equal to {@code value} ignoring case.
     *
     * @throws IllegalArgumentException naming the key, the value and every allowed value
     */
    public static String requireChoice(String key, String value, List<String> allowed) {
        for (String a : allowed) {
            if (a.equalsIgnoreCase(value)) {
                return a;
            }
        }
        throw new IllegalArgumentException(
                "Invalid value '"
                        + value
                        + "' for option '"
                        + key
                        + "': expected one of "
                        + String.join(", ", allowed));
    }

    private static String namespace(String key) {
        int dot = key.indexOf('.');
        return dot < 0 ? key : key.substring(0, dot + 1);
    }

    private static int commonPrefix(String a, String b) {
        int n = Math.min(a.length(), b.length());
        int i = 0;
        while (i < n && a.charAt(i) == b.charAt(i)) {
            i++;
        }
        return i;
    }
}
