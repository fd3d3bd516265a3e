package dev.counterweight.core.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.counterweight.core.decay.HalfLife;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ActivityCountsTest {

    @Test
    void decayedCountsMatchABruteForceSum() {
        HalfLife h = new HalfLife(60_000);
        Random random = new Random(5);
        ActivityCounts counts = new ActivityCounts();
        long[] times = new long[300];
        boolean[] clicks = new boolean[300];
        boolean[] buys = new boolean[300];
        for (int i = 0; i < times.length; i++) {
            times[i] = random.nextInt(600_000);
            clicks[i] = random.nextDouble() < 0.3;
            buys[i] = clicks[i] && random.nextDouble() < 0.3;
            counts.add(times[i], clicks[i], buys[i], h);
        }
        long at = 700_000;
        double e = 0;
        double c = 0;
        double p = 0;
        for (int i = 0; i < times.length; i++) {
            double f = Math.pow(2, -(at - times[i]) / 60_000.0);
            e += f;
            c += clicks[i] ? f : 0;
            p += buys[i] ? f : 0;
        }
        float[] v = counts.valuesAt(at, h, 1, 20);
        assertThat((double) v[0]).isCloseTo(e, within(e * 1e-6));
        assertThat((double) v[1]).isCloseTo(c, within(c * 1e-6 + 1e-9));
        assertThat((double) v[2]).isCloseTo(p, within(p * 1e-6 + 1e-9));
        assertThat((double) v[3]).isCloseTo((c + 1) / (e + 20), within(1e-6));
    }

    @Test
    void emptyCountsGiveThePriorCtr() {
        float[] v = new ActivityCounts().valuesAt(5, HalfLife.NONE, 1, 20);
        assertThat(v).containsExactly(0f, 0f, 0f, 0.05f);
    }
}
