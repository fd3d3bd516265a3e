package dev.counterweight.experiments.quality;

import dev.counterweight.experiments.quality.QualityRunner.Result;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * One configuration run once per seed.
 *
 * @param name the configuration's name
 * @param config the configuration; null for the offline baseline
 * @param perSeed one result per seed, in the order of the seeds
 */
public record SeededResult(String name, ExperimentConfig config, List<Result> perSeed) {

    public SeededResult {
        if (perSeed == null || perSeed.isEmpty()) {
            throw new IllegalArgumentException("perSeed must hold at least one result");
        }
        perSeed = List.copyOf(perSeed);
    }

    /** The run with the first seed. */
    public Result first() {
        return perSeed.get(0);
    }

    /** Mean of {@code metric} over the seeds whose value is finite; NaN if none is. */
    public double mean(ToDoubleFunction<Result> metric) {
        double sum = 0;
        int n = 0;
        for (Result r : perSeed) {
            double v = metric.applyAsDouble(r);
            if (Double.isFinite(v)) {
                sum += v;
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    /** Smallest finite value of {@code metric} over the seeds; NaN if none is finite. */
    public double min(ToDoubleFunction<Result> metric) {
        double m = Double.NaN;
        for (Result r : perSeed) {
            double v = metric.applyAsDouble(r);
            if (Double.isFinite(v) && !(v >= m)) {
                m = v;
            }
        }
        return m;
    }

    /** Largest finite value of {@code metric} over the seeds; NaN if none is finite. */
    public double max(ToDoubleFunction<Result> metric) {
        double m = Double.NaN;
        for (Result r : perSeed) {
            double v = metric.applyAsDouble(r);
            if (Double.isFinite(v) && !(v <= m)) {
                m = v;
            }
        }
        return m;
    }

    /** Wall time over all seeds. */
    public double seconds() {
        double s = 0;
        for (Result r : perSeed) {
            s += r.seconds();
        }
        return s;
    }
}
