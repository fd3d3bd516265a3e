package dev.counterweight.core.sampling;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StableHashTest {

    // Reference values computed with an independent Python implementation of FNV-1a 64 and the
    // SplitMix64 finaliser (and, for the FNV vectors, matching the published test vectors).

    @Test
    void fnv1aMatchesReferenceVectors() {
        assertThat(StableHash.fnv1a64("")).isEqualTo(0xcbf29ce484222325L);
        assertThat(StableHash.fnv1a64("a")).isEqualTo(0xaf63dc4c8601ec8cL);
        assertThat(StableHash.fnv1a64("foobar")).isEqualTo(0x85944171f73967e8L);
        assertThat(StableHash.fnv1a64("ü-€")).isEqualTo(0xcea98ba5eccb726bL);
    }

    @Test
    void mixMatchesSplitMix64Outputs() {
        // SplitMix64 seeded with 0 outputs mix64(k · 0x9e3779b97f4a7c15) for k = 1, 2, ...
        assertThat(StableHash.mix64(0x9e3779b97f4a7c15L)).isEqualTo(0xe220a8397b1dcdafL);
        assertThat(StableHash.mix64(2 * 0x9e3779b97f4a7c15L)).isEqualTo(0x6e789e6aa1b965f4L);
    }

    @Test
    void seededHashMatchesReference() {
        assertThat(StableHash.hash64(0, "order-1")).isEqualTo(0xeb4ba40b4d3e8bbaL);
        assertThat(StableHash.hash64(42, "order-1")).isEqualTo(0x22843b79a2addaa1L);
        assertThat(StableHash.hash64(-7, "impression:9f8e")).isEqualTo(0x630523ef8681156fL);
        assertThat(StableHash.unitInterval(42, "order-1")).isEqualTo(0.1348302051507554);
        assertThat(StableHash.unitInterval(-7, "impression:9f8e")).isEqualTo(0.3867971858767343);
    }

    @Test
    void unitIntervalIsUniform() {
        int n = 200_000;
        int buckets = 20;
        long[] observed = new long[buckets];
        for (int i = 0; i < n; i++) {
            double u = StableHash.unitInterval(1234, "impression-" + i);
            assertThat(u).isGreaterThanOrEqualTo(0.0).isLessThan(1.0);
            observed[(int) (u * buckets)]++;
        }
        double expected = (double) n / buckets;
        double chiSquare = 0;
        for (long o : observed) {
            chiSquare += (o - expected) * (o - expected) / expected;
        }
        // 19 degrees of freedom: mean 19, P(χ² > 60) ≈ 4e-6.
        assertThat(chiSquare).isLessThan(60.0);
    }
}
