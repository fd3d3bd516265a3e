package dev.counterweight.it.learner;

import dev.counterweight.avro.ModelSnapshot;
import dev.counterweight.learner.snapshot.SnapshotStore;
import dev.counterweight.learner.snapshot.SnapshotVerificationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Watches a snapshot directory from a background thread, as a reader (a scoring service) would:
 * every manifest it can see must point at a complete model with the manifest's sha256, at every
 * moment. Manifests are verified once per (version, sha256).
 */
final class SnapshotWatcher implements AutoCloseable {

    private final Path dir;
    private final Thread thread;
    private final Map<Long, String> verified = new ConcurrentHashMap<>();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private final AtomicLong scans = new AtomicLong();
    private volatile boolean stop;

    SnapshotWatcher(Path dir) {
        this.dir = dir;
        this.thread = new Thread(this::run, "snapshot-watcher");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Newest manifest version seen so far (0 before the first). */
    long newestVersion() {
        return verified.keySet().stream().mapToLong(Long::longValue).max().orElse(0);
    }

    List<String> violations() {
        return violations;
    }

    long scans() {
        return scans.get();
    }

    @Override
    public void close() {
        stop = true;
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        while (!stop) {
            try {
                scan();
                scans.incrementAndGet();
                Thread.sleep(20);
            } catch (InterruptedException e) {
                return;
            } catch (IOException | RuntimeException e) {
                violations.add("scan failed: " + e);
            }
        }
    }

    private void scan() throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        List<Path> manifests;
        try (Stream<Path> files = Files.list(dir)) {
            manifests =
                    files.filter(
                                    p -> {
                                        String n = p.getFileName().toString();
                                        return n.endsWith(".json") && !n.startsWith(".");
                                    })
                            .toList();
        }
        for (Path p : manifests) {
            byte[] json;
            try {
                json = Files.readAllBytes(p);
            } catch (NoSuchFileException gone) {
                continue; // retention is set high; a vanished manifest is checked at the end
            }
            ModelSnapshot m;
            try {
                m = SnapshotStore.fromJson(json);
            } catch (IOException | RuntimeException e) {
                violations.add("partial or unreadable manifest " + p.getFileName() + ": " + e);
                continue;
            }
            if (m.getSha256().equals(verified.get(m.getVersion()))) {
                continue;
            }
            try {
                SnapshotStore.verify(m);
                verified.put(m.getVersion(), m.getSha256());
            } catch (SnapshotVerificationException e) {
                violations.add("manifest " + p.getFileName() + ": " + e.getMessage());
            }
        }
    }
}
