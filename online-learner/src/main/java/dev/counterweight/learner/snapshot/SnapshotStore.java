package dev.counterweight.learner.snapshot;

import dev.counterweight.avro.ModelSnapshot;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.io.JsonEncoder;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A directory of versioned snapshots: {@code <model>-v<version>.model} (the model file) and {@code
 * <model>-v<version>.json} (its {@link ModelSnapshot} manifest, Avro JSON). Both are written to
 * hidden temporary files, synced, and renamed atomically, model first, so a reader never sees a
 * partial file and a manifest always points at a complete model. Older snapshots beyond the
 * retention are deleted, manifest first.
 */
public final class SnapshotStore {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotStore.class);

    /** Writes the model file to the given path. */
    @FunctionalInterface
    public interface ModelWriter {
        void write(Path file) throws IOException;
    }

    private final Path dir;
    private final String modelName;
    private final int retention;

    public SnapshotStore(Path dir, String modelName, int retention) {
        this.dir = dir;
        this.modelName = modelName;
        this.retention = retention;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create snapshot directory " + dir, e);
        }
    }

    public Path dir() {
        return dir;
    }

    /** The model file of a version. */
    public Path modelFile(long version) {
        return dir.resolve(modelName + "-v" + version + ".model");
    }

    /** The manifest file of a version. */
    public Path manifestFile(long version) {
        return dir.resolve(modelName + "-v" + version + ".json");
    }

    /**
     * Writes the model and then its manifest (with uri, sha256 and size filled in), atomically, and
     * applies retention.
     *
     * @param manifest everything but uri, sha256 and sizeBytes
     * @return the complete manifest as written
     */
    public ModelSnapshot write(ModelSnapshot manifest, ModelWriter model) throws IOException {
        long version = manifest.getVersion();
        Path tmpModel = dir.resolve(".tmp-" + modelName + "-v" + version + ".model");
        model.write(tmpModel);
        fsync(tmpModel);
        String sha = sha256(tmpModel);
        long size = Files.size(tmpModel);
        move(tmpModel, modelFile(version));
        ModelSnapshot complete =
                ModelSnapshot.newBuilder(manifest)
                        .setUri(modelFile(version).toUri().toString())
                        .setSha256(sha)
                        .setSizeBytes(size)
                        .build();
        Path tmpManifest = dir.resolve(".tmp-" + modelName + "-v" + version + ".json");
        Files.write(tmpManifest, toJson(complete));
        fsync(tmpManifest);
        move(tmpManifest, manifestFile(version));
        fsyncDir();
        applyRetention();
        return complete;
    }

    /** Every manifest that parses, newest version first (files are not verified). */
    public List<ModelSnapshot> manifests() throws IOException {
        List<ModelSnapshot> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(this::isManifest).toList()) {
                try {
                    out.add(fromJson(Files.readAllBytes(p)));
                } catch (IOException | RuntimeException e) {
                    LOG.warn("ignoring unreadable manifest {}: {}", p, e.getMessage());
                }
            }
        }
        out.sort(Comparator.comparingLong(ModelSnapshot::getVersion).reversed());
        return out;
    }

    /** The newest snapshot whose model file exists and matches its checksum. */
    public Optional<ModelSnapshot> latestValid() throws IOException {
        for (ModelSnapshot m : manifests()) {
            try {
                verify(m);
                return Optional.of(m);
            } catch (SnapshotVerificationException e) {
                LOG.warn("skipping snapshot {}: {}", m.getVersion(), e.getMessage());
            }
        }
        return Optional.empty();
    }

    /**
     * Checks that the manifest's model file exists and has the announced sha256.
     *
     * @throws SnapshotVerificationException naming the file and what is wrong
     */
    public static Path verify(ModelSnapshot m) throws SnapshotVerificationException {
        Path file;
        try {
            file = Path.of(java.net.URI.create(m.getUri()));
        } catch (RuntimeException e) {
            throw new SnapshotVerificationException(
                    "snapshot " + m.getVersion() + " has an unusable uri " + m.getUri());
        }
        if (!Files.isRegularFile(file)) {
            throw new SnapshotVerificationException(
                    "model file " + file + " of snapshot " + m.getVersion() + " is missing");
        }
        String actual;
        try {
            actual = sha256(file);
        } catch (IOException e) {
            throw new SnapshotVerificationException("cannot read " + file + ": " + e.getMessage());
        }
        if (!actual.equalsIgnoreCase(m.getSha256())) {
            throw new SnapshotVerificationException(
                    "model file "
                            + file
                            + " is corrupt: sha256 "
                            + actual
                            + " but the manifest says "
                            + m.getSha256());
        }
        return file;
    }

    /** Hex SHA-256 of a file. */
    public static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) > 0) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Avro JSON of a manifest. */
    public static byte[] toJson(ModelSnapshot m) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        JsonEncoder encoder =
                EncoderFactory.get().jsonEncoder(ModelSnapshot.getClassSchema(), out, true);
        new SpecificDatumWriter<>(ModelSnapshot.class).write(m, encoder);
        encoder.flush();
        return out.toByteArray();
    }

    /** Parses Avro JSON of a manifest. */
    public static ModelSnapshot fromJson(byte[] json) throws IOException {
        return new SpecificDatumReader<>(ModelSnapshot.class)
                .read(
                        null,
                        DecoderFactory.get()
                                .jsonDecoder(
                                        ModelSnapshot.getClassSchema(),
                                        new String(json, java.nio.charset.StandardCharsets.UTF_8)));
    }

    private boolean isManifest(Path p) {
        String name = p.getFileName().toString();
        return name.startsWith(modelName + "-v") && name.endsWith(".json");
    }

    private void applyRetention() throws IOException {
        List<ModelSnapshot> all = manifests();
        for (int i = retention; i < all.size(); i++) {
            long v = all.get(i).getVersion();
            Files.deleteIfExists(manifestFile(v));
            Files.deleteIfExists(modelFile(v));
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(
                    from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the snapshot directory does not support atomic renames", e);
        }
    }

    private static void fsync(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    private void fsyncDir() {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Not every file system allows syncing a directory; the renames are still atomic.
            LOG.debug("cannot fsync directory {}: {}", dir, e.getMessage());
        }
    }
}
