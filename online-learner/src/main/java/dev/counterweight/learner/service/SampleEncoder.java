package dev.counterweight.learner.service;

import dev.counterweight.avro.Sample;
import dev.counterweight.learner.model.Batch;
import dev.counterweight.learner.model.HashedVocabulary;
import dev.counterweight.learner.model.ModelConfig;
import java.util.List;

/**
 * Turns weighted {@link Sample}s into a model {@link Batch}: hashed user, item and category ids;
 * the first {@code denseFeatures} sample features squashed with sign(x)·log1p(|x|) (decayed counts
 * span orders of magnitude) and zero-padded; click label; CTCVR label = click and conversion; the
 * sample's importance weight.
 */
public final class SampleEncoder {

    private final HashedVocabulary users;
    private final HashedVocabulary items;
    private final HashedVocabulary categories;
    private final int dense;

    public SampleEncoder(ModelConfig config) {
        this.users = new HashedVocabulary(config.userVocab());
        this.items = new HashedVocabulary(config.itemVocab());
        this.categories = new HashedVocabulary(config.categoryVocab());
        this.dense = config.denseFeatures();
    }

    /** The batch of these samples, in order. */
    public Batch encode(List<Sample> samples) {
        int n = samples.size();
        int[] u = new int[n];
        int[] it = new int[n];
        int[] c = new int[n];
        float[][] x = new float[n][];
        float[] click = new float[n];
        float[] ctcvr = new float[n];
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            Sample s = samples.get(i);
            u[i] = users.index(s.getUserId());
            it[i] = items.index(s.getItemId());
            c[i] = categories.index(s.getCategoryId());
            x[i] = denseRow(s.getFeatures(), dense);
            click[i] = s.getClick() ? 1f : 0f;
            ctcvr[i] = s.getClick() && s.getConversion() ? 1f : 0f;
            w[i] = (float) s.getWeight();
        }
        return new Batch(u, it, c, x, click, ctcvr, w);
    }

    /** A scoring batch for (user, item, category, features) rows. */
    public Batch encodeUnlabeled(
            List<String> userIds,
            List<String> itemIds,
            List<String> categoryIds,
            List<List<Float>> features) {
        int n = userIds.size();
        int[] u = new int[n];
        int[] it = new int[n];
        int[] c = new int[n];
        float[][] x = new float[n][];
        for (int i = 0; i < n; i++) {
            u[i] = users.index(userIds.get(i));
            it[i] = items.index(itemIds.get(i));
            c[i] = categories.index(categoryIds.get(i));
            x[i] = denseRow(features.get(i), dense);
        }
        return Batch.unlabeled(u, it, c, x);
    }

    /** The dense input row for raw features. */
    public static float[] denseRow(List<Float> features, int width) {
        float[] row = new float[width];
        for (int j = 0; j < width && j < features.size(); j++) {
            float f = features.get(j);
            row[j] = (float) (Math.signum(f) * Math.log1p(Math.abs(f)));
        }
        return row;
    }
}
