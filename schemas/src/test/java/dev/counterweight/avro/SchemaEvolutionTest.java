package dev.counterweight.avro;

import static org.assertj.core.api.Assertions.assertThat;

import dev.counterweight.avro.released.ReleasedSchemas;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Checks every current schema against the released versions shipped in the jar ({@link
 * ReleasedSchemas}): the current schema reads every released version, is fully compatible (both
 * directions) with the newest one, documents every field and record, and gives a default to every
 * field added since. Also guards that released versions are kept: the index lists exactly the files
 * on disk, each file keeps its pinned fingerprint, and a release build (a version without {@code
 * -SNAPSHOT}) must have its own schemas among the released ones.
 */
class SchemaEvolutionTest {

    private static final Path CURRENT = Paths.get("src/main/avro");
    private static final Path RELEASED = Paths.get("src/main/resources", ReleasedSchemas.ROOT);

    @TestFactory
    Stream<DynamicTest> everyCurrentSchemaReadsEveryReleasedVersion() throws IOException {
        return currentSchemaFiles().stream()
                .map(
                        file ->
                                DynamicTest.dynamicTest(
                                        file.getFileName().toString(),
                                        () -> assertReadsEveryReleased(file)));
    }

    @TestFactory
    Stream<DynamicTest> everyCurrentSchemaIsFullyCompatibleWithItsNewestRelease()
            throws IOException {
        return currentSchemaFiles().stream()
                .map(
                        file ->
                                DynamicTest.dynamicTest(
                                        file.getFileName().toString(),
                                        () -> assertCompatibleWithNewestRelease(file)));
    }

    @Test
    void everySchemaHasAReleasedVersion() throws IOException {
        List<Path> files = currentSchemaFiles();
        assertThat(files).hasSizeGreaterThanOrEqualTo(6);
        for (Path file : files) {
            assertThat(ReleasedSchemas.of(recordName(file)))
                    .as("released version of %s under %s", file.getFileName(), RELEASED)
                    .isNotEmpty();
        }
    }

    @Test
    void theIndexListsExactlyTheReleasedFilesWithTheirFingerprints() throws IOException {
        Set<String> onDisk;
        try (Stream<Path> files = Files.walk(RELEASED)) {
            onDisk =
                    files.filter(p -> p.toString().endsWith(".avsc"))
                            .map(p -> RELEASED.relativize(p).toString().replace('\\', '/'))
                            .collect(Collectors.toCollection(TreeSet::new));
        }
        Set<String> indexed = new TreeSet<>();
        for (List<ReleasedSchemas.Released> versions : ReleasedSchemas.all().values()) {
            for (ReleasedSchemas.Released r : versions) {
                String entry = r.record() + "/" + r.version() + ".avsc";
                indexed.add(entry);
                assertThat(ReleasedSchemas.fingerprintHex(parse(RELEASED.resolve(entry))))
                        .as("fingerprint of released %s", entry)
                        .isEqualTo(r.fingerprint());
            }
        }
        assertThat(indexed)
                .as("%s%s lists every released file", RELEASED, ReleasedSchemas.INDEX)
                .isEqualTo(onDisk);
    }

    @Test
    void aReleaseBuildShipsItsOwnSchemasAmongTheReleasedOnes() throws IOException {
        String version = System.getProperty("counterweight.version", "");
        assertThat(version)
                .as("surefire passes the project version as counterweight.version")
                .isNotBlank();
        if (version.endsWith("-SNAPSHOT")) {
            return; // a development build may change schemas; the release pins them.
        }
        for (Path file : currentSchemaFiles()) {
            assertThat(
                            ReleasedSchemas.of(recordName(file)).stream()
                                    .filter(r -> r.version().equals(version))
                                    .map(ReleasedSchemas.Released::fingerprint)
                                    .toList())
                    .as(
                            "release %s: copy %s to %s%s/%s.avsc and list it in %s",
                            version,
                            file,
                            RELEASED,
                            recordName(file),
                            version,
                            ReleasedSchemas.INDEX)
                    .containsExactly(ReleasedSchemas.fingerprintHex(parse(file)));
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

    private static void assertReadsEveryReleased(Path file) {
        Schema current = parse(file);
        for (ReleasedSchemas.Released r : ReleasedSchemas.of(recordName(file))) {
            assertThat(
                            SchemaCompatibility.checkReaderWriterCompatibility(current, r.schema())
                                    .getType())
                    .as("%s: must read data written with release %s", file, r.version())
                    .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
        }
    }

    private static void assertCompatibleWithNewestRelease(Path file) {
        Schema current = parse(file);
        List<ReleasedSchemas.Released> released = ReleasedSchemas.of(recordName(file));
        if (released.isEmpty()) {
            throw new AssertionError("no released version of " + file);
        }
        Schema previous = released.get(released.size() - 1).schema();
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

    private static String recordName(Path file) {
        String name = file.getFileName().toString();
        return name.substring(0, name.length() - ".avsc".length());
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

    private static Schema parse(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new AssertionError("cannot read " + file, e);
        }
    }
}
