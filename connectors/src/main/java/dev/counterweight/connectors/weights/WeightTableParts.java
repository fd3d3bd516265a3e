package dev.counterweight.connectors.weights;

import dev.counterweight.avro.ClassWeight;
import dev.counterweight.avro.ClassWeights;
import dev.counterweight.core.decay.HalfLife;
import dev.counterweight.core.weighting.WeightTable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The weight table on the wire: one version as one or more {@link ClassWeights} records ({@code
 * part} of {@code parts}), each with the same header and a consecutive key range of the classes, so
 * that a table of many classes stays under Kafka's record size limit. Written by the weighting
 * job's weight-table step, read by its stamping step.
 */
public final class WeightTableParts {

    /**
     * Largest Avro size of the class entries of one class-weights record: half of Kafka's default 1
     * MiB record limit ({@code max.request.size}, {@code message.max.bytes}), leaving room for the
     * header fields and the batch overhead; about 17,000 classes with 12-character keys.
     */
    public static final int MAX_PART_BYTES = 512 * 1024;

    private WeightTableParts() {}

    /**
     * The Avro form of a table as one or more records ({@code part} of {@code parts}), each with
     * the same header and a consecutive key range of at most {@code maxPartBytes} of encoded class
     * entries (a single entry larger than that gets a part of its own). An empty table is one
     * record with no classes.
     */
    public static List<ClassWeights> encode(
            WeightTable table, long computedAt, HalfLife halfLife, int maxPartBytes) {
        List<List<ClassWeight>> slices = new ArrayList<>();
        List<ClassWeight> slice = new ArrayList<>();
        long sliceBytes = 0;
        for (Map.Entry<String, dev.counterweight.core.weighting.ClassWeight> e :
                table.entries().entrySet()) {
            int bytes = entryBytes(e.getKey());
            if (!slice.isEmpty() && sliceBytes + bytes > maxPartBytes) {
                slices.add(slice);
                slice = new ArrayList<>();
                sliceBytes = 0;
            }
            slice.add(new ClassWeight(e.getKey(), e.getValue().count(), e.getValue().weight()));
            sliceBytes += bytes;
        }
        slices.add(slice);
        List<ClassWeights> parts = new ArrayList<>(slices.size());
        for (int i = 0; i < slices.size(); i++) {
            parts.add(
                    ClassWeights.newBuilder()
                            .setVersion(table.version())
                            .setStrategy(table.strategy().name())
                            .setComputedAt(Instant.ofEpochMilli(computedAt))
                            .setHalfLifeMillis(halfLife.millis())
                            .setTotalCount(table.totalCount())
                            .setEffectiveSampleSize(table.effectiveSampleSize())
                            .setImbalanceRatio(table.imbalanceRatio())
                            .setFallbackWeight(table.fallbackWeight())
                            .setClasses(slices.get(i))
                            .setPart(i)
                            .setParts(slices.size())
                            .build());
        }
        return parts;
    }

    /**
     * The class weights of one complete version: every class of {@code parts} (part 0 first, all of
     * one version) with its weight.
     */
    public static Map<String, Double> weights(List<ClassWeights> parts) {
        Map<String, Double> out = new HashMap<>();
        for (ClassWeights part : parts) {
            for (ClassWeight c : part.getClasses()) {
                out.put(c.getClassKey(), c.getWeight());
            }
        }
        return out;
    }

    /** Avro binary size of one class entry: the key (length varint + UTF-8) and two doubles. */
    public static int entryBytes(String key) {
        int utf8 = 0;
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x80) {
                utf8 += 1;
            } else if (c < 0x800) {
                utf8 += 2;
            } else if (Character.isHighSurrogate(c)) {
                utf8 += 4;
                i++;
            } else {
                utf8 += 3;
            }
        }
        long zigzag = (long) utf8 << 1;
        int varint = 1;
        while ((zigzag >>>= 7) != 0) {
            varint++;
        }
        return varint + utf8 + 16;
    }
}
