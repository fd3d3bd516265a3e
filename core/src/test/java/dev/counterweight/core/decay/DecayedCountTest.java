package dev.counterweight.core.decay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DecayedCountTest {

    private static final HalfLife HOUR = new HalfLife(3_600_000L);

    private record Event(double amount, long time) {}

    private static List<Event> randomEvents(SplittableRandom rnd, int n, long span) {
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double amount = rnd.nextInt(4) == 0 ? 1.0 : rnd.nextDouble() * 5;
            events.add(new Event(amount, 1_700_000_000_000L + rnd.nextLong(span)));
        }
        return events;
    }

    private static DecayedCount count(List<Event> events, HalfLife h) {
        DecayedCount c = DecayedCount.ZERO;
        for (Event e : events) {
            c = c.add(e.amount(), e.time(), h);
        }
        return c;
    }

    /** Σ amount_i · 2^{-(T - t_i)/h} at T = max t_i, computed directly in double precision. */
    private static double bruteForce(List<Event> events, HalfLife h, long at) {
        double sum = 0;
        for (Event e : events) {
            sum += e.amount() * Math.pow(2, -(double) (at - e.time()) / h.millis());
        }
        return sum;
    }

    private static long maxTime(List<Event> events) {
        return events.stream().mapToLong(Event::time).max().orElseThrow();
    }

    @Test
    void matchesBruteForceInAnyArrivalOrder() {
        SplittableRandom rnd = new SplittableRandom(7);
        Random shuffler = new Random(7);
        for (int trial = 0; trial < 20; trial++) {
            List<Event> events = randomEvents(rnd, 300, 20 * HOUR.millis());
            long t = maxTime(events);
            double expected = bruteForce(events, HOUR, t);
            for (int order = 0; order < 5; order++) {
                Collections.shuffle(events, shuffler);
                DecayedCount c = count(events, HOUR);
                assertThat(c.referenceTimeMillis()).isEqualTo(t);
                assertThat(c.value()).isCloseTo(expected, within(expected * 1e-12));
            }
        }
    }

    @Test
    void mergeOfPartitionsEqualsSingleCounter() {
        SplittableRandom rnd = new SplittableRandom(11);
        for (int trial = 0; trial < 20; trial++) {
            List<Event> events = randomEvents(rnd, 400, 10 * HOUR.millis());
            int partitions = 1 + rnd.nextInt(6);
            List<List<Event>> parts = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                parts.add(new ArrayList<>());
            }
            for (Event e : events) {
                parts.get(rnd.nextInt(partitions)).add(e);
            }
            DecayedCount merged = DecayedCount.ZERO;
            for (List<Event> part : parts) {
                merged =
                        rnd.nextBoolean()
                                ? merged.merge(count(part, HOUR), HOUR)
                                : count(part, HOUR).merge(merged, HOUR);
            }
            DecayedCount single = count(events, HOUR);
            double expected = bruteForce(events, HOUR, maxTime(events));
            assertThat(merged.referenceTimeMillis()).isEqualTo(single.referenceTimeMillis());
            assertThat(merged.value()).isCloseTo(single.value(), within(expected * 1e-12));
            assertThat(merged.value()).isCloseTo(expected, within(expected * 1e-12));
        }
    }

    @Test
    void zeroIsTheMergeIdentity() {
        DecayedCount c = DecayedCount.ZERO.add(3, 1000, HOUR);
        assertThat(c.merge(DecayedCount.ZERO, HOUR)).isEqualTo(c);
        assertThat(DecayedCount.ZERO.merge(c, HOUR)).isEqualTo(c);
        assertThat(DecayedCount.ZERO.merge(DecayedCount.ZERO, HOUR)).isEqualTo(DecayedCount.ZERO);
        assertThat(DecayedCount.ZERO.valueAt(123, HOUR)).isEqualTo(0.0);
    }

    @Test
    void noHalfLifeGivesExactIntegerCounts() {
        SplittableRandom rnd = new SplittableRandom(3);
        DecayedCount c = DecayedCount.ZERO;
        for (int i = 0; i < 10_000; i++) {
            c = c.add(1, rnd.nextLong(Long.MIN_VALUE, Long.MAX_VALUE), HalfLife.NONE);
        }
        assertThat(c.value()).isEqualTo(10_000.0);
        assertThat(c.valueAt(Long.MAX_VALUE, HalfLife.NONE)).isEqualTo(10_000.0);
    }

    @Test
    void halvesEveryHalfLife() {
        DecayedCount c = DecayedCount.ZERO.add(8, 0, HOUR);
        assertThat(c.valueAt(HOUR.millis(), HOUR)).isEqualTo(4.0);
        assertThat(c.valueAt(3 * HOUR.millis(), HOUR)).isEqualTo(1.0);
        // A late event one half-life old counts half.
        assertThat(c.add(2, -HOUR.millis(), HOUR).value()).isEqualTo(9.0);
    }

    @Test
    void valueBeforeReferenceIsValueAtReference() {
        DecayedCount c = DecayedCount.ZERO.add(1, 0, HOUR).add(1, 5000, HOUR);
        assertThat(c.valueAt(0, HOUR)).isEqualTo(c.value());
        assertThat(c.valueAt(5000, HOUR)).isEqualTo(c.value());
        assertThat(c.valueAt(Long.MIN_VALUE, HOUR)).isEqualTo(c.value());
    }

    @Test
    void valueAtLaterTimeMatchesBruteForce() {
        SplittableRandom rnd = new SplittableRandom(5);
        List<Event> events = randomEvents(rnd, 200, 5 * HOUR.millis());
        DecayedCount c = count(events, HOUR);
        long later = maxTime(events) + 2 * HOUR.millis() + 12345;
        double expected = bruteForce(events, HOUR, later);
        assertThat(c.valueAt(later, HOUR)).isCloseTo(expected, within(expected * 1e-12));
        DecayedCount advanced = c.advanceTo(later, HOUR);
        assertThat(advanced.referenceTimeMillis()).isEqualTo(later);
        assertThat(advanced.value()).isEqualTo(c.valueAt(later, HOUR));
        assertThat(c.advanceTo(0, HOUR)).isSameAs(c);
    }

    @Test
    void hugeGapsUnderflowGracefully() {
        HalfLife ms = new HalfLife(1);
        DecayedCount c = DecayedCount.ZERO.add(1e300, Long.MIN_VALUE, ms);
        assertThat(c).isEqualTo(new DecayedCount(1e300, Long.MIN_VALUE));
        c = c.add(2, Long.MAX_VALUE, ms);
        assertThat(c).isEqualTo(new DecayedCount(2, Long.MAX_VALUE));
        // A late event from the far past adds nothing, without NaN or overflow.
        c = c.add(1e300, Long.MIN_VALUE + 1, ms);
        assertThat(c.value()).isEqualTo(2.0);
        assertThat(c.valueAt(Long.MAX_VALUE, ms)).isEqualTo(2.0);
        DecayedCount old = DecayedCount.ZERO.add(5, 0, ms);
        assertThat(old.valueAt(2000, ms)).isEqualTo(0.0);
        assertThat(old.merge(new DecayedCount(1, 1_000_000), ms).value()).isEqualTo(1.0);
    }

    @Test
    void rejectsInvalidAmountsAndValues() {
        assertThatThrownBy(() -> DecayedCount.ZERO.add(-1, 0, HOUR))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("amount");
        assertThatThrownBy(() -> DecayedCount.ZERO.add(Double.NaN, 0, HOUR))
                .hasMessageContaining("amount");
        assertThatThrownBy(() -> DecayedCount.ZERO.add(Double.POSITIVE_INFINITY, 0, HOUR))
                .hasMessageContaining("amount");
        assertThatThrownBy(() -> new DecayedCount(-0.5, 0)).hasMessageContaining("value");
        assertThatThrownBy(() -> DecayedCount.ZERO.add(1, 0, null))
                .isInstanceOf(NullPointerException.class);
    }
}
