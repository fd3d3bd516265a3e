package dev.counterweight.jobs.weighting;

import dev.counterweight.connectors.features.FeatureLayout;
import dev.counterweight.jobs.weighting.internal.LabeledSample;

/**
 * Intent-named {@link LabeledSample} fixtures, as attribution emits them.
 *
 * <pre>{@code
 * LabeledSample s = LabeledSamples.exposure("e1").ofItem("i1").clicked().closedAt(31_000L);
 * }</pre>
 *
 * Each {@link Builder#closedAt} returns a fresh object: operators write into the feature array, so
 * two runs of one script must not share samples.
 */
final class LabeledSamples {

    private LabeledSamples() {}

    static Builder exposure(String exposureId) {
        return new Builder(exposureId);
    }

    /** Fluent builder; {@link #closedAt(long)} finishes it. */
    static final class Builder {
        private final String id;
        private String user = "u1";
        private String item = "i1";
        private String category = "c1";
        private String classKey;
        private boolean click;
        private boolean conversion;
        private boolean correction;
        private long offset;

        private Builder(String id) {
            this.id = id;
        }

        Builder ofUser(String userId) {
            this.user = userId;
            return this;
        }

        Builder ofItem(String itemId) {
            this.item = itemId;
            return this;
        }

        Builder inCategory(String categoryId) {
            this.category = categoryId;
            return this;
        }

        Builder inClass(String key) {
            this.classKey = key;
            return this;
        }

        Builder clicked() {
            this.click = true;
            return this;
        }

        Builder purchased() {
            this.click = true;
            this.conversion = true;
            return this;
        }

        /** The correction of an already emitted exposure for a purchase after its window. */
        Builder correctedByLatePurchase() {
            this.click = true;
            this.conversion = true;
            this.correction = true;
            return this;
        }

        Builder fromOffset(long sourceOffset) {
            this.offset = sourceOffset;
            return this;
        }

        LabeledSample closedAt(long closedAt) {
            LabeledSample s = new LabeledSample();
            s.sampleId = correction ? id + "#correction" : id;
            s.userId = user;
            s.itemId = item;
            s.categoryId = category;
            s.exposureTime = closedAt - 1;
            s.closedAt = closedAt;
            s.click = click;
            s.conversion = conversion;
            s.correction = correction;
            s.features = new float[FeatureLayout.DENSE + 1];
            s.features[FeatureLayout.DENSE] = 0.25f;
            s.classKey = classKey;
            s.sourcePartitions = new int[] {0};
            s.sourceOffsets = new long[] {offset};
            return s;
        }
    }
}
