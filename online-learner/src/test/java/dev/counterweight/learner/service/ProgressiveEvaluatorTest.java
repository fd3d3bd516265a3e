package dev.counterweight.learner.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.counterweight.avro.Sample;
import dev.counterweight.core.attribution.ClassKeyMode;
import dev.counterweight.learner.model.Scores;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ProgressiveEvaluatorTest {

    /**
     * Class weights keyed by category and label ({@code CATEGORY_LABEL}) that favour the clicks of
     * the low-rate categories, and a score that only knows the category. The weighted AUC must be
     * the one of label-free weights (each category's mean class weight), computed here from the
     * category counts; the pair weight of the training weights would give a lower value.
     */
    @Test
    void weightedAucDoesNotFollowTheLabelDependentClassWeight() {
        SplittableRandom random = new SplittableRandom(11);
        List<Sample> samples = new ArrayList<>();
        int n = 3000;
        double[] ctr = new double[n];
        double[] ctcvr = new double[n];
        for (int i = 0; i < n; i++) {
            int category = random.nextInt(4);
            double p = 0.05 + 0.1 * category;
            boolean click = random.nextDouble() < p;
            boolean purchase = click && random.nextDouble() < 0.3;
            // Positives of the low-rate categories weigh most, as an inverse class weight does.
            double classWeight = click ? 4.0 / (category + 1) : 1.0;
            String key = ClassKeyMode.CATEGORY_LABEL.keyOf("" + category, click, purchase, 0);
            samples.add(sample(i, key, click, purchase, classWeight));
            // A score that only knows the category: its click rate.
            ctr[i] = p;
            ctcvr[i] = 0.3 * p;
        }
        ProgressiveEvaluator evaluator = new ProgressiveEvaluator(n);
        evaluator.add(samples, new Scores(ctr, new double[n], ctcvr));
        var m = evaluator.metrics();

        // Reference: every category keeps its click rate when whole categories are re-weighted,
        // so a weighted AUC with label-free weights stays above chance like the unweighted one,
        // and equals it when all categories share the same mean weight. Here it is computed from
        // the category counts directly.
        double[][] count = new double[4][2];
        double[] sum = new double[4];
        for (Sample s : samples) {
            int c = Integer.parseInt(s.getCategoryId());
            count[c][s.getClick() ? 1 : 0]++;
            sum[c] += s.getClassWeight();
        }
        double num = 0;
        double pos = 0;
        double neg = 0;
        double oldNum = 0;
        double oldPos = 0;
        double oldNeg = 0;
        for (int a = 0; a < 4; a++) {
            double wa = sum[a] / (count[a][0] + count[a][1]);
            pos += wa * count[a][1];
            neg += wa * count[a][0];
            oldPos += 4.0 / (a + 1) * count[a][1];
            oldNeg += count[a][0];
            for (int b = 0; b < 4; b++) {
                double wb = sum[b] / (count[b][0] + count[b][1]);
                double step = a > b ? 1 : a == b ? 0.5 : 0;
                num += wa * count[a][1] * wb * count[b][0] * step;
                oldNum += 4.0 / (a + 1) * count[a][1] * count[b][0] * step;
            }
        }
        assertThat(m.get("ctr.auc.weighted")).isCloseTo(num / (pos * neg), within(1e-9));
        assertThat(oldNum / (oldPos * oldNeg)).isLessThan(num / (pos * neg) - 0.05);
        assertThat(m.get("ctr.auc")).isGreaterThan(0.6);
        assertThat(m.get("ctr.auc.weighted")).isGreaterThan(0.6);
        assertThat(m).containsKey("ctcvr.auc.weighted");
    }

    private static Sample sample(
            int i, String key, boolean click, boolean purchase, double classWeight) {
        return Sample.newBuilder()
                .setSampleId("e" + i)
                .setUserId("u")
                .setItemId("i")
                .setCategoryId(key.substring(4, key.indexOf('|')))
                .setExposureTime(Instant.EPOCH)
                .setClosedAt(Instant.EPOCH)
                .setClick(click)
                .setConversion(purchase)
                .setClassKey(key)
                .setFeatures(List.of())
                .setWeight(classWeight)
                .setClassWeight(classWeight)
                .build();
    }
}
