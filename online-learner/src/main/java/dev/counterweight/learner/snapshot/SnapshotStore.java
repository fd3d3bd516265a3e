package dev.counterweight.learner.snapshot;

import dev.counterweight.avro.ModelSnapshot;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * <model>-v<version>.json} (its {@link ModelSnapshot} manifest, Avro JSON). Both are written with
 * {@link AtomicFiles} (hidden temporary file, sync, atomic rename), model first, so a reader never
 * sees a partial file and a manifest always points at a complete model. Older snapshots beyond the
 * retention are deleted, manifest first.
 */
public final class SnapshotStore {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotStore.class);

    /** Writes the model file to the given path. */
    @FunctionalInterface
    public interface ModelWriter {
        void write(Path file) throws IOException;
    }

    /**
     * A seam for fault tests: called at the points of a snapshot write where a crash or a failure
     * matters, with the complete temporary file that is about to be renamed. Throwing abandons the
     * write (a full disk); blocking lets a test kill the process there.
     */
    @FunctionalInterface
    public interface WriteHook {

        /** Where a snapshot write is. */
        enum Point {
            /** The model's temporary file is complete; nothing of this version is visible yet. */
            MODEL_WRITTEN,
            /** The model file is visible; the manifest's temporary file is complete. */
            MANIFEST_WRITTEN
        }

        /** Does nothing. */
        WriteHook NONE = (point, version, temporary) -> {};

        void reached(Point point, long version, Path temporary) throws IOException;
    }

    private final Path dir;
    private final String modelName;
    private final int retention;
    private final WriteHook hook;

    /**
     * A store without a test hook, unless the system property {@value SnapshotWritePause#PROPERTY}
     * asks for a pause (fault tests of a learner in its own JVM).
     */
    public SnapshotStore(Path dir, String modelName, int retention) {
        this(dir, modelName, retention, SnapshotWritePause.fromSystemProperties());
    }

    /** A store that calls {@code hook} during each write (fault tests). */
    public SnapshotStore(Path dir, String modelName, int retention, WriteHook hook) {
        this.dir = dir;
        this.modelName = modelName;
        this.retention = retention;
        this.hook = java.util.Objects.requireNonNull(hook, "hook");
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
     * Writes the model and then its manifest (with uri, sha256 and size filled in), each through
     * {@link AtomicFiles}, and applies retention. If the manifest cannot be written, the model file
     * of that version is removed again; either way no manifest is visible and nothing partial is.
     *
     * @param manifest everything but uri, sha256 and sizeBytes
     * @return the complete manifest as written
     * @throws IOException if a write fails; the store is then as before the call (at most an
     *     unreferenced model file is left if even its removal failed)
     */
    public ModelSnapshot write(ModelSnapshot manifest, ModelWriter model) throws IOException {
        long version = manifest.getVersion();
        Path modelFile = modelFile(version);
        String[] sha = new String[1];
        long[] size = new long[1];
        AtomicFiles.write(
                modelFile,
                model::write,
                temporary -> {
                    hook.reached(WriteHook.Point.MODEL_WRITTEN, version, temporary);
                    sha[0] = sha256(temporary);
                    size[0] = Files.size(temporary);
                });
        ModelSnapshot complete =
                ModelSnapshot.newBuilder(manifest)
                        .setUri(modelFile.toUri().toString())
                        .setSha256(sha[0])
                        .setSizeBytes(size[0])
                        .build();
        byte[] json = toJson(complete);
        try {
            AtomicFiles.write(
                    manifestFile(version),
                    temporary -> Files.write(temporary, json),
                    temporary ->
                            hook.reached(WriteHook.Point.MANIFEST_WRITTEN, version, temporary));
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(modelFile);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        applyRetention();
        return complete;
    }

    /**
     * Removes what an interrupted writer left behind: this model's temporary files and model files
     * without a manifest (a crash between the two renames, or during retention). Only the one
     * process that writes this store may call it, before it writes; readers never do.
     *
     * @return the files removed
     */
    public List<Path> removeIncomplete() throws IOException {
        List<Path> removed = new ArrayList<>();
        String prefix = modelName + "-v";
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.toList()) {
                String name = p.getFileName().toString();
                boolean temporary =
                        AtomicFiles.isTemporary(p)
                                && name.startsWith(AtomicFiles.TEMP_PREFIX + prefix);
                boolean orphan =
                        name.startsWith(prefix)
                                && name.endsWith(".model")
                                && !Files.exists(
                                        p.resolveSibling(
                                                name.substring(0, name.length() - ".model".length())
                                                        + ".json"));
                if ((temporary || orphan) && Files.deleteIfExists(p)) {
                    removed.add(p);
                }
            }
        }
        if (!removed.isEmpty()) {
            LOG.warn("removed what an interrupted snapshot write left: {}", removed);
        }
        return removed;
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
}
