package dev.counterweight.avro.released;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading the released schemas: the jar's index, ordering, and the guards against edits. */
class ReleasedSchemasTest {

    private static final String V1 =
            "{\"type\":\"record\",\"name\":\"R\",\"namespace\":\"t\",\"fields\":"
                    + "[{\"name\":\"a\",\"type\":\"string\"}]}";
    private static final String V2 =
            "{\"type\":\"record\",\"name\":\"R\",\"namespace\":\"t\",\"fields\":"
                    + "[{\"name\":\"a\",\"type\":\"string\"},"
                    + "{\"name\":\"b\",\"type\":\"long\",\"default\":0}]}";

    @TempDir Path dir;

    @Test
    void theJarShipsEverySchemaOfRelease010() {
        assertThat(ReleasedSchemas.all().keySet())
                .containsExactlyInAnyOrder(
                        "ClassLoss",
                        "ClassWeights",
                        "DeadLetter",
                        "ModelSnapshot",
                        "Sample",
                        "UserEvent");
        ReleasedSchemas.all()
                .values()
                .forEach(list -> assertThat(list).extracting("version").contains("0.1.0"));
    }

    @Test
    void versionsAreOrderedNumericallyWithSuffixesAfter() throws Exception {
        write("R/0.10.0.avsc", V2);
        write("R/0.9.1.avsc", V1);
        write("R/0.9.1-test.avsc", V2);
        index(
                "R/0.10.0.avsc " + fingerprint(V2),
                "R/0.9.1-test.avsc " + fingerprint(V2),
                "R/0.9.1.avsc " + fingerprint(V1));

        Map<String, List<ReleasedSchemas.Released>> loaded = load();

        assertThat(loaded.get("R"))
                .extracting(ReleasedSchemas.Released::version)
                .containsExactly("0.9.1", "0.9.1-test", "0.10.0");
    }

    @Test
    void anEditedReleasedFileIsRefused() throws Exception {
        write("R/0.1.0.avsc", V2);
        index("R/0.1.0.avsc " + fingerprint(V1));

        assertThatThrownBy(this::load)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("R/0.1.0.avsc has fingerprint " + fingerprint(V2))
                .hasMessageContaining("the index pins " + fingerprint(V1))
                .hasMessageContaining("a released schema was edited");
    }

    @Test
    void aMissingReleasedFileIsRefused() throws Exception {
        index("R/0.1.0.avsc " + fingerprint(V1));

        assertThatThrownBy(this::load)
                .hasMessageContaining("cannot read released schema")
                .hasStackTraceContaining("missing class-path resource " + ReleasedSchemas.ROOT);
    }

    @Test
    void aFileOfAnotherRecordIsRefused() throws Exception {
        write("Other/0.1.0.avsc", V1);
        index("Other/0.1.0.avsc " + fingerprint(V1));

        assertThatThrownBy(this::load).hasMessageContaining("holds record R, not Other");
    }

    private Map<String, List<ReleasedSchemas.Released>> load() throws Exception {
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, null)) {
            return ReleasedSchemas.load(loader);
        }
    }

    private void index(String... lines) throws Exception {
        write(ReleasedSchemas.INDEX, "# test\n" + String.join("\n", lines) + "\n");
    }

    private void write(String relative, String text) throws Exception {
        Path file = dir.resolve(ReleasedSchemas.ROOT).resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    private static String fingerprint(String schema) {
        return ReleasedSchemas.fingerprintHex(new org.apache.avro.Schema.Parser().parse(schema));
    }
}
