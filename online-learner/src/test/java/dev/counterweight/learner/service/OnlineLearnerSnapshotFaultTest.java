package dev.counterweight.learner.service;

import static dev.counterweight.learner.service.OnlineLearnerTest.MODEL;
import static dev.counterweight.learner.service.OnlineLearnerTest.options;
import static dev.counterweight.learner.service.OnlineLearnerTest.reference;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.counterweight.avro.ModelSnapshot;
import dev.counterweight.avro.Sample;
import dev.counterweight.learner.snapshot.SnapshotStore;
import dev.counterweight.learner.snapshot.SnapshotStore.WriteHook.Point;
import dev.counterweight.testing.SyntheticSamples;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Snapshots under faults, in process and in milliseconds: a full disk (a write failure injected
 * through the store's {@link SnapshotStore.WriteHook}, after half the temporary file was written)
 * at either write, a full disk at the final snapshot, what a kill in the middle of either write
 * leaves on disk, and a corrupt or truncated newest snapshot. Each time no reader sees a partial or
 * unverifiable snapshot, and the learner goes on (or restarts) from the newest complete one and
 * ends exactly where an undisturbed run ends. The kill itself, on a learner JVM, is {@code
 * LearnerSnapshotFaultITCase} in integration-tests.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class OnlineLearnerSnapshotFaultTest {

    @TempDir Path dir;

    @ParameterizedTest
    @EnumSource(Point.class)
    void aFullDiskLeavesNothingVisibleAndTheSnapshotIsWrittenOnTheNextTry(Point where)
            throws Exception {
        Map<String, String> o = options();
        o.put("learner.max-idle", "30 s");
        OnlineLearnerTest.Fixture f = new OnlineLearnerTest.Fixture(dir, o);
        List<Sample> samples = SyntheticSamples.learnable(1_000, 11);
        samples.forEach(s -> f.source.append(0, s));
        List<Optional<Long>> readerSawDuringFailure = new ArrayList<>();
        List<List<String>> filesAtRetry = new ArrayList<>();
        int[] calls = {0};
        f.hook =
                (point, version, temporary) -> {
                    if (point != where || version != 2) {
                        return;
                    }
                    if (calls[0]++ == 0) {
                        halve(temporary);
                        readerSawDuringFailure.add(
                                reader().latestValid().map(ModelSnapshot::getVersion));
                        throw new IOException("No space left on device (injected)");
                    }
                    filesAtRetry.add(listing());
                };

        OnlineLearner.Status status = f.learner().run();

        assertThat(status.snapshotsFailed()).isEqualTo(1);
        assertThat(status.samplesTrained()).isEqualTo(1_000);
        assertThat(readerSawDuringFailure).containsExactly(Optional.of(1L));
        // What the failed attempt left: nothing of v2 but the retry's own temporary file.
        assertThat(filesAtRetry)
                .containsExactly(
                        where == Point.MODEL_WRITTEN
                                ? List.of(
                                        ".tmp-ranker-v2.model", "ranker-v1.json", "ranker-v1.model")
                                : List.of(
                                        ".tmp-ranker-v2.json",
                                        "ranker-v1.json",
                                        "ranker-v1.model",
                                        "ranker-v2.model"));
        assertThat(reader().manifests())
                .extracting(ModelSnapshot::getVersion, ModelSnapshot::getSamplesTrained)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(2L, 1_000L),
                        org.assertj.core.groups.Tuple.tuple(1L, 400L));
        assertThat(listing())
                .containsExactly(
                        "ranker-v1.json", "ranker-v1.model", "ranker-v2.json", "ranker-v2.model");
        SnapshotStore.verify(reader().latestValid().orElseThrow());
        assertThat(f.out.announced).extracting(ModelSnapshot::getVersion).containsExactly(1L, 2L);
        assertThat(f.models.last.state()).isEqualTo(reference(f, samples, 100, b -> false).state());
    }

    @Test
    void aFullDiskAtTheFinalSnapshotFailsTheRunAndARestartResumesFromTheLastCompleteOne()
            throws Exception {
        OnlineLearnerTest.Fixture f = new OnlineLearnerTest.Fixture(dir, options());
        List<Sample> samples = SyntheticSamples.learnable(600, 12);
        samples.forEach(s -> f.source.append(0, s));
        f.hook =
                (point, version, temporary) -> {
                    if (version == 2) {
                        throw new IOException("No space left on device (injected)");
                    }
                };

        assertThatThrownBy(() -> f.learner().run())
                .isInstanceOf(IOException.class)
                .hasMessageContaining("final snapshot v2")
                .hasMessageContaining("resumes from v1")
                .hasRootCauseMessage("No space left on device (injected)");
        assertThat(listing()).containsExactly("ranker-v1.json", "ranker-v1.model");

        OnlineLearnerTest.Fixture again = new OnlineLearnerTest.Fixture(dir, options());
        again.source = f.source.copy(again.clock);
        OnlineLearner.Status resumed = again.learner().run();

        assertThat(again.source.seekedTo()).isEqualTo(Map.of(0, 400L));
        assertThat(resumed.samplesTrained()).isEqualTo(600);
        assertThat(resumed.version()).isEqualTo(2);
        assertThat(again.models.last.state())
                .isEqualTo(reference(f, samples, 100, b -> false).state());
    }

    @ParameterizedTest
    @EnumSource(Point.class)
    void whatAKillDuringAWriteLeavesIsInvisibleAndRemovedAtTheRestart(Point killedAt)
            throws Exception {
        List<Sample> samples = SyntheticSamples.learnable(1_000, 13);
        OnlineLearnerTest.Fixture first = new OnlineLearnerTest.Fixture(dir, options());
        samples.subList(0, 800).forEach(s -> first.source.append(0, s));
        assertThat(first.learner().run().version()).isEqualTo(2);
        // The disk as a SIGKILL in the middle of writing v3 leaves it (the JVM kill itself is
        // LearnerSnapshotFaultITCase): a half-written temporary model, or a complete model and a
        // half-written temporary manifest.
        byte[] model = Files.readAllBytes(dir.resolve("ranker-v2.model"));
        byte[] manifest = Files.readAllBytes(dir.resolve("ranker-v2.json"));
        if (killedAt == Point.MODEL_WRITTEN) {
            Files.write(dir.resolve(".tmp-ranker-v3.model"), half(model));
        } else {
            Files.write(dir.resolve("ranker-v3.model"), model);
            Files.write(dir.resolve(".tmp-ranker-v3.json"), half(manifest));
        }
        assertThat(reader().latestValid().map(ModelSnapshot::getVersion)).contains(2L);
        assertThat(reader().manifests())
                .extracting(ModelSnapshot::getVersion)
                .containsExactly(2L, 1L);

        OnlineLearnerTest.Fixture second = new OnlineLearnerTest.Fixture(dir, options());
        List<List<String>> filesAtNextWrite = new ArrayList<>();
        second.hook =
                (point, version, temporary) -> {
                    if (point == Point.MODEL_WRITTEN) {
                        filesAtNextWrite.add(listing());
                    }
                };
        samples.forEach(s -> second.source.append(0, s));
        OnlineLearner.Status resumed = second.learner().run();

        assertThat(filesAtNextWrite)
                .containsExactly(
                        List.of(
                                ".tmp-ranker-v3.model",
                                "ranker-v1.json",
                                "ranker-v1.model",
                                "ranker-v2.json",
                                "ranker-v2.model"));
        assertThat(second.source.seekedTo()).isEqualTo(Map.of(0, 800L));
        assertThat(resumed.samplesTrained()).isEqualTo(1_000);
        assertThat(resumed.version()).isEqualTo(3);
        assertThat(second.models.last.state())
                .isEqualTo(reference(first, samples, 100, b -> false).state());
    }

    enum Corruption {
        FLIPPED_MODEL_BYTE,
        TRUNCATED_MODEL,
        MISSING_MODEL,
        TRUNCATED_MANIFEST
    }

    @ParameterizedTest
    @EnumSource(Corruption.class)
    void aCorruptNewestSnapshotIsSkippedAndTheLearnerResumesFromThePreviousOne(Corruption c)
            throws Exception {
        List<Sample> samples = SyntheticSamples.learnable(1_000, 14);
        OnlineLearnerTest.Fixture first = new OnlineLearnerTest.Fixture(dir, options());
        samples.forEach(s -> first.source.append(0, s));
        assertThat(first.learner().run().version()).isEqualTo(3);
        Path model = dir.resolve("ranker-v3.model");
        Path manifest = dir.resolve("ranker-v3.json");
        switch (c) {
            case FLIPPED_MODEL_BYTE -> {
                byte[] b = Files.readAllBytes(model);
                b[b.length / 2] ^= 0x01;
                Files.write(model, b);
            }
            case TRUNCATED_MODEL -> Files.write(model, half(Files.readAllBytes(model)));
            case MISSING_MODEL -> Files.delete(model);
            case TRUNCATED_MANIFEST -> Files.write(manifest, half(Files.readAllBytes(manifest)));
        }
        assertThat(reader().latestValid().map(ModelSnapshot::getVersion)).contains(2L);

        OnlineLearnerTest.Fixture second = new OnlineLearnerTest.Fixture(dir, options());
        second.source = first.source.copy(second.clock);
        OnlineLearner.Status resumed = second.learner().run();

        assertThat(second.models.loaded).containsExactly(dir.resolve("ranker-v2.model"));
        assertThat(second.source.seekedTo()).isEqualTo(Map.of(0, 800L));
        assertThat(resumed.samplesTrained()).isEqualTo(1_000);
        assertThat(resumed.version()).isEqualTo(3);
        ModelSnapshot v3 = reader().latestValid().orElseThrow();
        assertThat(v3.getVersion()).isEqualTo(3);
        SnapshotStore.verify(v3);
        assertThat(second.models.last.state())
                .isEqualTo(reference(first, samples, 100, b -> false).state());
    }

    private SnapshotStore reader() {
        return new SnapshotStore(dir, MODEL, 100, SnapshotStore.WriteHook.NONE);
    }

    private List<String> listing() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static void halve(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() / 2);
        }
    }

    private static byte[] half(byte[] b) {
        return java.util.Arrays.copyOf(b, b.length / 2);
    }
}
