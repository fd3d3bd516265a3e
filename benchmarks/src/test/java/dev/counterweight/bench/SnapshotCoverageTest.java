package dev.counterweight.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.counterweight.bench.SnapshotCoverage.Snapshot;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SnapshotCoverageTest {

    /** Linear scan over the snapshots in version order. */
    private static OptionalLong reference(List<Snapshot> snapshots, int partition, long offset) {
        return snapshots.stream()
                .sorted((a, b) -> Long.compare(a.version(), b.version()))
                .filter(s -> s.nextOffsets().getOrDefault(partition, 0L) > offset)
                .mapToLong(Snapshot::createdAtMillis)
                .findFirst();
    }

    @Test
    void matchesALinearScanOnRandomSnapshotLines() {
        SplittableRandom random = new SplittableRandom(3);
        for (int trial = 0; trial < 100; trial++) {
            List<Snapshot> snapshots = new ArrayList<>();
            long p0 = 0;
            long p1 = 0;
            long created = 1_000;
            int n = random.nextInt(12);
            for (int v = 1; v <= n; v++) {
                p0 += random.nextInt(50);
                p1 += random.nextInt(50);
                created += 1 + random.nextInt(20_000);
                snapshots.add(
                        new Snapshot(
                                v,
                                created,
                                random.nextBoolean() && v == 1
                                        ? Map.of(0, p0)
                                        : Map.of(0, p0, 1, p1)));
            }
            Collections.shuffle(snapshots, new java.util.Random(trial));
            SnapshotCoverage coverage = new SnapshotCoverage(snapshots);
            for (int partition = 0; partition < 3; partition++) {
                for (long offset = 0; offset < 600; offset += 1 + random.nextInt(5)) {
                    assertThat(coverage.coveredAt(partition, offset))
                            .as("partition %d offset %d", partition, offset)
                            .isEqualTo(reference(snapshots, partition, offset));
                }
            }
        }
    }

    @Test
    void aSnapshotCoversOffsetsBelowItsNextOffsetOnly() {
        SnapshotCoverage coverage =
                new SnapshotCoverage(
                        List.of(
                                new Snapshot(1, 100, Map.of(0, 10L)),
                                new Snapshot(2, 200, Map.of(0, 20L))));
        assertThat(coverage.coveredAt(0, 9)).hasValue(100);
        assertThat(coverage.coveredAt(0, 10)).hasValue(200);
        assertThat(coverage.coveredAt(0, 20)).isEmpty();
        assertThat(coverage.coveredAt(1, 0)).isEmpty();
    }

    @Test
    void rejectsOffsetsThatGoBackwards() {
        assertThatThrownBy(
                        () ->
                                new SnapshotCoverage(
                                        List.of(
                                                new Snapshot(1, 100, Map.of(0, 10L)),
                                                new Snapshot(2, 200, Map.of(0, 5L)))))
                .hasMessageContaining("snapshot v2 reads partition 0 up to 5, less than v1 (10)");
    }
}
