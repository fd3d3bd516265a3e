package dev.counterweight.connectors.dataset;

import dev.counterweight.connectors.dataset.KnownAnswerGenerator.ExposureTruth;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The side file of a known-answer stream: the true probabilities of every exposure, keyed by its
 * event id, kept apart from the events so that nothing downstream of the topic can read them.
 *
 * <p>Format (UTF-8, tab-separated, one exposure a line, {@code \n} line ends):
 *
 * <pre>
 * # counterweight known-answer truth v1
 * event_id	p_click	p_purchase_given_click	accidental_click
 * ka-0	0.0712...	0.1403...	0
 * </pre>
 *
 * <p>The first line names the format and its version, the second the columns. Probabilities are
 * written as Java's shortest round-tripping decimal ({@link Double#toString(double)}), so reading
 * gives back the exact doubles; {@code accidental_click} is {@code 1} for an exposure the generator
 * clicked by accident, else {@code 0}. {@code p_purchase = p_click · p_purchase_given_click}.
 */
public final class KnownAnswerTruthFile {

    /** The first line of the file. */
    public static final String MAGIC = "# counterweight known-answer truth v1";

    /** The second line of the file. */
    public static final String HEADER =
            "event_id\tp_click\tp_purchase_given_click\taccidental_click";

    private KnownAnswerTruthFile() {}

    /** Writes {@code truths} to {@code file}, replacing it. */
    public static void write(Path file, List<ExposureTruth> truths) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write(MAGIC);
            out.write('\n');
            out.write(HEADER);
            out.write('\n');
            for (ExposureTruth t : truths) {
                if (t.eventId().indexOf('\t') >= 0 || t.eventId().indexOf('\n') >= 0) {
                    throw new IllegalArgumentException(
                            "event id must not contain a tab or line break: " + t.eventId());
                }
                out.write(t.eventId());
                out.write('\t');
                out.write(Double.toString(t.pClick()));
                out.write('\t');
                out.write(Double.toString(t.pPurchaseGivenClick()));
                out.write('\t');
                out.write(t.accidentalClick() ? '1' : '0');
                out.write('\n');
            }
        }
    }

    /**
     * Reads a file written by {@link #write}, in file order.
     *
     * @throws IOException if the file cannot be read, or (as {@link java.io.IOException} with the
     *     file and line number) it is not in this format
     */
    public static List<ExposureTruth> read(Path file) throws IOException {
        List<ExposureTruth> truths = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            expect(file, 1, in.readLine(), MAGIC);
            expect(file, 2, in.readLine(), HEADER);
            int lineNumber = 2;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lineNumber++;
                String[] f = line.split("\t", -1);
                try {
                    if (f.length != 4 || !(f[3].equals("0") || f[3].equals("1"))) {
                        throw new IllegalArgumentException(
                                "expected 4 tab-separated fields ending in 0 or 1");
                    }
                    truths.add(
                            new ExposureTruth(
                                    f[0],
                                    Double.parseDouble(f[1]),
                                    Double.parseDouble(f[2]),
                                    f[3].equals("1")));
                } catch (IllegalArgumentException e) {
                    throw new IOException(file + " line " + lineNumber + ": " + e.getMessage(), e);
                }
            }
        }
        return truths;
    }

    private static void expect(Path file, int lineNumber, String line, String expected)
            throws IOException {
        if (!expected.equals(line)) {
            throw new IOException(
                    file
                            + " line "
                            + lineNumber
                            + ": expected '"
                            + expected
                            + "', found "
                            + (line == null ? "end of file" : "'" + line + "'"));
        }
    }
}
