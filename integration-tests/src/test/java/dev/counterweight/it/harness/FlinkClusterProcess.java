package dev.counterweight.it.harness;

import dev.counterweight.testing.Await;
import dev.counterweight.testing.EmbeddedKafkaBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A standalone Flink session cluster from the Maven jars: one JobManager JVM ({@code
 * StandaloneSessionClusterEntrypoint}) and N TaskManager JVMs ({@code TaskManagerRunner}), each
 * with the memory flags that {@code BashJavaUtils} computes from {@code config.yaml} (as {@code
 * jobmanager.sh}/{@code taskmanager.sh} do), bound to 127.0.0.1. Jobs go in through the REST API
 * ({@code /jars/upload}, {@code /jars/:id/run}); the REST API also reports job state, checkpoints
 * and restarts, and stops jobs with a savepoint.
 *
 * <p>Each TaskManager has a fixed resource id, so a TaskManager restarted after {@link
 * #killTaskManager} replaces its dead registration at once instead of waiting for the heartbeat
 * timeout.
 */
public final class FlinkClusterProcess implements AutoCloseable {

    private static final String BASH_RESULT = "BASH_JAVA_UTILS_EXEC_RESULT:";

    private final Path dir;
    private final Path confDir;
    private final Path logDir;
    private final int restPort;
    private final List<String> classpath;
    private final FlinkRestClient rest;
    private ChildJvm jobManager;
    private final ChildJvm[] taskManagers;
    private final int[] taskManagerStarts;
    private List<String> tmMemoryFlags;
    private List<String> tmDynamicConfigs;

    private FlinkClusterProcess(Path dir, int restPort, int taskManagerCount) {
        this.dir = dir;
        this.confDir = dir.resolve("conf");
        this.logDir = dir.resolve("logs");
        this.restPort = restPort;
        this.rest = new FlinkRestClient("http://127.0.0.1:" + restPort);
        this.classpath = ItConfig.flinkClasspath();
        this.taskManagers = new ChildJvm[taskManagerCount];
        this.taskManagerStarts = new int[taskManagerCount];
    }

    /**
     * Writes the configuration and starts the JobManager and {@code taskManagerCount} TaskManagers;
     * returns when every TaskManager is registered.
     *
     * @param overrides extra config.yaml entries, applied last
     */
    public static FlinkClusterProcess start(
            Path dir,
            int taskManagerCount,
            int slotsPerTaskManager,
            Map<String, String> overrides) {
        int restPort = EmbeddedKafkaBroker.freePort();
        int rpcPort = EmbeddedKafkaBroker.freePort();
        FlinkClusterProcess cluster = new FlinkClusterProcess(dir, restPort, taskManagerCount);
        Map<String, String> config = new LinkedHashMap<>();
        config.put("jobmanager.rpc.address", "127.0.0.1");
        config.put("jobmanager.rpc.port", String.valueOf(rpcPort));
        config.put("jobmanager.bind-host", "127.0.0.1");
        config.put("taskmanager.bind-host", "127.0.0.1");
        config.put("taskmanager.host", "127.0.0.1");
        config.put("rest.address", "127.0.0.1");
        config.put("rest.bind-address", "127.0.0.1");
        config.put("rest.port", String.valueOf(restPort));
        config.put("jobmanager.memory.process.size", "1024m");
        config.put("taskmanager.memory.process.size", "1536m");
        config.put("taskmanager.memory.managed.fraction", "0.25");
        config.put("taskmanager.numberOfTaskSlots", String.valueOf(slotsPerTaskManager));
        config.put("parallelism.default", String.valueOf(taskManagerCount * slotsPerTaskManager));
        config.put("state.backend.type", "rocksdb");
        config.put("execution.checkpointing.dir", dir.resolve("checkpoints").toUri().toString());
        config.put(
                "execution.checkpointing.savepoint-dir",
                dir.resolve("savepoints").toUri().toString());
        config.put("execution.checkpointing.incremental", "true");
        config.put("restart-strategy.type", "fixed-delay");
        config.put("restart-strategy.fixed-delay.attempts", "30");
        config.put("restart-strategy.fixed-delay.delay", "1 s");
        // A killed TaskManager is noticed by failed RPCs at once; these bound the other cases.
        config.put("heartbeat.interval", "2000");
        config.put("heartbeat.timeout", "20000");
        config.put("metrics.fetcher.update-interval", "1000");
        config.put("web.upload.dir", dir.resolve("uploads").toString());
        config.put("io.tmp.dirs", dir.resolve("tmp").toString());
        config.putAll(overrides);
        cluster.writeConfig(config);
        cluster.startJobManager();
        cluster.computeTaskManagerMemory();
        for (int i = 0; i < taskManagerCount; i++) {
            cluster.startTaskManager(i);
        }
        cluster.awaitTaskManagers(taskManagerCount);
        return cluster;
    }

    public String restUrl() {
        return "http://127.0.0.1:" + restPort;
    }

    public Path dir() {
        return dir;
    }

    /** The REST client of this cluster (jobs, checkpoints, restarts, savepoints). */
    public FlinkRestClient rest() {
        return rest;
    }

    // --- processes
    // ---------------------------------------------------------------------------------

    /** SIGKILL of TaskManager {@code i}. */
    public void killTaskManager(int i) {
        taskManagers[i].kill9();
    }

    /** Starts TaskManager {@code i} (again), with the same resource id. */
    public void startTaskManager(int i) {
        if (taskManagers[i] != null && taskManagers[i].isAlive()) {
            throw new IllegalStateException("TaskManager " + i + " is still running");
        }
        taskManagerStarts[i]++;
        String name = "taskmanager-" + i + "-" + taskManagerStarts[i];
        List<String> flags = new ArrayList<>(ItConfig.commonJvmFlags());
        flags.addAll(flinkJvmFlags());
        flags.addAll(tmMemoryFlags);
        flags.addAll(Log4jFiles.flagsFor(logDir.resolve(name + ".log")));
        List<String> args = new ArrayList<>(List.of("--configDir", confDir.toString()));
        args.addAll(tmDynamicConfigs);
        args.addAll(List.of("-D", "taskmanager.resource-id=tm-" + i));
        taskManagers[i] =
                ChildJvm.start(
                        name,
                        classpath,
                        flags,
                        "org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
                        args,
                        logDir.resolve(name + ".out"));
    }

    /** TaskManagers currently registered at the ResourceManager. */
    public int registeredTaskManagers() {
        return rest.get("/taskmanagers").path("taskmanagers").size();
    }

    @Override
    public void close() {
        for (ChildJvm tm : taskManagers) {
            if (tm != null) {
                tm.stop(Duration.ofSeconds(10));
            }
        }
        if (jobManager != null) {
            jobManager.stop(Duration.ofSeconds(10));
        }
    }

    // --- internals
    // --- internals
    // ---------------------------------------------------------------------------------

    private void writeConfig(Map<String, String> config) {
        StringBuilder yaml = new StringBuilder();
        config.forEach(
                (k, v) -> yaml.append(k).append(": '").append(v.replace("'", "''")).append("'\n"));
        try {
            Files.createDirectories(confDir);
            Files.createDirectories(logDir);
            Files.createDirectories(dir.resolve("tmp"));
            Files.createDirectories(dir.resolve("uploads"));
            Files.writeString(confDir.resolve("config.yaml"), yaml.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void startJobManager() {
        List<String> jm = bashJavaUtils("GET_JM_RESOURCE_PARAMS");
        List<String> flags = new ArrayList<>(ItConfig.commonJvmFlags());
        flags.addAll(flinkJvmFlags());
        flags.addAll(split(jm.get(0)));
        flags.addAll(Log4jFiles.flagsFor(logDir.resolve("jobmanager.log")));
        List<String> args = new ArrayList<>(List.of("--configDir", confDir.toString()));
        args.addAll(split(jm.get(1)));
        jobManager =
                ChildJvm.start(
                        "jobmanager",
                        classpath,
                        flags,
                        "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint",
                        args,
                        logDir.resolve("jobmanager.out"));
        Await.until(
                "the Flink REST API at " + restUrl() + " answers",
                () -> {
                    jobManager.requireAlive();
                    return rest.get("/overview").has("taskmanagers");
                },
                Duration.ofMinutes(2));
    }

    private void computeTaskManagerMemory() {
        List<String> tm = bashJavaUtils("GET_TM_RESOURCE_PARAMS");
        tmMemoryFlags = split(tm.get(0));
        tmDynamicConfigs = split(tm.get(1));
    }

    private void awaitTaskManagers(int n) {
        Await.until(
                n + " TaskManagers are registered",
                () -> {
                    for (ChildJvm tm : taskManagers) {
                        tm.requireAlive();
                    }
                    return registeredTaskManagers() >= n;
                },
                Duration.ofMinutes(2));
    }

    /** Runs BashJavaUtils as jobmanager.sh and taskmanager.sh do; returns its two result lines. */
    private List<String> bashJavaUtils(String command) {
        String out =
                ChildJvm.run(
                        "BashJavaUtils " + command,
                        classpath,
                        List.of("-Xmx128m", "-Dlog4j2.level=WARN"),
                        "org.apache.flink.runtime.util.bash.BashJavaUtils",
                        List.of(command, "--configDir", confDir.toString()),
                        logDir.resolve("bash-java-utils-" + command + ".out"),
                        Duration.ofMinutes(1));
        List<String> results =
                out.lines()
                        .filter(l -> l.startsWith(BASH_RESULT))
                        .map(l -> l.substring(BASH_RESULT.length()).trim())
                        .toList();
        if (results.size() != 2) {
            throw new IllegalStateException(
                    "BashJavaUtils "
                            + command
                            + " gave "
                            + results.size()
                            + " result lines:\n"
                            + out);
        }
        return results;
    }

    private static List<String> flinkJvmFlags() {
        return List.of(
                "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
                "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
                "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
                "--add-opens=java.base/java.text=ALL-UNNAMED",
                "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");
    }

    private static List<String> split(String line) {
        return line.isBlank() ? List.of() : Arrays.asList(line.trim().split("\\s+"));
    }
}
