package dev.counterweight.core.bench;

import dev.counterweight.core.weighting.WeightTable;
import dev.counterweight.core.weighting.WeightingConfig;
import dev.counterweight.core.weighting.WeightingStrategy;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * {@link WeightTable#weightOf} against its baseline, a plain {@code HashMap<String, Double>.get}
 * over the same classes and the same lookup keys in the same run.
 *
 * <p>Lookup keys are separate {@code String} instances equal to the table's keys (as a decoded
 * record's class key would be), drawn uniformly over the classes; 1 in 64 is an unknown class, so
 * the fallback path runs too.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class WeightTableBenchmark {

    private static final int LOOKUPS = 1 << 16;

    @Param({"1000", "100000", "1000000"})
    public int classes;

    private WeightTable table;
    private Map<String, Double> baseline;
    private final String[] keys = new String[LOOKUPS];
    private int next;

    static String classKey(int i) {
        return "cat=" + (i >> 1) + "|y=" + ((i & 1) == 0 ? "none" : "click");
    }

    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(42);
        Map<String, Double> counts = new HashMap<>();
        for (int i = 0; i < classes; i++) {
            // Zipf-like counts: a few hot classes, a long tail.
            counts.put(classKey(i), 1_000_000.0 / (i + 1) + random.nextDouble());
        }
        table =
                WeightTable.compute(
                        1, counts, WeightingConfig.defaults(WeightingStrategy.SQRT_INVERSE));
        baseline = new HashMap<>();
        for (Map.Entry<String, Double> e : counts.entrySet()) {
            baseline.put(e.getKey(), table.weightOf(e.getKey()));
        }
        for (int i = 0; i < LOOKUPS; i++) {
            int c = random.nextInt(64) == 0 ? classes + i : random.nextInt(classes);
            keys[i] = new String(classKey(c).toCharArray());
        }
    }

    private String nextKey() {
        String key = keys[next];
        next = (next + 1) & (LOOKUPS - 1);
        return key;
    }

    @Benchmark
    public double weightOf() {
        return table.weightOf(nextKey());
    }

    @Benchmark
    public double hashMapGet() {
        Double w = baseline.get(nextKey());
        return w == null ? 1.0 : w;
    }
}
