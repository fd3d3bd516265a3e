package dev.counterweight.core.bench;

import dev.counterweight.core.decay.DecayedCount;
import dev.counterweight.core.decay.HalfLife;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * {@link DecayedCount#add}, the immutable decayed counter behind the class counts, one event per
 * operation.
 *
 * <p>Event times advance by about one second per event with 10% late arrivals (up to a minute old),
 * so both the "newer event" and the "late event" branches run, as in a real stream.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class DecayedCountBenchmark {

    private static final int EVENTS = 1 << 12;

    private final HalfLife halfLife = HalfLife.of(Duration.ofHours(6));
    private final long[] offsets = new long[EVENTS];
    private long base;
    private int next;
    private DecayedCount count;

    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < EVENTS; i++) {
            long late = random.nextInt(10) == 0 ? random.nextLong(60_000) : 0;
            offsets[i] = i * 1_000L - late;
        }
        base = 1_700_000_000_000L;
        count = DecayedCount.ZERO;
    }

    private int nextEvent() {
        int i = next;
        next = (i + 1) & (EVENTS - 1);
        if (next == 0) {
            base += EVENTS * 1_000L;
        }
        return i;
    }

    @Benchmark
    public DecayedCount add() {
        int i = nextEvent();
        count = count.add(1.0, base + offsets[i], halfLife);
        return count;
    }
}
