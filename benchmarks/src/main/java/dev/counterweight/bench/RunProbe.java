package dev.counterweight.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Watches one Flink job of a benchmark while it runs, in the benchmark's own JVM (the MiniCluster
 * runs there): every {@link #PERIOD_MILLIS} it records the job's cumulative task times ({@code
 * accumulateBusyTimeMs}, {@code accumulateBackPressuredTimeMs}, {@code accumulateIdleTimeMs}, the
 * counters behind Flink's {@code busyTimeMsPerSecond} and {@code backPressuredTimeMsPerSecond}) and
 * completed checkpoints through {@link CapturingMetricReporter}, and the CPU time of every thread
 * of the JVM: Java threads through {@link ThreadMXBean}, native threads (RocksDB background, GC,
 * JIT compilers) through {@code /proc/self/task} where it exists. {@link #window} then gives the
 * differences over a timed window: per-task load and a CPU profile split by thread group.
 */
public final class RunProbe implements AutoCloseable {

    /** Sampling period. */
    public static final long PERIOD_MILLIS = 250;

    static final String BUSY = "accumulateBusyTimeMs";
    static final String BACK_PRESSURED = "accumulateBackPressuredTimeMs";
    static final String IDLE = "accumulateIdleTimeMs";
    static final String CHECKPOINTS = "numberOfCompletedCheckpoints";
    private static final Set<String> METRICS = Set.of(BUSY, BACK_PRESSURED, IDLE, CHECKPOINTS);

    /** One sample: metric values by {@code task|subtask|metric}, CPU ns by thread key. */
    record Tick(
            long millis,
            Map<String, Double> metrics,
            Map<String, Long> cpuNanos,
            Map<String, String> cpuGroup,
            long processCpuNanos) {}

    /**
     * One task (a chain of operators) over the window, in ms per second per subtask.
     *
     * @param task the task's name (its chained operators' names joined by {@code ->})
     * @param subtasks subtasks seen
     * @param busy mean busy ms/s over the subtasks
     * @param busyMax busiest subtask's ms/s
     * @param backPressured mean back-pressured ms/s
     * @param idle mean idle ms/s
     */
    public record TaskLoad(
            String task,
            int subtasks,
            double busy,
            double busyMax,
            double backPressured,
            double idle) {}

    /**
     * CPU seconds of one thread group over the window.
     *
     * @param group thread name with subtask and counter suffixes folded, or a native group
     * @param cpuSeconds CPU time spent in the window
     * @param share share of the process's CPU time in the window
     */
    public record ThreadCpu(String group, double cpuSeconds, double share) {}

    /**
     * What happened in one timed window.
     *
     * @param seconds length between the two samples the differences are taken over
     * @param checkpoints checkpoints completed inside it
     * @param tasks per-task load, busiest first
     * @param processCpuSeconds CPU time of the whole JVM (all threads, native included)
     * @param threads CPU time by thread group, largest first
     */
    public record Window(
            double seconds,
            int checkpoints,
            List<TaskLoad> tasks,
            double processCpuSeconds,
            List<ThreadCpu> threads) {}

    private final String job;
    private final List<Tick> ticks = new CopyOnWriteArrayList<>();
    private final Thread sampler;
    private volatile boolean running = true;
    private final ThreadMXBean threadBean = ManagementFactory.getThreadMXBean();

    private RunProbe(String job) {
        this.job = job;
        if (threadBean.isThreadCpuTimeSupported() && !threadBean.isThreadCpuTimeEnabled()) {
            threadBean.setThreadCpuTimeEnabled(true);
        }
        sampler = new Thread(this::loop, "bench-run-probe");
        sampler.setDaemon(true);
    }

    /** Starts sampling the job named {@code job}. */
    public static RunProbe start(String job) {
        RunProbe p = new RunProbe(job);
        p.ticks.add(p.sample());
        p.sampler.start();
        return p;
    }

    private void loop() {
        while (running) {
            try {
                Thread.sleep(PERIOD_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            ticks.add(sample());
        }
    }

    /** Stops sampling after one last sample. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        sampler.interrupt();
        sampler.join();
        ticks.add(sample());
    }

    private Tick sample() {
        long now = System.currentTimeMillis();
        Map<String, Double> metrics = new HashMap<>();
        for (CapturingMetricReporter.Reading r : CapturingMetricReporter.readings(job, METRICS)) {
            String task = r.variable("task_name");
            if (!Double.isFinite(r.value())) {
                continue; // a task's busy time is NaN until it starts running: nothing yet
            }
            if (r.name().equals(CHECKPOINTS)) {
                if (task == null) {
                    metrics.merge(CHECKPOINTS, r.value(), Math::max);
                }
            } else if (task != null && r.variable("operator_name") == null) {
                metrics.put(task + "|" + r.variable("subtask_index") + "|" + r.name(), r.value());
            }
        }
        Map<String, Long> cpu = new HashMap<>();
        Map<String, String> group = new HashMap<>();
        long[] ids = threadBean.getAllThreadIds();
        ThreadInfo[] infos = threadBean.getThreadInfo(ids);
        for (int i = 0; i < ids.length; i++) {
            long t = threadBean.getThreadCpuTime(ids[i]);
            if (infos[i] != null && t >= 0) {
                String key = "java:" + ids[i];
                cpu.put(key, t);
                group.put(key, javaGroup(infos[i].getThreadName()));
            }
        }
        readNativeThreads(cpu, group);
        long process = processCpuNanos();
        return new Tick(now, metrics, cpu, group, process);
    }

    private static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    private static final Pattern SUBTASK = Pattern.compile("^(.*) \\(\\d+/\\d+\\)(#\\d+)?$");

    /** A Java thread's group: a Flink task thread by its task name, others with digits folded. */
    static String javaGroup(String name) {
        Matcher m = SUBTASK.matcher(name);
        if (m.matches()) {
            return "task: " + m.group(1);
        }
        String folded = name.replaceAll("\\d+", "N");
        int bar = folded.indexOf(" | ");
        return bar > 0 ? folded.substring(0, bar) : folded;
    }

    /**
     * The group of a native (non-Java) thread by its Linux name, or null for a thread that is
     * counted through {@link ThreadMXBean} or not recognised.
     */
    static String nativeGroup(String comm) {
        if (comm.startsWith("rocksdb:")) {
            return "native: RocksDB background (flush, compaction)";
        }
        if (comm.startsWith("GC Thread") || comm.startsWith("G1 ")) {
            return "native: GC";
        }
        if (comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre")) {
            return "native: JIT compiler";
        }
        if (comm.equals("VM Thread") || comm.startsWith("VM Periodic")) {
            return "native: VM thread";
        }
        return null;
    }

    private static final Path TASKS = Path.of("/proc/self/task");

    private static void readNativeThreads(Map<String, Long> cpu, Map<String, String> group) {
        if (!Files.isDirectory(TASKS)) {
            return;
        }
        long tickNanos = 10_000_000L; // USER_HZ is 100 on Linux
        try (Stream<Path> tasks = Files.list(TASKS)) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                String stat;
                try {
                    stat = Files.readString(t.resolve("stat"));
                } catch (IOException e) {
                    continue; // the thread ended meanwhile
                }
                int open = stat.indexOf('(');
                int close = stat.lastIndexOf(')');
                if (open < 0 || close < open) {
                    continue;
                }
                String g = nativeGroup(stat.substring(open + 1, close));
                if (g == null) {
                    continue;
                }
                String[] f = stat.substring(close + 2).split(" ");
                // Fields after the name: state(0) ... utime(11) stime(12).
                long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
                String key = "native:" + t.getFileName();
                cpu.put(key, ticks * tickNanos);
                group.put(key, g);
            }
        } catch (IOException | RuntimeException e) {
            // No native split on this system; the rest still counts.
        }
    }

    /**
     * The differences between the last samples at or before {@code fromMillis} and {@code
     * toMillis}.
     */
    public Window window(long fromMillis, long toMillis) {
        return window(List.copyOf(ticks), fromMillis, toMillis);
    }

    static Window window(List<Tick> ticks, long fromMillis, long toMillis) {
        Tick a = ticks.get(0);
        Tick b = ticks.get(0);
        for (Tick t : ticks) {
            if (t.millis() <= fromMillis) {
                a = t;
            }
            if (t.millis() <= toMillis) {
                b = t;
            }
        }
        double seconds = (b.millis() - a.millis()) / 1e3;
        int checkpoints =
                (int)
                        Math.round(
                                b.metrics().getOrDefault(CHECKPOINTS, 0.0)
                                        - a.metrics().getOrDefault(CHECKPOINTS, 0.0));
        return new Window(
                seconds, checkpoints, tasks(a, b, seconds), cpuSeconds(a, b), threads(a, b));
    }

    private static List<TaskLoad> tasks(Tick a, Tick b, double seconds) {
        // task -> subtask -> [busy, back-pressured, idle] differences in ms
        Map<String, Map<String, double[]>> per = new TreeMap<>();
        for (Map.Entry<String, Double> e : b.metrics().entrySet()) {
            String[] k = e.getKey().split("\\|");
            if (k.length != 3) {
                continue;
            }
            int slot = k[2].equals(BUSY) ? 0 : k[2].equals(BACK_PRESSURED) ? 1 : 2;
            double d = e.getValue() - a.metrics().getOrDefault(e.getKey(), 0.0);
            per.computeIfAbsent(k[0], x -> new TreeMap<>())
                            .computeIfAbsent(k[1], x -> new double[3])[slot] =
                    d;
        }
        List<TaskLoad> out = new ArrayList<>();
        if (seconds <= 0) {
            return out;
        }
        for (Map.Entry<String, Map<String, double[]>> e : per.entrySet()) {
            double busy = 0;
            double busyMax = 0;
            double bp = 0;
            double idle = 0;
            for (double[] v : e.getValue().values()) {
                busy += v[0];
                busyMax = Math.max(busyMax, v[0] / seconds);
                bp += v[1];
                idle += v[2];
            }
            int n = e.getValue().size();
            out.add(
                    new TaskLoad(
                            e.getKey(),
                            n,
                            busy / n / seconds,
                            busyMax,
                            bp / n / seconds,
                            idle / n / seconds));
        }
        out.sort(Comparator.comparingDouble(TaskLoad::busy).reversed());
        return out;
    }

    private static double cpuSeconds(Tick a, Tick b) {
        return a.processCpuNanos() < 0
                ? Double.NaN
                : (b.processCpuNanos() - a.processCpuNanos()) / 1e9;
    }

    private static List<ThreadCpu> threads(Tick a, Tick b) {
        Map<String, Double> byGroup = new LinkedHashMap<>();
        double counted = 0;
        for (Map.Entry<String, Long> e : b.cpuNanos().entrySet()) {
            // A thread that started inside the window counts from zero.
            long d = e.getValue() - a.cpuNanos().getOrDefault(e.getKey(), 0L);
            if (d <= 0) {
                continue;
            }
            byGroup.merge(b.cpuGroup().get(e.getKey()), d / 1e9, Double::sum);
            counted += d / 1e9;
        }
        double process = cpuSeconds(a, b);
        if (process > counted) {
            byGroup.put("other (threads that ended, other native threads)", process - counted);
        }
        double total = Double.isNaN(process) ? counted : Math.max(process, counted);
        List<ThreadCpu> out = new ArrayList<>();
        for (Map.Entry<String, Double> e : byGroup.entrySet()) {
            out.add(new ThreadCpu(e.getKey(), e.getValue(), total > 0 ? e.getValue() / total : 0));
        }
        out.sort(Comparator.comparingDouble(ThreadCpu::cpuSeconds).reversed());
        return out;
    }
}
