package dev.counterweight.testing;

import dev.counterweight.avro.Sample;
import dev.counterweight.connectors.features.FeatureLayout;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A seeded, learnable stream of weighted samples (for tests and benchmarks): the click probability
 * grows with the category index and with the first dense feature, so a model that learns does
 * clearly better than chance.
 */
public final class SyntheticSamples {

    private SyntheticSamples() {}

    public static List<Sample> learnable(int n, long seed) {
        Random random = new Random(seed);
        List<Sample> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int category = random.nextInt(10);
            float signal = (float) random.nextGaussian();
            double logit = -2.0 + 0.3 * category + 1.2 * signal;
            boolean click = random.nextDouble() < 1 / (1 + Math.exp(-logit));
            boolean conversion = click && random.nextDouble() < 0.3 + 0.04 * category;
            List<Float> features = new ArrayList<>();
            features.add(signal);
            for (int j = 1; j < FeatureLayout.DENSE; j++) {
                features.add((float) random.nextInt(5));
            }
            String label = conversion ? "purchase" : click ? "click" : "none";
            out.add(
                    Sample.newBuilder()
                            .setSampleId("s" + i)
                            .setUserId("u" + random.nextInt(200))
                            .setItemId("i" + random.nextInt(500))
                            .setCategoryId("c" + category)
                            .setExposureTime(Instant.ofEpochMilli(1_700_000_000_000L + i * 100L))
                            .setClosedAt(Instant.ofEpochMilli(1_700_000_030_000L + i * 100L))
                            .setClick(click)
                            .setConversion(conversion)
                            .setClassKey("cat=c" + category + "|y=" + label)
                            .setFeatures(features)
                            .setFeatureFingerprint(FeatureLayout.FINGERPRINT)
                            .setWeight(click ? 2.0 : 1.0)
                            .setClassWeight(click ? 2.0 : 1.0)
                            .setWeightTableVersion(1)
                            .build());
        }
        return out;
    }
}
