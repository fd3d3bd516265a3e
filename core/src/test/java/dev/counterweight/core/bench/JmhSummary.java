package dev.counterweight.core.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Turns the JMH JSON results of the {@code bench} profile into the Markdown section of
 * BENCHMARKS.md between {@value #BEGIN} and {@value #END} (replaced if present, else appended; the
 * file is created with a short intro if missing).
 *
 * <p>Reads {@code target/jmh-*-run<N>.json} under the given module directories. Every run is one
 * pass over the whole set; a benchmark's row gives the median and min–max of its score over the
 * runs, and its ratio to its baseline is taken within each run (same JVM fork, same machine load)
 * before the median and min–max over the runs. JDK only, no Maven needed:
 *
 * <pre>{@code
 * java -cp core/target/test-classes dev.counterweight.core.bench.JmhSummary BENCHMARKS.md core connectors
 * }</pre>
 */
public final class JmhSummary {

    static final String BEGIN = "<!-- jmh:begin -->";
    static final String END = "<!-- jmh:end -->";

    /** The command that produces the JSON and this section; printed into it verbatim. */
    static final String COMMAND =
            "for run in 1 2 3; do flock /tmp/mvn.lock mvn -B -q -Pbench -pl core,connectors -am"
                    + " test-compile exec:exec -Djmh.run=$run || break; done\n"
                    + "java -cp core/target/test-classes dev.counterweight.core.bench.JmhSummary"
                    + " BENCHMARKS.md core connectors";

    /** Benchmark (simple class name + method) to the baseline it is divided by, same params. */
    static final Map<String, String> BASELINES =
            Map.of(
                    "WeightTableBenchmark.weightOf", "WeightTableBenchmark.hashMapGet",
                    "WindowedBinaryMetricsBenchmark.addAndAuc",
                            "WindowedBinaryMetricsBenchmark.addOnly",
                    "AvroCodecBenchmark.codecEncode", "AvroCodecBenchmark.rawEncode",
                    "AvroCodecBenchmark.codecDecode", "AvroCodecBenchmark.rawDecode");

    private static final Pattern RUN_FILE = Pattern.compile("jmh-(.+)-run(\\d+)\\.json");

    private JmhSummary() {}

    /** One benchmark row (benchmark and params) of one run. */
    record Result(String name, String params, String unit, double score, Map<String, Object> raw) {
        String key() {
            return name + " " + params;
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: JmhSummary BENCHMARKS.md MODULE_DIR...");
            System.exit(2);
        }
        Path markdown = Paths.get(args[0]);
        Map<Integer, List<Result>> runs = new TreeMap<>();
        for (int i = 1; i < args.length; i++) {
            Path target = Paths.get(args[i], "target");
            if (!Files.isDirectory(target)) {
                continue;
            }
            try (Stream<Path> files = Files.list(target)) {
                for (Path file : files.sorted().collect(Collectors.toList())) {
                    Matcher m = RUN_FILE.matcher(file.getFileName().toString());
                    if (m.matches()) {
                        runs.computeIfAbsent(Integer.parseInt(m.group(2)), r -> new ArrayList<>())
                                .addAll(read(file));
                    }
                }
            }
        }
        if (runs.isEmpty()) {
            throw new IllegalStateException("no target/jmh-*-run<N>.json under the given modules");
        }
        String section = section(runs, machine(), LocalDate.now());
        update(markdown, section);
        System.out.println(section);
    }

    @SuppressWarnings("unchecked")
    static List<Result> read(Path file) throws IOException {
        Object json = new Json(Files.readString(file, StandardCharsets.UTF_8)).value();
        List<Result> out = new ArrayList<>();
        for (Object o : (List<Object>) json) {
            Map<String, Object> b = (Map<String, Object>) o;
            String fqn = (String) b.get("benchmark");
            String[] parts = fqn.split("\\.");
            String name = parts[parts.length - 2] + "." + parts[parts.length - 1];
            Map<String, Object> params =
                    (Map<String, Object>) b.getOrDefault("params", Collections.emptyMap());
            String p =
                    params.entrySet().stream()
                            .map(e -> e.getKey() + "=" + e.getValue())
                            .collect(Collectors.joining(", "));
            Map<String, Object> metric = (Map<String, Object>) b.get("primaryMetric");
            out.add(
                    new Result(
                            name,
                            p,
                            (String) metric.get("scoreUnit"),
                            ((Number) metric.get("score")).doubleValue(),
                            b));
        }
        return out;
    }

