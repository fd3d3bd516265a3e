package dev.counterweight.avro;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Checks every current schema against its newest released version: full compatibility (both
 * directions), a {@code doc} on every field and record, and a default on every field added since.
 */
class SchemaEvolutionTest {

    private static final Path CURRENT = Paths.get("src/main/avro");
    private static final Path PREVIOUS = Paths.get("src/test/resources/previous");

    @TestFactory
    Stream<DynamicTest> everyCurrentSchemaIsFullyCompatibleWithItsPreviousVersion()
            throws IOException {
        return currentSchemaFiles().stream()
                .map(
                        file ->
                                DynamicTest.dynamicTest(
                                        file.getFileName().toString(),
                                        () -> assertCompatibleWithPrevious(file)));
    }

    @Test
    void everySchemaHasAReleasedPreviousVersion() throws IOException {
        List<Path> files = currentSchemaFiles();
        assertThat(files).hasSizeGreaterThanOrEqualTo(6);
        for (Path file : files) {
            assertThat(newestPrevious(file.getFileName().toString()))
                    .as("released version of %s under %s", file.getFileName(), PREVIOUS)
                    .isPresent();
        }
    }

    @TestFactory
    Stream<DynamicTest> everyFieldAndRecordIsDocumented() throws IOException {
        return currentSchemaFiles().stream()
                .map(
                        file ->
                                DynamicTest.dynamicTest(
                                        file.getFileName().toString(),
                                        () -> assertDocumented(parse(file))));
    }

    @Test
    void incompatibleChangeIsDetected() {
        // A guard that the check itself can fail: a new required field without a default.
        Schema v1 =
                new Schema.Parser()
                        .parse(
                                "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":\"string\"}]}");
        Schema v2 =
                new Schema.Parser()
                        .parse(
                                "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":\"string\"},{\"name\":\"b\",\"type\":\"long\"}]}");
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(v2, v1).getType())
                .isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
    }

    private static void assertCompatibleWithPrevious(Path file) throws IOException {
        Schema current = parse(file);
        Schema previous =
                newestPrevious(file.getFileName().toString())
                        .map(SchemaEvolutionTest::parse)
                        .orElseThrow(() -> new AssertionError("no previous version of " + file));
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(current, previous).getType())
                .as("%s: new reader must read data written with the previous schema", file)
                .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(previous, current).getType())
                .as("%s: previous reader must read data written with the new schema", file)
                .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
        for (Schema.Field field : current.getFields()) {
            if (previous.getField(field.name()) == null) {
                assertThat(field.hasDefaultValue())
                        .as("%s: new field '%s' needs a default", file, field.name())
                        .isTrue();
            }
        }
    }

    private static void assertDocumented(Schema schema) {
        if (schema.getType() == Schema.Type.RECORD) {
            assertThat(schema.getDoc()).as("doc of record %s", schema.getFullName()).isNotBlank();
            for (Schema.Field field : schema.getFields()) {
                assertThat(field.doc())
                        .as("doc of field %s.%s", schema.getFullName(), field.name())
                        .isNotBlank();
                for (Schema nested : nestedSchemas(field.schema())) {
                    assertDocumented(nested);
                }
            }
        }
    }

    private static List<Schema> nestedSchemas(Schema schema) {
        List<Schema> out = new ArrayList<>();
        switch (schema.getType()) {
            case RECORD -> out.add(schema);
            case ARRAY -> out.addAll(nestedSchemas(schema.getElementType()));
            case MAP -> out.addAll(nestedSchemas(schema.getValueType()));
            case UNION -> schema.getTypes().forEach(t -> out.addAll(nestedSchemas(t)));
            default -> {}
        }
        return out;
    }

    private static List<Path> currentSchemaFiles() throws IOException {
        try (Stream<Path> files = Files.list(CURRENT)) {
            return files.filter(p -> p.toString().endsWith(".avsc")).sorted().toList();
        }
    }

    private static Optional<Path> newestPrevious(String fileName) {
        try (Stream<Path> versions = Files.list(PREVIOUS)) {
            return versions.filter(Files::isDirectory)
                    .filter(v -> v.getFileName().toString().matches("v\\d+"))
                    .sorted(
                            Comparator.comparingInt(
                                            (Path v) ->
                                                    Integer.parseInt(
                                                            v.getFileName()
                                                                    .toString()
                                                                    .substring(1)))
                                    .reversed())
                    .map(v -> v.resolve(fileName))
                    .filter(Files::exists)
                    .findFirst();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static Schema parse(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new AssertionError("cannot read " + file, e);
        }
    }
}
