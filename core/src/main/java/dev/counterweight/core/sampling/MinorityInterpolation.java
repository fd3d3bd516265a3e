package dev.counterweight.core.sampling;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * SMOTE-style augmentation of small classes in a stream: a synthetic sample lies on the segment
 * between a real sample and an earlier real sample of the same class, {@code x = a + λ (b − a)} on
 * the dense features with {@code λ} uniform in [0, 1); inputs that cannot be interpolated
 * (categorical ids, embeddings, labels) come whole from the nearer of the two ({@code a} if {@code
 * λ < 1/2}, else {@code b}).
 *
 * <p>Partners are drawn from a per-class pool of the last {@code poolSize} real samples of that
 * class, so a partner is always earlier in the stream (no look-ahead) and always of the same class.
 * Seeded and deterministic for a given sequence of calls. Not thread-safe.
 *
 * @param <T> the sample type
 */
public final class MinorityInterpolation<T> {

    /** One synthetic sample: its two parents, λ, and the interpolated dense features. */
    public record Synthetic<T>(T first, T second, double lambda, float[] dense) {

        /** The parent that gives the synthetic sample its non-interpolated inputs. */
        public T nearer() {
            return lambda < 0.5 ? first : second;
        }
    }

    private final int poolSize;
    private final SplittableRandom random;
    private final Map<String, ArrayDeque<T>> pools = new HashMap<>();

    /**
     * @param poolSize real samples kept per class as partners; at least 1
     * @param seed seed of the partner and λ draws
     */
    public MinorityInterpolation(int poolSize, long seed) {
        if (poolSize < 1) {
            throw new IllegalArgumentException("poolSize must be at least 1, was " + poolSize);
        }
        this.poolSize = poolSize;
        this.random = new SplittableRandom(seed);
    }

    /**
     * {@code a + λ (b − a)} per component.
     *
     * @throws IllegalArgumentException if the lengths differ or λ is outside [0, 1]
     */
    public static float[] interpolate(float[] a, float[] b, double lambda) {
        if (a.length != b.length) {
            throw new IllegalArgumentException(
                    "dense features must have the same length, were "
                            + a.length
                            + " and "
                            + b.length);
        }
        if (!(lambda >= 0 && lambda <= 1)) {
            throw new IllegalArgumentException("lambda must be in [0, 1], was " + lambda);
        }
        float[] out = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = (float) (a[i] + lambda * ((double) b[i] - a[i]));
        }
        return out;
    }

    /**
     * Up to {@code count} synthetic samples between {@code sample} and earlier real samples of its
     * class (none if the class has no earlier sample); then adds {@code sample} to the class's
     * pool.
     *
     * @param classKey the sample's class
     * @param sample the real sample
     * @param dense its dense features
     * @param denseOf the dense features of a pooled sample
     * @param count synthetic samples wanted; 0 only records the sample as a future partner
     */
    public List<Synthetic<T>> synthesise(
            String classKey,
            T sample,
            float[] dense,
            java.util.function.Function<T, float[]> denseOf,
            int count) {
        Objects.requireNonNull(classKey, "classKey must not be null");
        ArrayDeque<T> pool = pools.computeIfAbsent(classKey, k -> new ArrayDeque<>());
        List<Synthetic<T>> out = new ArrayList<>(count);
        if (!pool.isEmpty()) {
            List<T> partners = new ArrayList<>(pool);
            for (int i = 0; i < count; i++) {
                T partner = partners.get(random.nextInt(partners.size()));
                double lambda = random.nextDouble();
                out.add(
                        new Synthetic<>(
                                sample,
                                partner,
                                lambda,
                                interpolate(dense, denseOf.apply(partner), lambda)));
            }
        }
        pool.addLast(sample);
        if (pool.size() > poolSize) {
            pool.removeFirst();
        }
        return out;
    }
}
