package dev.counterweight.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PercentilesTest {

    /** Brute force: the smallest value with at least p% of the values at or below it. */
    private static long reference(long[] values, double p) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        for (long candidate : sorted) {
            long atOrBelow = Arrays.stream(values).filter(v -> v <= candidate).count();
            if (atOrBelow * 100.0 >= p * values.length - 1e-9) {
                return candidate;
            }
        }
        throw new AssertionError("unreachable");
    }

    @Test
    void matchesTheBruteForceDefinitionOnRandomData() {
        SplittableRandom random = new SplittableRandom(7);
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + random.nextInt(1500);
            long[] values = new long[n];
            for (int i = 0; i < n; i++) {
                values[i] = random.nextInt(300);
            }
            Percentiles percentiles = Percentiles.of(values);
            for (double p : new double[] {0.1, 1, 50, 90, 99, 99.9, 100}) {
                assertThat(percentiles.percentile(p))
                        .as("p%s of %d values", p, n)
                        .isEqualTo(reference(values, p));
            }
        }
    }

    @Test
    void knownSmallCases() {
        long[] tenValues = {10, 1, 9, 2, 8, 3, 7, 4, 6, 5};
        Percentiles p = Percentiles.of(tenValues);
        assertThat(p.percentile(50)).isEqualTo(5);
        assertThat(p.percentile(99)).isEqualTo(10);
        assertThat(p.percentile(10)).isEqualTo(1);
        assertThat(p.percentile(11)).isEqualTo(2);
        assertThat(p.max()).isEqualTo(10);
        // 1000 values 1..1000: p99.9 is rank 999 exactly, not 1000 (no floating-point round-up).
        long[] thousand = new long[1000];
        for (int i = 0; i < 1000; i++) {
            thousand[i] = i + 1;
        }
        assertThat(Percentiles.of(thousand).percentile(99.9)).isEqualTo(999);
        assertThat(Percentiles.of(thousand).percentile(99)).isEqualTo(990);
    }

    @Test
    void usesOnlyTheFirstCountValuesAndCopiesThem() {
        long[] buffer = {5, 1, 3, 1000, 1000};
        Percentiles p = Percentiles.of(buffer, 3);
        buffer[0] = 0;
        assertThat(p.count()).isEqualTo(3);
        assertThat(p.max()).isEqualTo(5);
        assertThat(p.percentile(50)).isEqualTo(3);
    }

    @Test
    void rejectsEmptyInputAndBadPercentiles() {
        assertThatThrownBy(() -> Percentiles.of().percentile(50))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> Percentiles.of(1, 2).percentile(0))
                .hasMessageContaining("percentile must lie in (0, 100]");
        assertThatThrownBy(() -> Percentiles.of(new long[2], 3))
                .hasMessageContaining("count must lie in [0, 2]");
    }
}
