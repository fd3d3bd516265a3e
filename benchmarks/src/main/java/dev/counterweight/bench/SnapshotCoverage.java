package dev.counterweight.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Which published model snapshot first covers a training sample: the snapshot of lowest version
 * whose next-offset for the sample's partition is beyond the sample's offset (so the learner had
 * trained on it when it wrote the snapshot). Snapshots of one model line have nondecreasing offsets
 * per partition, so each lookup is a binary search.
 */
public final class SnapshotCoverage {

    /**
     * One published snapshot.
     *
     * @param version snapshot version
     * @param createdAtMillis wall-clock time it was written
     * @param nextOffsets next offset to read per partition of the samples topic
     */
    public record Snapshot(long version, long createdAtMillis, Map<Integer, Long> nextOffsets) {
        public Snapshot {
            nextOffsets = Map.copyOf(nextOffsets);
        }
    }

    private final List<Snapshot> byVersion;

    /**
     * @param snapshots in any order
     * @throws IllegalArgumentException if a later version reads less of a partition than an earlier
     *     one (not one model line)
     */
    public SnapshotCoverage(List<Snapshot> snapshots) {
        List<Snapshot> sorted = new ArrayList<>(snapshots);
        sorted.sort(Comparator.comparingLong(Snapshot::version));
        for (int i = 1; i < sorted.size(); i++) {
            Snapshot before = sorted.get(i - 1);
            Snapshot after = sorted.get(i);
            for (var e : before.nextOffsets().entrySet()) {
                long later = after.nextOffsets().getOrDefault(e.getKey(), 0L);
                if (later < e.getValue()) {
                    throw new IllegalArgumentException(
                            String.format(
                                    "snapshot v%d reads partition %d up to %d, less than v%d (%d)",
                                    after.version(),
                                    e.getKey(),
                                    later,
                                    before.version(),
                                    e.getValue()));
                }
            }
        }
        this.byVersion = List.copyOf(sorted);
    }

    /**
     * The creation time of the first snapshot that covers the record at {@code offset} of {@code
     * partition}, or empty if none does.
     */
    public OptionalLong coveredAt(int partition, long offset) {
        int lo = 0;
        int hi = byVersion.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (byVersion.get(mid).nextOffsets().getOrDefault(partition, 0L) > offset) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo == byVersion.size()
                ? OptionalLong.empty()
                : OptionalLong.of(byVersion.get(lo).createdAtMillis());
    }
}
