package dev.counterweight.learner.model;

import dev.counterweight.core.sampling.StableHash;
import java.util.List;
import java.util.Objects;

/**
 * Maps string ids (user, item, category) to embedding rows {@code [0, size)} by hashing, so the
 * vocabulary needs no dictionary and unseen ids still get a row.
 *
 * <p>The hash is {@link StableHash#hash64(long, String)} (FNV-1a 64 over UTF-8, SplitMix64
 * finaliser), reduced with an unsigned remainder; unlike {@link String#hashCode()} it is specified
 * bit-for-bit, so the learner, the scoring library and offline tools agree on every index across
 * JVMs and releases. Distinct ids may share a row (hash collisions); size the vocabulary to keep
 * that rare for frequent ids. Immutable and thread-safe.
 */
public final class HashedVocabulary {

    /** Name of the hashing scheme; enters {@link ModelConfig#featureFingerprint()}. */
    public static final String SCHEME = "stablehash64-fnv1a-splitmix64-mod";

    private final int size;
    private final long seed;

    /**
     * Creates a vocabulary with seed 0.
     *
     * @param size number of rows; in [1, {@value ModelConfig#MAX_VOCABULARY}]
     * @throws IllegalArgumentException if {@code size} is out of range
     */
    public HashedVocabulary(int size) {
        this(size, 0L);
    }

    /**
     * Creates a vocabulary.
     *
     * @param size number of rows; in [1, {@value ModelConfig#MAX_VOCABULARY}]
     * @param seed hash seed; different seeds give independent collision patterns
     * @throws IllegalArgumentException if {@code size} is out of range
     */
    public HashedVocabulary(int size, long seed) {
        if (size < 1 || size > ModelConfig.MAX_VOCABULARY) {
            throw new IllegalArgumentException(
                    "size must be in [1, " + ModelConfig.MAX_VOCABULARY + "], was " + size);
        }
        this.size = size;
        this.seed = seed;
    }

    /** Returns the number of rows. */
    public int size() {
        return size;
    }

    /** Returns the hash seed. */
    public long seed() {
        return seed;
    }

    /**
     * Returns the row of {@code id}.
     *
     * @param id the id
     * @return an index in {@code [0, size)}
     * @throws NullPointerException if {@code id} is null
     */
    public int index(String id) {
        Objects.requireNonNull(id, "id must not be null");
        return (int) Long.remainderUnsigned(StableHash.hash64(seed, id), size);
    }

    /**
     * Returns the rows of {@code ids}, in order.
     *
     * @param ids the ids
     * @return a new array of indices in {@code [0, size)}
     * @throws NullPointerException if {@code ids} or an element is null
     */
    public int[] indices(List<String> ids) {
        int[] out = new int[ids.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = index(ids.get(i));
        }
        return out;
    }

    @Override
    public String toString() {
        return "HashedVocabulary[size=" + size + ", seed=" + seed + "]";
    }
}
