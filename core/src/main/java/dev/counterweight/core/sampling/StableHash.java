package dev.counterweight.core.sampling;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Stable 64-bit hashing for reproducible sampling decisions.
 *
 * <p>Unlike {@link String#hashCode()} or {@link java.util.Random}, the results are specified
 * bit-for-bit (FNV-1a 64 over UTF-8 bytes, finalised with the SplitMix64 mixer), so every JVM,
 * language and replay of a stream makes the same decision for the same id and seed.
 */
public final class StableHash {

    private static final long FNV_OFFSET_BASIS = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;
    private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;

    private StableHash() {}

    /**
     * Returns the 64-bit FNV-1a hash of the bytes.
     *
     * @param bytes the input
     * @return the hash
     */
    public static long fnv1a64(byte[] bytes) {
        long h = FNV_OFFSET_BASIS;
        for (byte b : bytes) {
            h ^= b & 0xff;
            h *= FNV_PRIME;
        }
        return h;
    }

    /**
     * Returns the 64-bit FNV-1a hash of the string's UTF-8 encoding.
     *
     * @param s the input
     * @return the hash
     */
    public static long fnv1a64(String s) {
        return fnv1a64(s.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Returns the SplitMix64 finaliser of {@code z}: a bijection on 64-bit values with full
     * avalanche, used because FNV-1a alone has weak high bits for short inputs.
     *
     * @param z the input
     * @return the mixed value
     */
    public static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /**
     * Returns the seeded hash {@code mix64(fnv1a64(key) ^ mix64(seed + 0x9e3779b97f4a7c15))}.
     *
     * @param seed the seed
     * @param key the key, hashed as UTF-8
     * @return the hash
     */
    public static long hash64(long seed, String key) {
        Objects.requireNonNull(key, "key must not be null");
        return mix64(fnv1a64(key) ^ mix64(seed + GOLDEN_GAMMA));
    }

    /**
     * Returns a uniform value in [0, 1) from the top 53 bits of {@link #hash64}.
     *
     * @param seed the seed
     * @param key the key, hashed as UTF-8
     * @return the value, a multiple of 2^-53 in [0, 1)
     */
    public static double unitInterval(long seed, String key) {
        return (hash64(seed, key) >>> 11) * 0x1.0p-53;
    }
}
