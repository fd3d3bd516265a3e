package dev.counterweight.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Architecture guard: the core module's production sources import only {@code java.*} and {@code
 * dev.counterweight.core.*}, so core stays usable from every runtime (Flink, the online learner,
 * offline tools) without dragging frameworks along.
 */
class CoreIsPureJavaTest {

    /** Overrides where the production sources are looked up. */
    static final String SOURCES_PROPERTY = "counterweight.core.sources";

    private static final Pattern IMPORT =
            Pattern.compile("^\\s*import\\s+(?:static\\s+)?([\\w.]+(?:\\.\\*)?)\\s*;");

    private static final List<String> ALLOWED = List.of("java.", "dev.counterweight.core.");

    private static final List<String> BANNED =
            List.of(
                    "org.apache.flink",
                    "org.apache.kafka",
                    "org.apache.avro",
                    "org.deeplearning4j",
                    "org.nd4j",
                    "org.slf4j");

    static Path sourceRoot() {
        String override = System.getProperty(SOURCES_PROPERTY);
        if (override != null) {
            return Paths.get(override);
        }
        // Surefire runs with basedir = core/; an IDE may run from the repository root.
        for (String candidate : List.of("src/main/java", "core/src/main/java")) {
            Path p = Paths.get(candidate).toAbsolutePath();
            if (Files.isDirectory(p.resolve("dev/counterweight/core"))) {
                return p;
            }
        }
        throw new AssertionError(
                "cannot find core/src/main/java from "
                        + Paths.get("").toAbsolutePath()
                        + "; set -D"
                        + SOURCES_PROPERTY);
    }

    /** Returns one message per forbidden import in {@code source}. */
    static List<String> violations(String fileName, String source) {
        List<String> found = new ArrayList<>();
        for (String line : source.split("\\R")) {
            Matcher m = IMPORT.matcher(line);
            if (!m.find()) {
                continue;
            }
            String imported = m.group(1);
            boolean banned = BANNED.stream().anyMatch(imported::startsWith);
            boolean allowed = ALLOWED.stream().anyMatch(imported::startsWith);
            if (banned || !allowed) {
                found.add(
                        fileName
                                + " imports "
                                + imported
                                + (banned ? " (banned framework)" : " (only java.* allowed)"));
            }
        }
        return found;
    }

    @Test
    void productionSourcesImportOnlyJavaAndCore() throws IOException {
        Path root = sourceRoot();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files = walk.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
        assertThat(files).as("Java sources under %s", root).hasSizeGreaterThanOrEqualTo(5);
        List<String> violations =
                files.stream()
                        .flatMap(f -> violations(root.relativize(f).toString(), read(f)).stream())
                        .collect(Collectors.toList());
        assertThat(violations).as("forbidden imports in core").isEmpty();
    }

    @Test
    void guardDetectsForbiddenImports() {
        String source =
                String.join(
                        "\n",
                        "package dev.counterweight.core.x;",
                        "import java.util.List;",
                        "import static java.lang.Math.max;",
                        "import dev.counterweight.core.decay.HalfLife;",
                        "import org.apache.flink.api.common.functions.MapFunction;",
                        "import static org.slf4j.LoggerFactory.getLogger;",
                        "import com.google.common.collect.ImmutableList;",
                        "  import javax.annotation.Nullable;",
                        "import org.nd4j.linalg.api.ndarray.*;");
        assertThat(violations("X.java", source))
                .containsExactly(
                        "X.java imports org.apache.flink.api.common.functions.MapFunction"
                                + " (banned framework)",
                        "X.java imports org.slf4j.LoggerFactory.getLogger (banned framework)",
                        "X.java imports com.google.common.collect.ImmutableList"
                                + " (only java.* allowed)",
                        "X.java imports javax.annotation.Nullable (only java.* allowed)",
                        "X.java imports org.nd4j.linalg.api.ndarray.* (banned framework)");
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
