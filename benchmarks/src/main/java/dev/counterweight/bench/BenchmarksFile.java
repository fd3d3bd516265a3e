package dev.counterweight.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Replaces one marked section of BENCHMARKS.md, keeping everything else. */
public final class BenchmarksFile {

    private BenchmarksFile() {}

    /** Writes {@code body} between {@code <!-- name:begin -->} and {@code <!-- name:end -->}. */
    public static void replaceSection(Path file, String name, String body) throws IOException {
        String begin = "<!-- " + name + ":begin -->";
        String end = "<!-- " + name + ":end -->";
        String text =
                Files.exists(file)
                        ? Files.readString(file)
                        : "# Benchmarks\n\nEvery figure here comes from a command in this repository;"
                                + " ratios are against baselines measured in the same run.\n";
        String section = begin + "\n" + body.strip() + "\n" + end;
        int b = text.indexOf(begin);
        int e = text.indexOf(end);
        if (b >= 0 && e > b) {
            text = text.substring(0, b) + section + text.substring(e + end.length());
        } else {
            text = text.stripTrailing() + "\n\n" + section + "\n";
        }
        Files.writeString(file, text);
    }
}
