package dev.counterweight.core.decay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class HalfLifeTest {

    @Test
    void ofDurationConvertsToMillis() {
        assertThat(HalfLife.of(Duration.ofMinutes(30)).millis()).isEqualTo(1_800_000L);
        assertThat(HalfLife.of(Duration.ofNanos(1_500_000)).millis()).isEqualTo(1L);
    }

    @Test
    void rejectsNonPositiveHalfLives() {
        assertThatThrownBy(() -> new HalfLife(-3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("halfLife must be positive, was -3");
        assertThatThrownBy(() -> new HalfLife(0)).hasMessageContaining("halfLife");
        assertThatThrownBy(() -> HalfLife.of(Duration.ZERO)).hasMessageContaining("halfLife");
        assertThatThrownBy(() -> HalfLife.of(Duration.ofSeconds(-1)))
                .hasMessageContaining("halfLife must be positive");
        assertThatThrownBy(() -> HalfLife.of(Duration.ofNanos(999_999)))
                .hasMessageContaining("at least 1 ms");
        assertThatThrownBy(() -> HalfLife.of(Duration.ofSeconds(Long.MAX_VALUE)))
                .hasMessageContaining("too long");
    }

    @Test
    void noneIsTheMaxValueSentinel() {
        assertThat(HalfLife.NONE.isNone()).isTrue();
        assertThat(new HalfLife(Long.MAX_VALUE)).isEqualTo(HalfLife.NONE);
        assertThat(new HalfLife(1000).isNone()).isFalse();
        assertThat(HalfLife.NONE.factor(Long.MAX_VALUE)).isEqualTo(1.0);
        assertThat(HalfLife.NONE.factorBetween(Long.MAX_VALUE, Long.MIN_VALUE)).isEqualTo(1.0);
    }

    @Test
    void factorIsExactAtWholeHalfLives() {
        HalfLife h = new HalfLife(60_000);
        assertThat(h.factor(0)).isEqualTo(1.0);
        assertThat(h.factor(60_000)).isEqualTo(0.5);
        assertThat(h.factor(120_000)).isEqualTo(0.25);
        assertThat(h.factor(600_000)).isEqualTo(1.0 / 1024);
    }

    @Test
    void factorMatchesExponentialClosedForm() {
        SplittableRandom rnd = new SplittableRandom(1);
        for (int i = 0; i < 2000; i++) {
            long millis = 1 + rnd.nextLong(10_000_000L);
            long delta = rnd.nextLong(50 * millis);
            HalfLife h = new HalfLife(millis);
            double expected = Math.exp(-delta * Math.log(2) / millis);
            assertThat(h.factor(delta)).isCloseTo(expected, within(expected * 1e-13));
        }
    }

    @Test
    void hugeAgesUnderflowToZeroWithoutNaN() {
        HalfLife h = new HalfLife(1);
        assertThat(h.factor(Long.MAX_VALUE)).isEqualTo(0.0);
        assertThat(h.factorBetween(Long.MAX_VALUE, Long.MIN_VALUE)).isEqualTo(0.0);
    }

    @Test
    void factorBetweenSurvivesLongOverflow() {
        // The gap 2^64 - 1 overflows a long; with a half-life of about 2^63 the factor is ~1/4.
        HalfLife h = new HalfLife(Long.MAX_VALUE - 1);
        double gapInHalfLives = 18446744073709551615.0 / (Long.MAX_VALUE - 1);
        assertThat(h.factorBetween(Long.MAX_VALUE, Long.MIN_VALUE))
                .isCloseTo(Math.pow(2, -gapInHalfLives), within(1e-15))
                .isCloseTo(0.25, within(1e-12));
    }

    @Test
    void rejectsNegativeAges() {
        HalfLife h = new HalfLife(10);
        assertThatThrownBy(() -> h.factor(-1)).hasMessageContaining("deltaMillis");
        assertThatThrownBy(() -> h.factorBetween(5, 6)).hasMessageContaining("earlierMillis");
    }
}
