package dev.counterweight.learner.snapshot;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way the learner replaces a file: the content goes to a hidden temporary sibling ({@value
 * #TEMP_PREFIX}{@code <name>}), which is synced, then renamed over the target atomically, and the
 * directory is synced. A reader sees the old file or the complete new one, never a partial file; a
 * write that fails (or a process killed while writing) leaves at most the hidden temporary file,
 * which {@link #isTemporary} recognises. A file system without atomic renames is refused: a plain
 * move could expose a partial file.
 */
public final class AtomicFiles {

    /** Name prefix of temporary files; readers skip such files. */
    public static final String TEMP_PREFIX = ".tmp-";

    private static final Logger LOG = LoggerFactory.getLogger(AtomicFiles.class);

    private AtomicFiles() {}

    /** Writes the content of a file to the given (temporary) path. */
    @FunctionalInterface
    public interface Content {
        void writeTo(Path file) throws IOException;
    }

    /**
     * Called with the complete, synced temporary file just before it is renamed; may read it (a
     * checksum), or throw to abandon the write.
     */
    @FunctionalInterface
    public interface BeforeCommit {
        void check(Path temporary) throws IOException;
    }

    /** Replaces {@code target} atomically with what {@code content} writes. */
    public static void write(Path target, Content content) throws IOException {
        write(target, content, temporary -> {});
    }

    /**
     * Replaces {@code target} atomically with what {@code content} writes, calling {@code
     * beforeCommit} on the complete temporary file first. On any failure the temporary file is
     * deleted and the target is unchanged.
     *
     * @throws IOException if writing, syncing or renaming fails, or the file system cannot rename
     *     atomically
     */
    public static void write(Path target, Content content, BeforeCommit beforeCommit)
            throws IOException {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        Path temporary = temporaryFor(absolute);
        // Left behind by a writer that was killed: start from an empty file.
        Files.deleteIfExists(temporary);
        boolean committed = false;
        try {
            content.writeTo(temporary);
            fsync(temporary);
            beforeCommit.check(temporary);
            try {
                Files.move(
                        temporary,
                        absolute,
                        StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException(
                        "the directory " + dir + " does not support atomic renames", e);
            }
            committed = true;
        } finally {
            if (!committed) {
                deleteQuietly(temporary);
            }
        }
        fsyncDirectory(dir);
    }

    /** The temporary sibling a write of {@code target} uses. */
    public static Path temporaryFor(Path target) {
        return target.resolveSibling(TEMP_PREFIX + target.getFileName());
    }

    /** Whether a file is a temporary file of an unfinished (or abandoned) write. */
    public static boolean isTemporary(Path file) {
        return file.getFileName().toString().startsWith(TEMP_PREFIX);
    }

    private static void fsync(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    private static void fsyncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Not every file system allows syncing a directory; the rename is still atomic.
            LOG.debug("cannot fsync directory {}: {}", dir, e.getMessage());
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("cannot delete the temporary file {}: {}", file, e.getMessage());
        }
    }
}
