package dev.counterweight.learner.model;

import dev.counterweight.core.sampling.StableHash;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Properties;

/**
 * Shape and optimisation settings of the multi-task ranking network.
 *
 * <p>The user, item and category ids enter as indices into hashed vocabularies (see {@link
 * HashedVocabulary}); each has its own embedding table of {@code embeddingDim} columns. The
 * embeddings and the {@code denseFeatures} dense values are concatenated and fed to a shared bottom
 * MLP ({@code bottomLayers}, ReLU) or, with {@code mmoe}, to {@code experts} expert MLPs of that
 * shape mixed per task by softmax gates; each task then has one ReLU tower layer of {@code
 * towerWidth} units and a logit.
 *
 * <p>Vocabulary sizes are at most {@value #MAX_VOCABULARY} because the network receives indices as
 * floating-point values, which are exact integers only up to 2^24 in single precision.
 *
 * @param userVocab number of user hash buckets; in [1, {@value #MAX_VOCABULARY}]
 * @param itemVocab number of item hash buckets; in [1, {@value #MAX_VOCABULARY}]
 * @param categoryVocab number of category hash buckets; in [1, {@value #MAX_VOCABULARY}]
 * @param embeddingDim columns of every embedding table; positive
 * @param denseFeatures number of dense features per example; non-negative (0 omits the input)
 * @param bottomLayers widths of the shared bottom (or of every expert) layers; non-empty, each
 *     positive; copied on construction and on access
 * @param towerWidth width of the single hidden layer of each task tower; positive
 * @param learningRate Adam learning rate; finite and positive
 * @param seed seed of the weight initialisation
 * @param mmoe whether the bottom is a multi-gate mixture of experts instead of one shared MLP
 * @param experts number of experts; at least 2 when {@code mmoe}, otherwise ignored (non-negative)
 */
