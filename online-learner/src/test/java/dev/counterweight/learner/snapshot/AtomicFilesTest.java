package dev.counterweight.learner.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

    @TempDir Path dir;

    @Test
    void replacesTheTargetAndLeavesNoTemporaryFile() throws Exception {
        Path target = dir.resolve("m.model");
        Files.writeString(target, "old");
        String[] seenBeforeCommit = new String[2];
        AtomicFiles.write(
                target,
                t -> Files.writeString(t, "new"),
                t -> {
                    seenBeforeCommit[0] = Files.readString(t);
                    seenBeforeCommit[1] = Files.readString(target);
                });
        assertThat(seenBeforeCommit).containsExactly("new", "old");
        assertThat(Files.readString(target)).isEqualTo("new");
        assertThat(names()).containsExactly("m.model");
    }

    @Test
    void aFailedWriteLeavesTheTargetAsItWasAndNoTemporaryFile() throws Exception {
        Path target = dir.resolve("m.model");
        Files.writeString(target, "old");
        assertThatThrownBy(
                        () ->
                                AtomicFiles.write(
                                        target,
                                        t -> {
                                            Files.writeString(t, "ha");
                                            throw new IOException("No space left on device");
                                        }))
                .hasMessage("No space left on device");
        assertThatThrownBy(
                        () ->
                                AtomicFiles.write(
                                        target,
                                        t -> Files.writeString(t, "new"),
                                        t -> {
                                            throw new IOException("refused");
                                        }))
                .hasMessage("refused");
        assertThat(Files.readString(target)).isEqualTo("old");
        assertThat(names()).containsExactly("m.model");
    }

    @Test
    void aTemporaryFileLeftByAKilledWriterIsStartedAfresh() throws Exception {
        Path target = dir.resolve("m.model");
        Files.writeString(AtomicFiles.temporaryFor(target), "half of something much longer");
        assertThat(AtomicFiles.isTemporary(AtomicFiles.temporaryFor(target))).isTrue();
        assertThat(AtomicFiles.isTemporary(target)).isFalse();
        AtomicFiles.write(
                target,
                t ->
                        Files.write(
                                t,
                                new byte[] {1, 2},
                                java.nio.file.StandardOpenOption.CREATE,
                                java.nio.file.StandardOpenOption.APPEND));
        assertThat(Files.readAllBytes(target)).containsExactly(1, 2);
        assertThat(names()).containsExactly("m.model");
    }

    private java.util.List<String> names() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