    static String section(Map<Integer, List<Result>> runs, String machine, LocalDate date) {
        // key -> run -> result, in first-seen order
        Map<String, Map<Integer, Result>> byKey = new LinkedHashMap<>();
        for (Map.Entry<Integer, List<Result>> run : runs.entrySet()) {
            for (Result r : run.getValue()) {
                byKey.computeIfAbsent(r.key(), k -> new TreeMap<>()).put(run.getKey(), r);
            }
        }
        Result any = runs.values().iterator().next().get(0);
        StringBuilder md = new StringBuilder();
        md.append(BEGIN).append('\n');
        md.append("## JMH micro-benchmarks (core, connectors)\n\n");
        md.append(
                String.format(
                        Locale.ROOT,
                        "Measured %s: JMH %s, %s %s, fork %s, warmup %s × %s, measurement %s × %s,"
                                + " average time per operation; the whole set was run %d times"
                                + " (%s). Each row gives the median of the runs and their spread"
                                + " (min–max). A ratio is the benchmark's time divided by its"
                                + " baseline's, taken within each run (one Maven invocation, the"
                                + " two measured minutes apart on the same machine), then"
                                + " summarized the same way; below 1 is faster than the baseline."
                                + " The machine is shared: read differences smaller than the"
                                + " spreads as noise.\n\n",
                        date,
                        any.raw().get("jmhVersion"),
                        any.raw().get("vmName"),
                        any.raw().get("vmVersion"),
                        fmtInt(any.raw().get("forks")),
                        fmtInt(any.raw().get("warmupIterations")),
                        any.raw().get("warmupTime"),
                        fmtInt(any.raw().get("measurementIterations")),
                        any.raw().get("measurementTime"),
                        runs.size(),
                        runs.keySet().stream()
                                .map(r -> "run " + r)
                                .collect(Collectors.joining(", "))));
        md.append("Command (from the repository root):\n\n```bash\n")
                .append(COMMAND)
                .append("\n```\n\n");
        md.append("Machine:\n\n```\n").append(machine.strip()).append("\n```\n\n");
        md.append(
                "| benchmark | params | median | spread (min–max) | baseline | ratio median |"
                        + " ratio spread |\n");
        md.append("|---|---|---:|---:|---|---:|---:|\n");
        for (Map.Entry<String, Map<Integer, Result>> e : byKey.entrySet()) {
            Map<Integer, Result> perRun = e.getValue();
            Result first = perRun.values().iterator().next();
            List<Double> scores = perRun.values().stream().map(Result::score).toList();
            String unit = first.unit();
            String baseline = BASELINES.get(first.name());
            String baselineCell = "—";
            String ratioMedian = "—";
            String ratioSpread = "—";
            if (BASELINES.containsValue(first.name())) {
                baselineCell = "*(baseline)*";
            }
            if (baseline != null) {
                baselineCell = baseline.substring(baseline.indexOf('.') + 1);
                Map<Integer, Result> base = byKey.get(baseline + " " + first.params());
                List<Double> ratios = new ArrayList<>();
                if (base != null) {
                    for (Map.Entry<Integer, Result> r : perRun.entrySet()) {
                        Result b = base.get(r.getKey());
                        if (b != null) {
                            ratios.add(r.getValue().score() / b.score());
                        }
                    }
                }
                if (!ratios.isEmpty()) {
                    ratioMedian = fmtRatio(median(ratios));
                    ratioSpread =
                            fmtRatio(Collections.min(ratios))
                                    + "–"
                                    + fmtRatio(Collections.max(ratios));
                }
            }
            md.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %s | %s %s | %s–%s | %s | %s | %s |\n",
                            first.name(),
                            first.params().isEmpty() ? "" : first.params(),
                            fmt(median(scores)),
                            unit,
                            fmt(Collections.min(scores)),
                            fmt(Collections.max(scores)),
                            baselineCell,
                            ratioMedian,
                            ratioSpread));
        }
        md.append(END).append('\n');
        return md.toString();
    }

    static void update(Path markdown, String section) throws IOException {
        String text;
        if (Files.exists(markdown)) {
            text = Files.readString(markdown, StandardCharsets.UTF_8);
        } else {
            text =
                    "# Benchmarks\n\n"
                            + "Every figure here comes from a command in the repo; ratios are"
                            + " against baselines measured in the same run. Speed is measured"
                            + " here, never timed in unit tests.\n";
        }
        int begin = text.indexOf(BEGIN);
        int end = text.indexOf(END);
        if (begin >= 0 && end > begin) {
            int after = end + END.length();
            if (after < text.length() && text.charAt(after) == '\n') {
                after++;
            }
            text = text.substring(0, begin) + section + text.substring(after);
        } else {
            text = text.stripTrailing() + "\n\n" + section;
        }
        Files.writeString(markdown, text, StandardCharsets.UTF_8);
    }

    static String machine() {
        StringBuilder out = new StringBuilder();
        for (String cmd : List.of("nproc", "lscpu | head", "java -version 2>&1")) {
            out.append("$ ").append(cmd.replace(" 2>&1", "")).append('\n');
            try {
                Process p = new ProcessBuilder("bash", "-c", cmd).redirectErrorStream(true).start();
                try (InputStream in = p.getInputStream()) {
                    out.append(
                            new String(in.readAllBytes(), StandardCharsets.UTF_8).stripTrailing());
                }
                p.waitFor();
            } catch (IOException e) {
                out.append("(").append(e.getMessage()).append(")");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                out.append("(interrupted)");
            }
            out.append('\n');
        }
        return out.toString();
    }

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    static String fmt(double v) {
        if (v >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (v >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (v >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }

    static String fmtRatio(double v) {
        return v >= 100
                ? String.format(Locale.ROOT, "%,.0f", v)
                : String.format(Locale.ROOT, "%.2f", v);
    }

    private static String fmtInt(Object n) {
        return n instanceof Number num ? String.valueOf(num.longValue()) : String.valueOf(n);
    }

    /** A minimal JSON reader, enough for JMH's result files. */
    static final class Json {
        private final String s;
        private int i;

        Json(String s) {
            this.s = s;
        }

        Object value() {
            skip();
            char c = s.charAt(i);
            switch (c) {
                case '{':
                    return object();
                case '[':
                    return array();
                case '"':
                    return string();
                case 't':
                    i += 4;
                    return Boolean.TRUE;
                case 'f':
                    i += 5;
                    return Boolean.FALSE;
                case 'n':
                    i += 4;
                    return null;
                default:
                    return number();
            }
        }

        private Map<String, Object> object() {
            Map<String, Object> map = new LinkedHashMap<>();
            i++;
            skip();
            if (s.charAt(i) == '}') {
                i++;
                return map;
            }
            while (true) {
                skip();
                String key = string();
                skip();
                expect(':');
                map.put(key, value());
                skip();
                if (s.charAt(i++) == '}') {
                    return map;
                }
            }
        }

        private List<Object> array() {
            List<Object> list = new ArrayList<>();
            i++;
            skip();
            if (s.charAt(i) == ']') {
                i++;
                return list;
            }
            while (true) {
                list.add(value());
                skip();
                if (s.charAt(i++) == ']') {
                    return list;
                }
            }
        }

        private String string() {
            expect('"');
            StringBuilder b = new StringBuilder();
            while (true) {
                char c = s.charAt(i++);
                if (c == '"') {
                    return b.toString();
                }
                if (c == '\\') {
                    char e = s.charAt(i++);
                    switch (e) {
                        case 'n' -> b.append('\n');
                        case 't' -> b.append('\t');
                        case 'r' -> b.append('\r');
                        case 'b' -> b.append('\b');
                        case 'f' -> b.append('\f');
                        case 'u' -> {
                            b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                            i += 4;
                        }
                        default -> b.append(e);
                    }
                } else {
                    b.append(c);
                }
            }
        }

        private Double number() {
            int start = i;
            while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
                i++;
            }
            return Double.valueOf(s.substring(start, i));
        }

        private void expect(char c) {
            if (s.charAt(i) != c) {
                throw new IllegalArgumentException("expected '" + c + "' at " + i);
            }
            i++;
        }

        private void skip() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }
    }
}
