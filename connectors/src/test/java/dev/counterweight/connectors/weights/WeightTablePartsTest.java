package dev.counterweight.connectors.weights;

import static org.assertj.core.api.Assertions.assertThat;

import dev.counterweight.avro.ClassWeight;
import dev.counterweight.avro.ClassWeights;
import dev.counterweight.core.decay.HalfLife;
import dev.counterweight.core.weighting.WeightTable;
import dev.counterweight.core.weighting.WeightingConfig;
import dev.counterweight.core.weighting.WeightingStrategy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

/** Splitting a weight table into class-weights records of bounded size, and reading it back. */
class WeightTablePartsTest {

    private static final HalfLife HALF_LIFE = HalfLife.of(Duration.ofMinutes(1));
    private static final WeightingConfig INVERSE =
            new WeightingConfig(WeightingStrategy.INVERSE, 0.999, 0.01, 100.0, true);

    private static WeightTable table(int classes) {
        Map<String, Double> counts = new TreeMap<>();
        for (int i = 0; i < classes; i++) {
            counts.put("cat=" + i, 1.0 + i % 17);
        }
        return WeightTable.compute(7, counts, INVERSE);
    }

    private static <T> int avroBytes(T record, Class<T> type) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<>(type).write(record, encoder);
        encoder.flush();
        return out.size();
    }

    @Test
    void entryBytesIsTheAvroSizeOfTheEntry() throws IOException {
        for (String key :
                List.of(
                        "",
                        "cat=1",
                        "x".repeat(63),
                        "x".repeat(64),
                        "é€😀|y=click",
                        "k".repeat(9000))) {
            assertThat(WeightTableParts.entryBytes(key))
                    .as("key %s", key.length() > 20 ? key.length() + " chars" : key)
                    .isEqualTo(avroBytes(new ClassWeight(key, 3.5, 0.25), ClassWeight.class));
        }
    }

    @Test
    void aLargeTableIsSplitIntoConsecutiveKeyRangesBelowTheBudget() throws IOException {
        WeightTable t = table(10_000);
        int budget = 16 * 1024;

        List<ClassWeights> parts = WeightTableParts.encode(t, 60_000, HALF_LIFE, budget);

        // 10,000 entries of 22-25 bytes each need more than 13 parts of 16 KiB.
        assertThat(parts).hasSizeGreaterThan(13);
        Map<String, Double> merged = new LinkedHashMap<>();
        for (int i = 0; i < parts.size(); i++) {
            ClassWeights p = parts.get(i);
            assertThat(p.getPart()).isEqualTo(i);
            assertThat(p.getParts()).isEqualTo(parts.size());
            assertThat(p.getVersion()).isEqualTo(7);
            assertThat(p.getTotalCount()).isEqualTo(t.totalCount());
            assertThat(p.getFallbackWeight()).isEqualTo(t.fallbackWeight());
            int entries = 0;
            for (ClassWeight c : p.getClasses()) {
                entries += avroBytes(c, ClassWeight.class);
                merged.put(c.getClassKey(), c.getWeight());
            }
            assertThat(entries).isLessThanOrEqualTo(budget);
            // The whole record: the entries plus a header of well under 100 bytes.
            assertThat(avroBytes(p, ClassWeights.class)).isLessThan(budget + 100);
        }
        Map<String, Double> expected = new LinkedHashMap<>();
        t.entries().forEach((k, v) -> expected.put(k, v.weight()));
        assertThat(new ArrayList<>(merged.entrySet()))
                .as("every class once, in key order")
                .containsExactlyElementsOf(expected.entrySet());
    }

    @Test
    void aSmallTableIsOneRecordAndAnEmptyTableIsOneEmptyRecord() {
        List<ClassWeights> small =
                WeightTableParts.encode(
                        table(1_000), 0, HALF_LIFE, WeightTableParts.MAX_PART_BYTES);
        assertThat(small)
                .singleElement()
                .satisfies(
                        p -> {
                            assertThat(p.getParts()).isEqualTo(1);
                            assertThat(p.getClasses()).hasSize(1_000);
                        });
        assertThat(WeightTableParts.encode(table(0), 0, HALF_LIFE, 1))
                .singleElement()
                .satisfies(p -> assertThat(p.getClasses()).isEmpty());
    }

    @Test
    void anEntryLargerThanTheBudgetGetsAPartOfItsOwn() {
        List<ClassWeights> parts = WeightTableParts.encode(table(3), 0, HALF_LIFE, 1);
        assertThat(parts).hasSize(3).allSatisfy(p -> assertThat(p.getClasses()).hasSize(1));
    }

    @Test
    void weightsOfThePartsAreTheTablesWeights() {
        WeightTable t = table(2_000);
        Map<String, Double> expected = new TreeMap<>();
        t.entries().forEach((k, v) -> expected.put(k, v.weight()));

        Map<String, Double> decoded =
                WeightTableParts.weights(WeightTableParts.encode(t, 0, HALF_LIFE, 4 * 1024));

        assertThat(new TreeMap<>(decoded)).isEqualTo(expected);
    }
}
