package dev.counterweight.it.harness;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The online learner in its own JVM: {@code java -cp <test classpath>
 * dev.counterweight.learner.service.LearnerMain --key value ...}.
 */
public final class LearnerProcess implements AutoCloseable {

    private final ChildJvm jvm;
    private final Path log;

    private LearnerProcess(ChildJvm jvm, Path log) {
        this.jvm = jvm;
        this.log = log;
    }

    /**
     * Starts a learner with the given options ({@code learner.*}, {@code model.*}).
     *
     * @param name distinguishes the log files of successive starts
     */
    public static LearnerProcess start(Path logDir, String name, Map<String, String> options) {
        return start(logDir, name, options, List.of());
    }

    /**
     * Starts a learner with extra JVM flags, e.g. {@code
     * -Dcounterweight.snapshot.test-pause=model:2:<marker>} (see {@code SnapshotWritePause}).
     */
    public static LearnerProcess start(
            Path logDir, String name, Map<String, String> options, List<String> jvmFlags) {
        List<String> flags = new ArrayList<>(ItConfig.commonJvmFlags());
        flags.add("-Xmx1g");
        flags.addAll(jvmFlags);
        Path log = logDir.resolve(name + ".log");
        flags.addAll(Log4jFiles.flagsFor(log));
        List<String> args = new ArrayList<>();
        options.forEach(
                (k, v) -> {
                    args.add("--" + k);
                    args.add(v);
                });
        return new LearnerProcess(
                ChildJvm.start(
                        name,
                        ItConfig.childClasspath(),
                        flags,
                        "dev.counterweight.learner.service.LearnerMain",
                        args,
                        logDir.resolve(name + ".out")),
                log);
    }

    /** SIGKILL. */
    public void kill9() {
        jvm.kill9();
    }

    public boolean isAlive() {
        return jvm.isAlive();
    }

    /** Fails with the output tail if the learner has exited. */
    public void requireAlive() {
        jvm.requireAlive();
    }

    /** Waits for the learner to stop by itself (learner.max-idle) and returns its exit code. */
    public int waitForExit(Duration timeout) {
        return jvm.waitFor(timeout);
    }

    /** The learner's log (its log4j file). */
    public String logText() {
        try {
            return java.nio.file.Files.readString(log);
        } catch (java.io.IOException e) {
            return "";
        }
    }

    @Override
    public void close() {
        jvm.stop(Duration.ofSeconds(10));
    }
}
