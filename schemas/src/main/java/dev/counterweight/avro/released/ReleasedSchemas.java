package dev.counterweight.avro.released;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * The writer schemas of every release, shipped in this jar under {@value #ROOT}: one {@code
 * <Record>/<version>.avsc} per record and release, listed in {@value #INDEX} with its fingerprint.
 * Readers register them so records written by an earlier release (still in a topic, or from a
 * producer not yet upgraded) are read with the current schema through Avro schema resolution.
 *
 * <p>Every {@value #INDEX} under {@value #ROOT} on the class path counts: a test adds writer
 * schemas this way (stand-ins for the producers of a later release), with versions such as {@code
 * 0.2.0-test}.
 *
 * <p>A released file is never edited: loading fails if a file's fingerprint is not the one the
 * index pins, so a change to a released schema cannot ship unnoticed.
 */
public final class ReleasedSchemas {

    /** Class-path folder of the released schemas. */
    public static final String ROOT = "dev/counterweight/avro/released/";

    /**
     * Index file under {@link #ROOT}: one {@code <Record>/<version>.avsc <fingerprint>} a line, the
     * fingerprint as {@link #fingerprintHex} writes it; {@code #} starts a comment line.
     */
    public static final String INDEX = "index.txt";

    /** One released writer schema. */
    public record Released(String record, String version, Schema schema, String fingerprint) {}

    private static volatile Map<String, List<Released>> byRecord;

    private ReleasedSchemas() {}

    /**
     * The released writer schemas of a record (its simple name, e.g. {@code UserEvent}), oldest
     * release first; empty for a record that was never released.
     */
    public static List<Released> of(String record) {
        return all().getOrDefault(record, List.of());
    }

    /** Every released writer schema by record name, each list oldest release first. */
    public static Map<String, List<Released>> all() {
        Map<String, List<Released>> loaded = byRecord;
        if (loaded == null) {
            loaded = load(ReleasedSchemas.class.getClassLoader());
            byRecord = loaded;
        }
        return loaded;
    }

    /**
     * Orders release versions numerically by their dot-separated parts ({@code 0.10.0 > 0.9.1}),
     * then by an optional {@code -suffix}, none first.
     */
    public static final Comparator<String> VERSION_ORDER =
            (a, b) -> {
                String[] x = a.replaceFirst("-.*", "").split("\\.");
                String[] y = b.replaceFirst("-.*", "").split("\\.");
                for (int i = 0; i < Math.max(x.length, y.length); i++) {
                    int c =
                            Integer.compare(
                                    i < x.length ? Integer.parseInt(x[i]) : 0,
                                    i < y.length ? Integer.parseInt(y[i]) : 0);
                    if (c != 0) {
                        return c;
                    }
                }
                return Comparator.<String>naturalOrder().compare(suffix(a), suffix(b));
            };

    private static String suffix(String version) {
        int dash = version.indexOf('-');
        return dash < 0 ? "" : version.substring(dash);
    }

    /**
     * A schema's CRC-64-AVRO fingerprint of its parsing canonical form (docs and defaults do not
     * count), as the 8 bytes appear in Avro's single-object encoding after the 2 marker bytes, in
     * lower-case hex.
     */
    public static String fingerprintHex(Schema schema) {
        try {
            return HexFormat.of()
                    .formatHex(SchemaNormalization.parsingFingerprint("CRC-64-AVRO", schema));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Avro lost its own CRC-64-AVRO fingerprint", e);
        }
    }

    static Map<String, List<Released>> load(ClassLoader loader) {
        Map<String, List<Released>> out = new TreeMap<>();
        for (String line : indexEntries(loader)) {
            String[] tokens = line.split("\\s+");
            if (tokens.length != 2) {
                throw new IllegalStateException(
                        ROOT
                                + INDEX
                                + ": '"
                                + line
                                + "' is not '<Record>/<version>.avsc <fingerprint>'");
            }
            String entry = tokens[0];
            String[] parts = entry.split("/");
            if (parts.length != 2 || !parts[1].matches("\\d+(\\.\\d+)*(-[A-Za-z0-9]+)?\\.avsc")) {
                throw new IllegalStateException(
                        ROOT + INDEX + ": '" + entry + "' is not <Record>/<version>.avsc");
            }
            String version = parts[1].substring(0, parts[1].length() - ".avsc".length());
            Schema schema = parse(loader, ROOT + entry);
            if (!schema.getName().equals(parts[0])) {
                throw new IllegalStateException(
                        ROOT + entry + " holds record " + schema.getName() + ", not " + parts[0]);
            }
            String fingerprint = fingerprintHex(schema);
            if (!fingerprint.equals(tokens[1])) {
                throw new IllegalStateException(
                        ROOT
                                + entry
                                + " has fingerprint "
                                + fingerprint
                                + ", the index pins "
                                + tokens[1]
                                + ": a released schema was edited; restore it and put the change"
                                + " in src/main/avro");
            }
            out.computeIfAbsent(parts[0], r -> new ArrayList<>())
                    .add(new Released(parts[0], version, schema, fingerprint));
        }
        out.replaceAll(
                (record, list) ->
                        list.stream()
                                .sorted(Comparator.comparing(Released::version, VERSION_ORDER))
                                .toList());
        return Map.copyOf(out);
    }

    /** The lines of every index on the class path (the schemas jar's, and any a test adds). */
    private static List<String> indexEntries(ClassLoader loader) {
        List<String> lines = new ArrayList<>();
        try {
            Enumeration<URL> indexes = loader.getResources(ROOT + INDEX);
            if (!indexes.hasMoreElements()) {
                throw new IOException("missing class-path resource " + ROOT + INDEX);
            }
            while (indexes.hasMoreElements()) {
                URL index = indexes.nextElement();
                try (InputStream in = index.openStream();
                        BufferedReader reader =
                                new BufferedReader(
                                        new InputStreamReader(in, StandardCharsets.UTF_8))) {
                    reader.lines()
                            .map(String::strip)
                            .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                            .filter(line -> !lines.contains(line))
                            .forEach(lines::add);
                }
            }
            return lines;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + ROOT + INDEX, e);
        }
    }

    private static Schema parse(ClassLoader loader, String resource) {
        try (InputStream in = open(loader, resource)) {
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read released schema " + resource, e);
        }
    }

    private static InputStream open(ClassLoader loader, String resource) throws IOException {
        InputStream in = loader.getResourceAsStream(resource);
        if (in == null) {
            throw new IOException("missing class-path resource " + resource);
        }
        return in;
    }
}