public record ModelConfig(
        int userVocab,
        int itemVocab,
        int categoryVocab,
        int embeddingDim,
        int denseFeatures,
        int[] bottomLayers,
        int towerWidth,
        double learningRate,
        long seed,
        boolean mmoe,
        int experts) {

    /** Largest vocabulary size: 2^24, the last integer a {@code float} represents exactly. */
    public static final int MAX_VOCABULARY = 1 << 24;

    private static final String FINGERPRINT_VERSION = "fs1";

    /**
     * Validates every field and copies {@code bottomLayers}.
     *
     * @throws IllegalArgumentException naming the offending field
     * @throws NullPointerException if {@code bottomLayers} is null
     */
    public ModelConfig {
        checkVocabulary(userVocab, "userVocab");
        checkVocabulary(itemVocab, "itemVocab");
        checkVocabulary(categoryVocab, "categoryVocab");
        checkPositive(embeddingDim, "embeddingDim");
        if (denseFeatures < 0) {
            throw new IllegalArgumentException(
                    "denseFeatures must not be negative, was " + denseFeatures);
        }
        if (bottomLayers == null) {
            throw new NullPointerException("bottomLayers must not be null");
        }
        if (bottomLayers.length == 0) {
            throw new IllegalArgumentException("bottomLayers must name at least one layer width");
        }
        bottomLayers = bottomLayers.clone();
        for (int i = 0; i < bottomLayers.length; i++) {
            checkPositive(bottomLayers[i], "bottomLayers[" + i + "]");
        }
        checkPositive(towerWidth, "towerWidth");
        if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
            throw new IllegalArgumentException(
                    "learningRate must be finite and positive, was " + learningRate);
        }
        if (mmoe ? experts < 2 : experts < 0) {
            throw new IllegalArgumentException(
                    (mmoe
                                    ? "experts must be at least 2 when mmoe is true, was "
                                    : "experts must not be negative, was ")
                            + experts);
        }
    }

    /**
     * Returns a shared-bottom configuration with a learning rate of 1e-3 and seed 42.
     *
     * @param userVocab number of user hash buckets
     * @param itemVocab number of item hash buckets
     * @param categoryVocab number of category hash buckets
     * @param embeddingDim embedding columns
     * @param denseFeatures number of dense features
     * @param bottomLayers shared bottom widths
     * @param towerWidth task tower width
     * @return the configuration
     * @throws IllegalArgumentException as the canonical constructor
     */
    public static ModelConfig sharedBottom(
            int userVocab,
            int itemVocab,
            int categoryVocab,
            int embeddingDim,
            int denseFeatures,
            int[] bottomLayers,
            int towerWidth) {
        return new ModelConfig(
                userVocab,
                itemVocab,
                categoryVocab,
                embeddingDim,
                denseFeatures,
                bottomLayers,
                towerWidth,
                1e-3,
                42L,
                false,
                0);
    }

    /** Returns a copy of the bottom (or expert) layer widths. */
    @Override
    public int[] bottomLayers() {
        return bottomLayers.clone();
    }

    /**
     * Returns the fingerprint of the feature schema this configuration expects: the vocabulary
     * sizes, the hashing scheme of {@link HashedVocabulary} and the number of dense features. Two
     * models with equal fingerprints accept the same {@link Batch batches}; layer widths and
     * optimiser settings do not enter.
     *
     * @return a string {@code "fs1-"} followed by 16 hex digits
     */
    public String featureFingerprint() {
        String canonical =
                "user=hashed("
                        + userVocab
                        + ");item=hashed("
                        + itemVocab
                        + ");category=hashed("
                        + categoryVocab
                        + ");dense="
                        + denseFeatures
                        + ";hash="
                        + HashedVocabulary.SCHEME;
        return FINGERPRINT_VERSION + "-" + String.format("%016x", StableHash.hash64(0L, canonical));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelConfig c
                && userVocab == c.userVocab
                && itemVocab == c.itemVocab
                && categoryVocab == c.categoryVocab
                && embeddingDim == c.embeddingDim
                && denseFeatures == c.denseFeatures
                && Arrays.equals(bottomLayers, c.bottomLayers)
                && towerWidth == c.towerWidth
                && Double.compare(learningRate, c.learningRate) == 0
                && seed == c.seed
                && mmoe == c.mmoe
                && experts == c.experts;
    }

    @Override
    public int hashCode() {
        int h = Arrays.hashCode(bottomLayers);
        h = 31 * h + Integer.hashCode(userVocab);
        h = 31 * h + Integer.hashCode(itemVocab);
        h = 31 * h + Integer.hashCode(categoryVocab);
        h = 31 * h + Integer.hashCode(embeddingDim);
        h = 31 * h + Integer.hashCode(denseFeatures);
        h = 31 * h + Integer.hashCode(towerWidth);
        h = 31 * h + Double.hashCode(learningRate);
        h = 31 * h + Long.hashCode(seed);
        h = 31 * h + Boolean.hashCode(mmoe);
        return 31 * h + Integer.hashCode(experts);
    }

    @Override
    public String toString() {
        return "ModelConfig[userVocab="
                + userVocab
                + ", itemVocab="
                + itemVocab
                + ", categoryVocab="
                + categoryVocab
                + ", embeddingDim="
                + embeddingDim
                + ", denseFeatures="
                + denseFeatures
                + ", bottomLayers="
                + Arrays.toString(bottomLayers)
                + ", towerWidth="
                + towerWidth
                + ", learningRate="
                + learningRate
                + ", seed="
                + seed
                + ", mmoe="
                + mmoe
                + ", experts="
                + experts
                + "]";
    }

    /** Encodes this configuration as properties text, the form stored inside model files. */
    String encode() {
        Properties p = new Properties();
        p.setProperty("userVocab", Integer.toString(userVocab));
        p.setProperty("itemVocab", Integer.toString(itemVocab));
        p.setProperty("categoryVocab", Integer.toString(categoryVocab));
        p.setProperty("embeddingDim", Integer.toString(embeddingDim));
        p.setProperty("denseFeatures", Integer.toString(denseFeatures));
        StringBuilder widths = new StringBuilder();
        for (int width : bottomLayers) {
            widths.append(widths.length() == 0 ? "" : ",").append(width);
        }
        p.setProperty("bottomLayers", widths.toString());
        p.setProperty("towerWidth", Integer.toString(towerWidth));
        // Hex float text round-trips the double bit-exactly.
        p.setProperty("learningRate", Double.toHexString(learningRate));
        p.setProperty("seed", Long.toString(seed));
        p.setProperty("mmoe", Boolean.toString(mmoe));
        p.setProperty("experts", Integer.toString(experts));
        StringWriter out = new StringWriter();
        try {
            p.store(out, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /**
     * Decodes text written by {@link #encode()}.
     *
     * @throws IllegalArgumentException if a property is missing or malformed
     */
    static ModelConfig decode(String text) {
        Properties p = new Properties();
        try {
            p.load(new StringReader(text));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String[] widths = required(p, "bottomLayers").split(",");
        int[] bottom = new int[widths.length];
        for (int i = 0; i < widths.length; i++) {
            bottom[i] = Integer.parseInt(widths[i].trim());
        }
        return new ModelConfig(
                Integer.parseInt(required(p, "userVocab")),
                Integer.parseInt(required(p, "itemVocab")),
                Integer.parseInt(required(p, "categoryVocab")),
                Integer.parseInt(required(p, "embeddingDim")),
                Integer.parseInt(required(p, "denseFeatures")),
                bottom,
                Integer.parseInt(required(p, "towerWidth")),
                Double.parseDouble(required(p, "learningRate")),
                Long.parseLong(required(p, "seed")),
                Boolean.parseBoolean(required(p, "mmoe")),
                Integer.parseInt(required(p, "experts")));
    }

    private static String required(Properties p, String key) {
        String value = p.getProperty(key);
        if (value == null) {
            throw new IllegalArgumentException("stored model configuration lacks " + key);
        }
        return value;
    }

    private static void checkVocabulary(int size, String field) {
        if (size < 1 || size > MAX_VOCABULARY) {
            throw new IllegalArgumentException(
                    field + " must be in [1, " + MAX_VOCABULARY + "], was " + size);
        }
    }

    private static void checkPositive(int value, String field) {
        if (value < 1) {
            throw new IllegalArgumentException(field + " must be positive, was " + value);
        }
    }
}
