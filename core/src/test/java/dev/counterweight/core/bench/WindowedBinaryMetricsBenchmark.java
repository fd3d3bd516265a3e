package dev.counterweight.core.bench;

import dev.counterweight.core.metrics.WindowedBinaryMetrics;
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
 * Streaming AUC on a full sliding window: {@link WindowedBinaryMetrics#add} alone (the baseline)
 * and {@code add} followed by {@code auc(false)}, the learner's per-sample update and query.
 *
 * <p>Scores are correlated with the labels (about 5% positives) and rounded to 1e-4 so ties occur.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class WindowedBinaryMetricsBenchmark {

    private static final int OBSERVATIONS = 1 << 14;

    @Param({"10000"})
    public int window;

    private final double[] scores = new double[OBSERVATIONS];
    private final boolean[] labels = new boolean[OBSERVATIONS];
    private WindowedBinaryMetrics metrics;
    private int next;

    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < OBSERVATIONS; i++) {
            labels[i] = random.nextInt(20) == 0;
            double score = random.nextDouble() * 0.6 + (labels[i] ? 0.3 : 0.0);
            scores[i] = Math.round(score * 10_000) / 10_000.0;
        }
        metrics = new WindowedBinaryMetrics(window);
        for (int i = 0; i < window; i++) {
            add();
        }
    }

    private void add() {
        int i = next;
        next = (i + 1) & (OBSERVATIONS - 1);
        metrics.add(scores[i], labels[i]);
    }

    @Benchmark
    public WindowedBinaryMetrics addOnly() {
        add();
        return metrics;
    }

    @Benchmark
    public double addAndAuc() {
        add();
        return metrics.auc(false);
    }
}
