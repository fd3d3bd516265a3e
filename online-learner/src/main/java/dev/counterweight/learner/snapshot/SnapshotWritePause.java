package dev.counterweight.learner.snapshot;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fault-test hook of a learner in its own JVM: with {@code
 * -Dcounterweight.snapshot.test-pause=<model|manifest>:<version>:<marker file>} the store stops
 * writing snapshot {@code version} at that point (the model's temporary file complete, or the model
 * visible and the manifest's temporary file complete), writes the marker file and waits while it
 * exists, so a test can kill the process mid-write (or delete the marker to let it go on). Read
 * only by {@link SnapshotStore}; without the property nothing happens.
 */
final class SnapshotWritePause implements SnapshotStore.WriteHook {

    static final String PROPERTY = "counterweight.snapshot.test-pause";

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotWritePause.class);

    private final Point point;
    private final long version;
    private final Path marker;

    SnapshotWritePause(Point point, long version, Path marker) {
        this.point = point;
        this.version = version;
        this.marker = marker;
    }

    static SnapshotStore.WriteHook fromSystemProperties() {
        String value = System.getProperty(PROPERTY);
        if (value == null || value.isBlank()) {
            return NONE;
        }
        return parse(value);
    }

    static SnapshotWritePause parse(String value) {
        String[] parts = value.split(":", 3);
        if (parts.length != 3) {
            throw new IllegalArgumentException(
                    PROPERTY + " must be <model|manifest>:<version>:<marker file>, was " + value);
        }
        Point point =
                switch (parts[0].toLowerCase(Locale.ROOT)) {
                    case "model" -> Point.MODEL_WRITTEN;
                    case "manifest" -> Point.MANIFEST_WRITTEN;
                    default ->
                            throw new IllegalArgumentException(
                                    PROPERTY + " must start with model or manifest, was " + value);
                };
        return new SnapshotWritePause(point, Long.parseLong(parts[1]), Path.of(parts[2]));
    }

    @Override
    public void reached(Point at, long writing, Path temporary) throws IOException {
        if (at != point || writing != version) {
            return;
        }
        LOG.warn(
                "{}: pausing snapshot v{} at {} ({}) while {} exists",
                PROPERTY,
                writing,
                at,
                temporary,
                marker);
        Files.writeString(marker, temporary.toString(), StandardCharsets.UTF_8);
        try {
            while (Files.exists(marker)) {
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while paused", e);
        }
        LOG.warn("{}: snapshot v{} goes on", PROPERTY, writing);
    }
}
