package dev.counterweight.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Unknown keys in a service's namespaces fail naming the nearest known key; others pass. */
class KeySpaceTest {

    private static final KeySpace JOB =
            KeySpace.of(
                            List.of(
                                    "weights.strategy",
                                    "weights.min",
                                    "weights.max",
                                    "kafka.bootstrap-servers",
                                    "kafka.starting-offsets",
                                    "metrics.top-classes"),
                            List.of("kafka.properties."))
                    .allowingForeign(List.of("metrics.reporters"), List.of("metrics.reporter."));

    @Test
    void aMisspeltKeyNamesItselfAndTheNearestKnownKey() {
        assertThatThrownBy(() -> JOB.requireKnown(List.of("weights.stratgy", "weights.min")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "Unknown option 'weights.stratgy' (nearest known option:"
                                + " 'weights.strategy')");
    }

    @Test
    void everyUnknownKeyIsNamedInOrder() {
        assertThatThrownBy(() -> JOB.requireKnown(List.of("kafka.bootstrap", "weights.mx")))
                .hasMessage(
                        "Unknown option 'kafka.bootstrap' (nearest known option:"
                                + " 'kafka.bootstrap-servers'); Unknown option 'weights.mx'"
                                + " (nearest known option: 'weights.max')");
    }

    @Test
    void passThroughForeignAndOutsideKeysAreOpen() {
        List<String> keys =
                List.of(
                        "kafka.properties.security.protocol",
                        "kafka.properties.sasl.jaas.config",
                        "metrics.reporters",
                        "metrics.reporter.prom.port",
                        "state.backend.type",
                        "pipeline.generic-types",
                        "weights.strategy");
        assertThat(JOB.unknown(keys)).isEmpty();
        JOB.requireKnown(keys);
    }

    @Test
    void aKeyNobodyKnowsInASharedNamespaceIsUnknown() {
        assertThat(JOB.unknown(List.of("metrics.top-clases", "metrics.reporter.x.port")))
                .containsExactly("metrics.top-clases");
        assertThat(JOB.nearest("metrics.top-clases")).isEqualTo("metrics.top-classes");
    }

    @Test
    void distanceIsLevenshtein() {
        assertThat(KeySpace.distance("", "")).isZero();
        assertThat(KeySpace.distance("abc", "")).isEqualTo(3);
        assertThat(KeySpace.distance("", "abc")).isEqualTo(3);
        assertThat(KeySpace.distance("kitten", "sitting")).isEqualTo(3);
        assertThat(KeySpace.distance("flaw", "lawn")).isEqualTo(2);
        assertThat(KeySpace.distance("weights.stratgy", "weights.strategy")).isEqualTo(1);
        // A transposition is two edits in Levenshtein distance.
        assertThat(KeySpace.distance("ab", "ba")).isEqualTo(2);
    }

    @Test
    void distanceMatchesABruteForceRecursion() {
        String[] words = {"", "a", "ab", "ba", "abc", "acb", "weights", "wieghts", "kafka", "kfka"};
        for (String a : words) {
            for (String b : words) {
                assertThat(KeySpace.distance(a, b)).as(a + " -> " + b).isEqualTo(naive(a, b));
            }
        }
    }

    @Test
    void aClosedChoiceAcceptsAnyCaseAndOtherwiseListsTheAllowedValues() {
        List<String> allowed = List.of("EARLIEST", "LATEST", "COMMITTED");
        assertThat(KeySpace.requireChoice("kafka.starting-offsets", "latest", allowed))
                .isEqualTo("LATEST");
        assertThatThrownBy(
                        () -> KeySpace.requireChoice("kafka.starting-offsets", "newest", allowed))
                .hasMessage(
                        "Invalid value 'newest' for option 'kafka.starting-offsets': expected one"
                                + " of EARLIEST, LATEST, COMMITTED");
    }

    @Test
    void anEmptyKeySpaceIsRejected() {
        assertThatThrownBy(() -> KeySpace.of(List.of(), List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** The textbook recursion, exponential but obviously right for short words. */
    private static int naive(String a, String b) {
        if (a.isEmpty()) {
            return b.length();
        }
        if (b.isEmpty()) {
            return a.length();
        }
        int cost = a.charAt(0) == b.charAt(0) ? 0 : 1;
        return Math.min(
                naive(a.substring(1), b.substring(1)) + cost,
                Math.min(naive(a.substring(1), b), naive(a, b.substring(1))) + 1);
    }
}
