package dev.counterweight.it.upgrade;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * A savepoint of a released job with what it refers to, as stored under {@code
 * src/test/resources/savepoints/<release>/<scenario>/}:
 *
 * <ul>
 *   <li>{@code savepoint/}: the savepoint directory (canonical format, relocatable);
 *   <li>{@code input.tsv.gz}: every record of the {@code events} topic, in offset order per
 *       partition: {@code before|after partition offset timestamp base64(key) base64(value)};
 *       {@code before} records were written before the savepoint (the job had read them all),
 *       {@code after} ones after it;
 *   <li>{@code output-before.tsv.gz}: every record the job had committed to its output topics when
 *       the savepoint was taken: {@code topic partition offset base64(value)};
 *   <li>{@code fixture.properties}: the job options (prefix {@code option.}, without the
 *       machine-specific bootstrap servers and checkpoint directory), the Flink settings, the
 *       consumer offsets the savepoint holds (prefix {@code offset.events.}), and figures.
 * </ul>
 */
record SavepointFixture(Path dir) {

    static final String INPUT = "input.tsv.gz";
    static final String OUTPUT_BEFORE = "output-before.tsv.gz";
    static final String PROPERTIES = "fixture.properties";
    static final String SAVEPOINT = "savepoint";
    static final String OPTION_PREFIX = "option.";
    static final String OFFSET_PREFIX = "offset.events.";

    /** One record of the input topic. */
    record InputRecord(
            boolean beforeSavepoint,
            int partition,
            long offset,
            long timestamp,
            byte[] key,
            byte[] value) {}

    /** One committed output record. */
    record OutputRecord(String topic, int partition, long offset, byte[] value) {}

    Path savepoint() {
        return dir.resolve(SAVEPOINT);
    }

    List<InputRecord> input() {
        List<InputRecord> out = new ArrayList<>();
        for (String[] f : readLines(dir.resolve(INPUT), 6)) {
            if (!f[0].equals("before") && !f[0].equals("after")) {
                throw new IllegalStateException("bad phase " + f[0] + " in " + INPUT);
            }
            out.add(
                    new InputRecord(
                            f[0].equals("before"),
                            Integer.parseInt(f[1]),
                            Long.parseLong(f[2]),
                            Long.parseLong(f[3]),
                            decode(f[4]),
                            decode(f[5])));
        }
        return out;
    }

    List<OutputRecord> outputBefore() {
        List<OutputRecord> out = new ArrayList<>();
        for (String[] f : readLines(dir.resolve(OUTPUT_BEFORE), 4)) {
            out.add(
                    new OutputRecord(
                            f[0], Integer.parseInt(f[1]), Long.parseLong(f[2]), decode(f[3])));
        }
        return out;
    }

    Properties properties() {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(dir.resolve(PROPERTIES))) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    /**
     * The job options the fixture was taken with (without bootstrap servers and checkpoint dir).
     */
    Map<String, String> options() {
        Map<String, String> out = new TreeMap<>();
        properties()
                .forEach(
                        (k, v) -> {
                            if (k.toString().startsWith(OPTION_PREFIX)) {
                                out.put(
                                        k.toString().substring(OPTION_PREFIX.length()),
                                        v.toString());
                            }
                        });
        return out;
    }

    /** Partition to the next offset of {@code events} the savepoint's source will read. */
    Map<Integer, Long> savepointOffsets() {
        Map<Integer, Long> out = new TreeMap<>();
        properties()
                .forEach(
                        (k, v) -> {
                            if (k.toString().startsWith(OFFSET_PREFIX)) {
                                out.put(
                                        Integer.parseInt(
                                                k.toString().substring(OFFSET_PREFIX.length())),
                                        Long.parseLong(v.toString()));
                            }
                        });
        return out;
    }

    /**
     * The expected samples (reference sample ids) whose exposure the job had read before the
     * savepoint but whose sample was not yet committed: attributions pending in the savepoint.
     */
    static java.util.Set<String> pendingAttributions(
            java.util.Collection<String> expectedSampleIds,
            java.util.Set<String> exposureIdsBefore,
            java.util.Set<String> sampleIdsBefore) {
        java.util.Set<String> out = new java.util.TreeSet<>();
        for (String id : expectedSampleIds) {
            int hash = id.indexOf('#');
            String exposure = hash < 0 ? id : id.substring(0, hash);
            if (exposureIdsBefore.contains(exposure) && !sampleIdsBefore.contains(id)) {
                out.add(id);
            }
        }
        return out;
    }

    static void writeInput(Path file, List<InputRecord> records) {
        writeLines(
                file,
                records.stream()
                        .map(
                                r ->
                                        String.join(
                                                "\t",
                                                r.beforeSavepoint() ? "before" : "after",
                                                String.valueOf(r.partition()),
                                                String.valueOf(r.offset()),
                                                String.valueOf(r.timestamp()),
                                                encode(r.key()),
                                                encode(r.value())))
                        .toList());
    }

    static void writeOutput(Path file, List<OutputRecord> records) {
        writeLines(
                file,
                records.stream()
                        .map(
                                r ->
                                        String.join(
                                                "\t",
                                                r.topic(),
                                                String.valueOf(r.partition()),
                                                String.valueOf(r.offset()),
                                                encode(r.value())))
                        .toList());
    }

    /** Sorted keys, no timestamp line: the file is the same for the same content. */
    static void writeProperties(Path file, Map<String, String> properties, String comment) {
        List<String> lines = new ArrayList<>();
        lines.add("# " + comment);
        new TreeMap<>(properties).forEach((k, v) -> lines.add(k + "=" + v.replace("\\", "\\\\")));
        try {
            Files.write(file, lines, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String encode(byte[] bytes) {
        return bytes == null ? "-" : Base64.getEncoder().encodeToString(bytes);
    }

    private static byte[] decode(String field) {
        return field.equals("-") ? null : Base64.getDecoder().decode(field);
    }

    private static List<String[]> readLines(Path file, int fields) {
        try (BufferedReader r =
                new BufferedReader(
                        new InputStreamReader(
                                new GZIPInputStream(Files.newInputStream(file)),
                                StandardCharsets.US_ASCII))) {
            List<String[]> out = new ArrayList<>();
            try (Stream<String> lines = r.lines()) {
                lines.forEach(
                        line -> {
                            String[] f = line.split("\t", -1);
                            if (f.length != fields) {
                                throw new IllegalStateException(
                                        file + ": expected " + fields + " fields in " + line);
                            }
                            out.add(f);
                        });
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeLines(Path file, List<String> lines) {
        try (Writer w =
                new BufferedWriter(
                        new OutputStreamWriter(
                                new GZIPOutputStream(Files.newOutputStream(file)),
                                StandardCharsets.US_ASCII))) {
            for (String line : lines) {
                w.write(line);
                w.write('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
