package dev.counterweight.core.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.counterweight.core.sampling.MinorityInterpolation.Synthetic;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MinorityInterpolationTest {

    /** A sample: its class, an id standing for its categorical inputs, its dense features. */
    private record Row(String classKey, String id, float[] dense) {}

    @Test
    void interpolationIsTheConvexCombinationComponentByComponent() {
        SplittableRandom random = new SplittableRandom(11);
        for (int trial = 0; trial < 200; trial++) {
            float[] a = new float[8];
            float[] b = new float[8];
            for (int i = 0; i < 8; i++) {
                a[i] = (float) random.nextDouble(-100, 100);
                b[i] = (float) random.nextDouble(-100, 100);
            }
            double lambda = random.nextDouble();
            float[] x = MinorityInterpolation.interpolate(a, b, lambda);
            for (int i = 0; i < 8; i++) {
                // The other way round: (1 − λ) a + λ b, and inside the segment's box.
                double expected = (1 - lambda) * a[i] + lambda * b[i];
                assertThat((double) x[i]).isCloseTo(expected, within(1e-4));
                assertThat(x[i])
                        .isBetween(Math.min(a[i], b[i]) - 1e-4f, Math.max(a[i], b[i]) + 1e-4f);
            }
        }
        float[] a = {1f, -2f, 3.5f};
        float[] b = {5f, 2f, 3.5f};
        assertThat(MinorityInterpolation.interpolate(a, b, 0)).containsExactly(a);
        assertThat(MinorityInterpolation.interpolate(a, b, 1)).containsExactly(b);
        assertThat(MinorityInterpolation.interpolate(a, b, 0.25)).containsExactly(2f, -1f, 3.5f);
    }

    @Test
    void rejectsMismatchedLengthsAndLambdaOutsideTheSegment() {
        assertThatThrownBy(() -> MinorityInterpolation.interpolate(new float[2], new float[3], 0.5))
                .hasMessageContaining("same length");
        assertThatThrownBy(() -> MinorityInterpolation.interpolate(new float[2], new float[2], 1.5))
                .hasMessageContaining("lambda");
        assertThatThrownBy(() -> new MinorityInterpolation<Row>(0, 1))
                .hasMessageContaining("poolSize");
    }

    @Test
    void partnersAreEarlierSamplesOfTheSameClassFromTheLastFew() {
        MinorityInterpolation<Row> smote = new MinorityInterpolation<>(3, 5);
        List<Row> seen = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(2);
        for (int n = 0; n < 300; n++) {
            String key = random.nextInt(3) == 0 ? "rare" : "common-" + random.nextInt(4);
            Row row = new Row(key, "r" + n, new float[] {n, -n, random.nextInt(10)});
            List<Synthetic<Row>> out = smote.synthesise(key, row, row.dense(), Row::dense, 2);
            List<Row> sameClass = seen.stream().filter(r -> r.classKey().equals(key)).toList();
            List<Row> pool = sameClass.subList(Math.max(0, sameClass.size() - 3), sameClass.size());
            assertThat(out).hasSize(sameClass.isEmpty() ? 0 : 2);
            for (Synthetic<Row> s : out) {
                assertThat(s.first()).isSameAs(row);
                assertThat(pool).as("partner among the class's last 3").contains(s.second());
                assertThat(s.dense())
                        .containsExactly(
                                MinorityInterpolation.interpolate(
                                        row.dense(), s.second().dense(), s.lambda()));
                assertThat(s.nearer()).isSameAs(s.lambda() < 0.5 ? row : s.second());
            }
            seen.add(row);
        }
    }

    @Test
    void sameSeedSameSynthetics() {
        List<Double> first = lambdas(9);
        assertThat(lambdas(9)).isEqualTo(first);
        assertThat(lambdas(10)).isNotEqualTo(first);
    }

    private static List<Double> lambdas(long seed) {
        MinorityInterpolation<Row> smote = new MinorityInterpolation<>(4, seed);
        List<Double> out = new ArrayList<>();
        for (int n = 0; n < 20; n++) {
            Row row = new Row("c", "r" + n, new float[] {n});
            smote.synthesise("c", row, row.dense(), Row::dense, 3)
                    .forEach(s -> out.add(s.lambda()));
        }
        return out;
    }
}
