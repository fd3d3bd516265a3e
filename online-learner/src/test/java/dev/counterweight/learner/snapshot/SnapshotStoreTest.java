package dev.counterweight.learner.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.counterweight.avro.ModelSnapshot;
import dev.counterweight.avro.PartitionOffset;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotStoreTest {

    @Test
    void writesModelThenManifestWithChecksumAndKeepsTheRetention(@TempDir Path dir)
            throws Exception {
        SnapshotStore store = new SnapshotStore(dir, "m", 2);
        for (long v = 1; v <= 4; v++) {
            String content = "model " + v;
            ModelSnapshot m = store.write(manifest(v), f -> Files.writeString(f, content));
            assertThat(m.getSha256())
                    .isEqualTo(
                            java.util.HexFormat.of()
                                    .formatHex(
                                            java.security.MessageDigest.getInstance("SHA-256")
                                                    .digest(
                                                            content.getBytes(
                                                                    StandardCharsets.UTF_8))));
            assertThat(m.getSizeBytes()).isEqualTo(content.length());
        }
        assertThat(store.manifests()).extracting(ModelSnapshot::getVersion).containsExactly(4L, 3L);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder(
                            "m-v3.model", "m-v3.json", "m-v4.model", "m-v4.json");
        }
        ModelSnapshot latest = store.latestValid().orElseThrow();
        assertThat(latest.getConsumerOffsets()).containsExactly(new PartitionOffset("t", 0, 40L));
        assertThat(latest.getMetrics()).containsEntry("ctr.auc", 0.5 + 4 / 100.0);
    }

    @Test
    void latestValidSkipsACorruptModelAndAFailedWriteLeavesNoVisibleFile(@TempDir Path dir)
            throws Exception {
        SnapshotStore store = new SnapshotStore(dir, "m", 10);
        store.write(manifest(1), f -> Files.writeString(f, "one"));
        store.write(manifest(2), f -> Files.writeString(f, "two"));
        Files.writeString(store.modelFile(2), "tampered");
        assertThat(store.latestValid().orElseThrow().getVersion()).isEqualTo(1);

        assertThatThrownBy(
                        () ->
                                store.write(
                                        manifest(3),
                                        f -> {
                                            Files.writeString(f, "half");
                                            throw new IOException("disk full");
                                        }))
                .hasMessageContaining("disk full");
        assertThat(store.modelFile(3)).doesNotExist();
        assertThat(store.manifestFile(3)).doesNotExist();
    }

    @Test
    void removeIncompleteDeletesWhatAnInterruptedWriterLeftAndNothingElse(@TempDir Path dir)
            throws Exception {
        SnapshotStore store = new SnapshotStore(dir, "m", 10);
        store.write(manifest(1), f -> Files.writeString(f, "one"));
        Files.writeString(dir.resolve(".tmp-m-v2.model"), "ha");
        Files.writeString(dir.resolve("m-v2.model"), "two");
        Files.writeString(dir.resolve(".tmp-m-v2.json"), "{");
        Files.writeString(dir.resolve(".tmp-other-v1.model"), "another model's write");
        Files.writeString(dir.resolve("other-v1.model"), "another model");

        assertThat(store.removeIncomplete())
                .extracting(p -> p.getFileName().toString())
                .containsExactlyInAnyOrder(".tmp-m-v2.model", "m-v2.model", ".tmp-m-v2.json");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder(
                            "m-v1.model", "m-v1.json", ".tmp-other-v1.model", "other-v1.model");
        }
        assertThat(store.latestValid().orElseThrow().getVersion()).isEqualTo(1);
    }

    @Test
    void theTestPauseIsParsedStrictly() {
        assertThat(SnapshotWritePause.parse("manifest:3:/tmp/x")).isNotNull();
        assertThatThrownBy(() -> SnapshotWritePause.parse("model:3"))
                .hasMessageContaining(SnapshotWritePause.PROPERTY);
        assertThatThrownBy(() -> SnapshotWritePause.parse("rename:3:/tmp/x"))
                .hasMessageContaining("model or manifest");
    }

    @Test
    void manifestsWithEveryMetricFiniteRoundTripThroughJson() throws Exception {
        // Guards the learner's rule that metrics maps never hold NaN: Avro JSON cannot read it
        // back.
        ModelSnapshot withNan =
                ModelSnapshot.newBuilder(manifest(1)).setMetrics(Map.of("x", Double.NaN)).build();
        assertThatThrownBy(() -> SnapshotStore.fromJson(SnapshotStore.toJson(withNan)))
                .isInstanceOf(Exception.class);
    }

    @Test
    void manifestJsonRoundTrips() throws Exception {
        ModelSnapshot m = manifest(7);
        assertThat(SnapshotStore.fromJson(SnapshotStore.toJson(m))).isEqualTo(m);
    }

    private static ModelSnapshot manifest(long v) {
        return ModelSnapshot.newBuilder()
                .setModelName("m")
                .setVersion(v)
                .setParentVersion(v == 1 ? null : v - 1)
                .setUri("")
                .setSha256("")
                .setCreatedAt(Instant.ofEpochMilli(1000 * v))
                .setSamplesTrained(100 * v)
                .setConsumerOffsets(List.of(new PartitionOffset("t", 0, 10 * v)))
                .setMetrics(Map.of("ctr.auc", 0.5 + v / 100.0))
                .setFeatureSchemaFingerprint("fp")
                .build();
    }
}
