package dev.counterweight.core.bench;

import dev.counterweight.core.sampling.DownSamplingConfig;
import dev.counterweight.core.sampling.NegativeDownSampler;
import java.util.HashMap;
import java.util.Map;
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
 * {@link NegativeDownSampler#decide} on realistic ids ("impression:user:item@time", about 40
 * characters) with 95% negatives and per-class rates for 8 of 1000 classes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class NegativeDownSamplerBenchmark {

    private static final int SAMPLES = 1 << 12;

    private final String[] sampleIds = new String[SAMPLES];
    private final String[] classKeys = new String[SAMPLES];
    private final boolean[] negatives = new boolean[SAMPLES];
    private NegativeDownSampler sampler;
    private int next;

    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(42);
        Map<String, Double> perClass = new HashMap<>();
        for (int c = 0; c < 8; c++) {
            perClass.put("cat=" + c + "|y=none", 0.05);
        }
        sampler = new NegativeDownSampler(new DownSamplingConfig(0.2, perClass, 42));
        for (int i = 0; i < SAMPLES; i++) {
            sampleIds[i] =
                    "impression:u"
                            + random.nextInt(1_000_000)
                            + ":i"
                            + random.nextInt(4_000_000)
                            + "@"
                            + (1_700_000_000_000L + i * 1_000L);
            negatives[i] = random.nextInt(20) != 0;
            classKeys[i] =
                    "cat=" + random.nextInt(1000) + "|y=" + (negatives[i] ? "none" : "click");
        }
    }

    @Benchmark
    public NegativeDownSampler.Decision decide() {
        int i = next;
        next = (i + 1) & (SAMPLES - 1);
        return sampler.decide(sampleIds[i], classKeys[i], negatives[i]);
    }
}
