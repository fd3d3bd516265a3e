package dev.counterweight.core.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.counterweight.core.decay.HalfLife;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A sample's activity features are the decayed counts of the samples observed before it (never its
 * own, corrections never counted), checked against direct sums of 2^(-age / halfLife).
 */
class ActivityFeaturesTest {

    private static final HalfLife HALF_LIFE = HalfLife.of(Duration.ofSeconds(10));
    private static final ActivityFeatures FEATURES = new ActivityFeatures(HALF_LIFE, 0.5, 20);

    private record Observed(long t, boolean click, boolean conversion, boolean correction) {}

    @Test
    void featuresAreTheDirectDecayedSumsOfTheEarlierCountedSamples() {
        for (int seed = 0; seed < 20; seed++) {
            Random random = new Random(seed);
            ActivityCounts counts = new ActivityCounts();
            List<Observed> before = new ArrayList<>();
            long t = 0;
            for (int i = 0; i < 200; i++) {
                t += random.nextInt(3) * 1_000L; // ties included
                boolean conversion = random.nextInt(5) == 0;
                Observed o =
                        new Observed(
                                t,
                                conversion || random.nextBoolean(),
                                conversion,
                                random.nextInt(6) == 0);
                float[] f = new float[SampleFeatures.DENSE];
                boolean changed =
                        FEATURES.observe(
                                counts, o.t(), o.click(), o.conversion(), o.correction(), f, 4);
                double[] expected = direct(before, o.t());
                for (int k = 0; k < ActivityCounts.FEATURES; k++) {
                    assertThat((double) f[4 + k])
                            .as("seed %d sample %d feature %d", seed, i, k)
                            .isCloseTo(expected[k], within(1e-4 * Math.max(1, expected[k])));
                }
                assertThat(f[0]).isZero();
                assertThat(f[8]).isZero();
                assertThat(changed).isEqualTo(!o.correction());
                before.add(o);
            }
        }
    }

    @Test
    void anExposuresOwnFeaturesFillTheirSlots() {
        float[] f = SampleFeatures.ofExposure(9.0, 3, new float[] {0.5f, 2f});
        float[] expected = new float[SampleFeatures.DENSE + 2];
        expected[SampleFeatures.LOG_PRICE] = (float) Math.log(10.0);
        expected[SampleFeatures.POSITION] = 3f;
        expected[SampleFeatures.DENSE] = 0.5f;
        expected[SampleFeatures.DENSE + 1] = 2f;
        assertThat(f).containsExactly(expected, org.assertj.core.data.Offset.offset(1e-6f));

        float[] none = SampleFeatures.ofExposure(Double.NaN, -1, new float[0]);
        assertThat(none).hasSize(SampleFeatures.DENSE);
        assertThat(none[SampleFeatures.LOG_PRICE]).isZero();
        assertThat(none[SampleFeatures.POSITION]).isEqualTo(-1f);
    }

    private static double[] direct(List<Observed> before, long t) {
        double e = 0;
        double c = 0;
        double p = 0;
        for (Observed o : before) {
            if (o.correction()) {
                continue;
            }
            double d = Math.pow(2, -(t - o.t()) / (double) HALF_LIFE.millis());
            e += d;
            c += o.click() ? d : 0;
            p += o.conversion() ? d : 0;
        }
        return new double[] {e, c, p, (c + 0.5) / (e + 20)};
    }
}
