package dev.counterweight.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One child JVM: {@code java <flags> -cp <classpath> <main> <args>}, with stdout and stderr in a
 * file. Every started JVM is also registered for a shutdown hook of the test JVM that kills what is
 * still running, so a test JVM that is stopped (e.g. by a build timeout) leaves no orphans.
 */
public final class ChildJvm {

    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> LIVE.forEach(Process::destroyForcibly), "kill-child-jvms"));
    }

    private final String name;
    private final Process process;
    private final Path output;

    private ChildJvm(String name, Process process, Path output) {
        this.name = name;
        this.process = process;
        this.output = output;
    }

    /**
     * Starts a JVM.
     *
     * @param name short name for messages and the output file
     * @param output file that receives stdout and stderr (appended)
     */
    public static ChildJvm start(
            String name,
            List<String> classpath,
            List<String> jvmFlags,
            String mainClass,
            List<String> args,
            Path output) {
        List<String> command = new ArrayList<>();
        command.add(javaBinary());
        command.addAll(jvmFlags);
        command.add("-cp");
        command.add(String.join(java.io.File.pathSeparator, classpath));
        command.add(mainClass);
        command.addAll(args);
        try {
            Files.createDirectories(output.getParent());
            Files.writeString(
                    output,
                    "### " + String.join(" ", command.subList(0, 1)) + " ... " + mainClass + "\n",
                    StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
            Process p =
                    new ProcessBuilder(command)
                            .redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()))
                            .redirectInput(ProcessBuilder.Redirect.PIPE)
                            .start();
            LIVE.add(p);
            p.onExit().thenRun(() -> LIVE.remove(p));
            return new ChildJvm(name, p, output);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    /** Runs a JVM to completion and returns its output. */
    public static String run(
            String name,
            List<String> classpath,
            List<String> jvmFlags,
            String mainClass,
            List<String> args,
            Path output,
            Duration timeout) {
        ChildJvm jvm = start(name, classpath, jvmFlags, mainClass, args, output);
        int rc = jvm.waitFor(timeout);
        String text = jvm.outputText();
        if (rc != 0) {
            throw new IllegalStateException(
                    name + " exited with " + rc + ":\n" + tail(text, 4_000));
        }
        return text;
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL: no shutdown hook, no flush, no goodbye. Waits until the process is gone. */
    public void kill9() {
        process.destroyForcibly();
        waitForExit(Duration.ofSeconds(30));
    }

    /** SIGTERM, then SIGKILL if it has not exited within {@code grace}. */
    public void stop(Duration grace) {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        waitForExit(Duration.ofSeconds(30));
    }

    /**
     * Waits for the exit and returns the exit code; fails if it runs longer than {@code timeout}.
     */
    public int waitFor(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError(
                        name
                                + " still running after "
                                + timeout.toSeconds()
                                + " s; output tail:\n"
                                + tail(outputText(), 3_000));
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for " + name, e);
        }
    }

    /** Throws with the output tail if the process has exited. */
    public void requireAlive() {
        if (!process.isAlive()) {
            throw new AssertionError(
                    name
                            + " exited with "
                            + process.exitValue()
                            + "; output tail ("
                            + output
                            + "):\n"
                            + tail(outputText(), 3_000));
        }
    }

    public Path output() {
        return output;
    }

    public String outputText() {
        try {
            return Files.readString(output, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + output + ": " + e + ")";
        }
    }

    private void waitForExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(name + " did not exit after being killed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String tail(String text, int chars) {
        return text.length() <= chars ? text : "..." + text.substring(text.length() - chars);
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
