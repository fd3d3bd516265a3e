package dev.counterweight.learner.model;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Fixtures: batches built for a purpose (random, duplicated rows, a learnable signal). */
final class TestingBatches {

    private TestingBatches() {}

    /** Returns {@code n} random examples within the vocabularies of {@code config}, weight 1. */
    static Batch random(ModelConfig config, int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] user = new int[n];
        int[] item = new int[n];
        int[] category = new int[n];
        float[][] dense = new float[n][config.denseFeatures()];
        float[] click = new float[n];
        float[] conversion = new float[n];
        float[] weight = new float[n];
        for (int i = 0; i < n; i++) {
            user[i] = rnd.nextInt(config.userVocab());
            item[i] = rnd.nextInt(config.itemVocab());
            category[i] = rnd.nextInt(config.categoryVocab());
            for (int j = 0; j < config.denseFeatures(); j++) {
                dense[i][j] = (float) (rnd.nextDouble() * 2 - 1);
            }
            click[i] = rnd.nextDouble() < 0.4 ? 1f : 0f;
            conversion[i] = click[i] == 1f && rnd.nextDouble() < 0.5 ? 1f : 0f;
            weight[i] = 1f;
        }
        return new Batch(user, item, category, dense, click, conversion, weight);
    }

    /** Returns {@code batch} with its weights replaced. */
    static Batch withWeights(Batch batch, float... weights) {
        return new Batch(
                batch.userIdx(),
                batch.itemIdx(),
                batch.categoryIdx(),
                batch.dense(),
                batch.clickLabel(),
                batch.conversionLabel(),
                weights);
    }

    /**
     * Returns {@code batch} with row {@code k} appended once more; both copies get weight {@code
     * copyWeight}, the other rows keep theirs.
     */
    static Batch withRowDuplicated(Batch batch, int k, float copyWeight) {
        int n = batch.size();
        float[] weight = Arrays.copyOf(batch.weight(), n + 1);
        weight[k] = copyWeight;
        weight[n] = copyWeight;
        float[][] dense = Arrays.copyOf(batch.dense(), n + 1);
        dense[n] = batch.dense()[k].clone();
        return new Batch(
                append(batch.userIdx(), k),
                append(batch.itemIdx(), k),
                append(batch.categoryIdx(), k),
                dense,
                append(batch.clickLabel(), k),
                append(batch.conversionLabel(), k),
                weight);
    }

    /**
     * Returns examples whose click probability depends on the category (the first three categories
     * click more) and on dense feature 0; conversion after a click depends on dense feature 1. User
     * and item carry no signal.
     */
    static Batch learnableSignal(ModelConfig config, int n, SplittableRandom rnd) {
        int[] user = new int[n];
        int[] item = new int[n];
        int[] category = new int[n];
        float[][] dense = new float[n][config.denseFeatures()];
        float[] click = new float[n];
        float[] conversion = new float[n];
        float[] weight = new float[n];
        for (int i = 0; i < n; i++) {
            user[i] = rnd.nextInt(config.userVocab());
            item[i] = rnd.nextInt(config.itemVocab());
            category[i] = rnd.nextInt(config.categoryVocab());
            for (int j = 0; j < config.denseFeatures(); j++) {
                dense[i][j] = (float) (rnd.nextDouble() * 2 - 1);
            }
            double logit = -1.0 + (category[i] < 3 ? 1.5 : -0.5) + 1.5 * dense[i][0];
            click[i] = rnd.nextDouble() < sigmoid(logit) ? 1f : 0f;
            double purchase = sigmoid(-0.5 + 2.0 * dense[i][1]);
            conversion[i] = click[i] == 1f && rnd.nextDouble() < purchase ? 1f : 0f;
            weight[i] = 1f;
        }
        return new Batch(user, item, category, dense, click, conversion, weight);
    }

    static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }

    private static int[] append(int[] values, int k) {
        int[] out = Arrays.copyOf(values, values.length + 1);
        out[values.length] = values[k];
        return out;
    }

    private static float[] append(float[] values, int k) {
        float[] out = Arrays.copyOf(values, values.length + 1);
        out[values.length] = values[k];
        return out;
    }
}
