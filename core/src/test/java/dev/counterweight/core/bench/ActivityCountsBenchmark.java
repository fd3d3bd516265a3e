package dev.counterweight.core.bench;

import dev.counterweight.core.decay.HalfLife;
import dev.counterweight.core.features.ActivityCounts;
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
 * {@link ActivityCounts#add}, the mutable decayed exposure/click/purchase counts behind the user,
 * item and category features, one event per operation.
 *
 * <p>Event times advance by about one second per event with 10% late arrivals (up to a minute old),
 * so both the "newer event" and the "late event" branches run, as in a real stream.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ActivityCountsBenchmark {

    private static final int EVENTS = 1 << 12;

    private final HalfLife halfLife = HalfLife.of(Duration.ofHours(6));
    private final long[] offsets = new long[EVENTS];
    private final boolean[] clicks = new boolean[EVENTS];
    private final boolean[] purchases = new boolean[EVENTS];
    private long base;
    private int next;
    private ActivityCounts activity;

    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < EVENTS; i++) {
            long late = random.nextInt(10) == 0 ? random.nextLong(60_000) : 0;
            offsets[i] = i * 1_000L - late;
            clicks[i] = random.nextInt(20) == 0;
            purchases[i] = clicks[i] && random.nextInt(10) == 0;
        }
        base = 1_700_000_000_000L;
        activity = new ActivityCounts();
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
    public ActivityCounts add() {
        int i = nextEvent();
        activity.add(base + offsets[i], clicks[i], purchases[i], halfLife);
        return activity;
    }
}
