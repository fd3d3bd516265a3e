package dev.counterweight.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * The settings the build hands to the tests as system properties (see the failsafe configuration in
 * this module's pom), with defaults for a run from an IDE after {@code mvn verify} has built the
 * classpath files once.
 */
public final class ItConfig {

    private ItConfig() {}

    /** Events the pipeline scenarios produce ({@code cw.it.events}). */
    public static int events() {
        return Integer.getInteger("cw.it.events", 30_000);
    }

    /** Kills per fault scenario ({@code cw.it.kills}). */
    public static int kills() {
        return Integer.getInteger("cw.it.kills", 1);
    }

    /** Where the scenarios keep logs, broker and checkpoint data: one folder per test class. */
    public static Path workDir(Class<?> testClass) {
        Path root = Path.of(System.getProperty("cw.it.work-dir", "target/it-work"));
        Path dir = root.resolve(testClass.getSimpleName()).toAbsolutePath();
        deleteRecursively(dir);
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The Flink runtime classpath of the cluster JVMs. */
    public static List<String> flinkClasspath() {
        return readClasspath(
                System.getProperty("cw.it.flink-classpath", "target/flink-classpath.txt"));
    }

    /** The classpath of the broker and learner JVMs (the test dependencies). */
    public static List<String> childClasspath() {
        Path file =
                Path.of(System.getProperty("cw.it.test-classpath", "target/test-classpath.txt"));
        if (Files.isRegularFile(file)) {
            return readClasspath(file.toString());
        }
        return Arrays.asList(
                System.getProperty("java.class.path").split(java.io.File.pathSeparator));
    }

    /** The shaded job jar of flink-jobs. */
    public static Path jobJar() {
        Path jar =
                Path.of(
                        System.getProperty(
                                "cw.it.job-jar", "target/jobs/counterweight-flink-jobs-job.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(
                    "job jar "
                            + jar.toAbsolutePath()
                            + " is missing: run 'mvn -pl integration-tests verify' (the"
                            + " pre-integration-test phase copies it)");
        }
        return jar.toAbsolutePath();
    }

    /**
     * JVM flags every child JVM gets: the Avro trust flag and the module openings of the parent
     * pom.
     */
    public static List<String> commonJvmFlags() {
        List<String> flags = new ArrayList<>();
        flags.add(
                "-Dorg.apache.avro.SERIALIZABLE_PACKAGES="
                        + System.getProperty("cw.it.avro-packages", "dev.counterweight.avro"));
        String opens =
                System.getProperty(
                        "cw.it.jvm-opens",
                        "--add-opens=java.base/java.lang=ALL-UNNAMED"
                                + " --add-opens=java.base/java.util=ALL-UNNAMED"
                                + " --add-opens=java.base/java.nio=ALL-UNNAMED"
                                + " --add-opens=java.base/sun.nio.ch=ALL-UNNAMED");
        for (String flag : opens.trim().split("\\s+")) {
            if (!flag.isEmpty()) {
                flags.add(flag);
            }
        }
        flags.add("-Djava.net.preferIPv4Stack=true");
        flags.add("-XX:+UseSerialGC");
        return flags;
    }

    private static List<String> readClasspath(String file) {
        Path path = Path.of(file);
        try {
            String text = Files.readString(path).trim();
            List<String> entries = new ArrayList<>();
            for (String e : text.split(java.io.File.pathSeparator)) {
                if (!e.isBlank()) {
                    entries.add(e);
                }
            }
            return entries;
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "classpath file "
                            + path.toAbsolutePath()
                            + " is missing: run 'mvn -pl integration-tests verify' (the"
                            + " pre-integration-test phase writes it)",
                    e);
        }
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder())
                    .forEach(
                            p -> {
                                try {
                                    Files.deleteIfExists(p);
                                } catch (IOException e) {
                                    throw new UncheckedIOException(e);
                                }
                            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
