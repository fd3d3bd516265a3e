package dev.counterweight.bench;

import dev.counterweight.avro.ClassWeights;
import dev.counterweight.avro.UserEvent;
import dev.counterweight.connectors.avro.AvroCodec;
import dev.counterweight.connectors.dataset.SyntheticEventGenerator;
import dev.counterweight.connectors.kafka.TopicReader;
import dev.counterweight.connectors.kafka.Topics;
import dev.counterweight.jobs.weighting.SampleWeightingJob;
import dev.counterweight.jobs.weighting.SampleWeightingSettings;
import dev.counterweight.testing.EmbeddedKafkaBroker;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * How the weighting job's cost grows with the number of classes and users: {@code
 * SampleWeightingJob} (RocksDB, incremental checkpoints, exactly-once sinks, checkpoints every 10
 * s, class key {@code CATEGORY}) on the same number of synthetic exposures whose categories (and,
 * in the users case, users) are cycled so that an exact number of distinct classes and users
 * occurs. Per case: events/s and its ratio to the first case of the same round, checkpoint size and
 * duration (the MiniCluster's REST API, {@code /jobs/<id>/checkpoints}), and the weight-table
 * broadcast cost: bytes per published table version on the weights topic, time to compute and
 * publish a version ({@code WeightTableFunction}) and to take one in per stamping subtask ({@code
 * StampWeightsFunction}), from the job's own counters.
 */
public final class ScaleBenchmark {

    /** One scale point: distinct categories (= classes with key mode CATEGORY) and users. */
    public record Case(String label, int categories, int users) {
        public Case {
            if (categories < 1 || users < 1) {
                throw new IllegalArgumentException("categories and users must be >= 1");
            }
        }
    }

    /** One job run of one case; {@code failure} is null when the job finished. */
    public record Run(
            int events,
            long eventsIn,
            long deadLettered,
            long samplesOut,
            double seconds,
            double classesInTable,
            long tableVersions,
            long maxRecordBytes,
            long maxVersionBytes,
            double publishMillisPerVersion,
            double applyMillisPerVersion,
            long checkpoints,
            long maxCheckpointedBytes,
            long maxStateBytes,
            long maxCheckpointMillis,
            String failure) {
        double eventsPerSecond() {
            return failure == null ? events / seconds : Double.NaN;
        }
    }

    /** All runs of one case and their summaries. */
    public record CaseResult(Case scale, List<Run> runs, List<Double> ratios) {
        Stats stat(java.util.function.ToDoubleFunction<Run> f) {
            double[] v = runs.stream().filter(r -> r.failure() == null).mapToDouble(f).toArray();
            return v.length == 0 ? null : Stats.of(v);
        }

        Stats ratio() {
            double[] v = ratios.stream().filter(d -> !d.isNaN()).mapToDouble(d -> d).toArray();
            return v.length == 0 ? null : Stats.of(v);
        }

        String failure() {
            return runs.stream().map(Run::failure).filter(f -> f != null).findFirst().orElse(null);
        }
    }

    /** Settings of a whole benchmark. */
    public record Settings(
            int exposures, List<Case> cases, int repeats, Duration eventTimeSpan, int baseUsers) {
        public Settings {
            if (exposures < 1 || repeats < 1 || cases.isEmpty()) {
                throw new IllegalArgumentException("exposures, repeats >= 1 and a case required");
            }
            for (Case c : cases) {
                if (c.categories() > exposures || c.users() > exposures) {
                    throw new IllegalArgumentException(
                            "case "
                                    + c.label()
                                    + " needs at least "
                                    + Math.max(c.categories(), c.users())
                                    + " exposures for every key to occur, --exposures is "
                                    + exposures);
                }
            }
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private ScaleBenchmark() {}

    /** The default cases: 1k, 100k and 1M classes, and 1M users over 1k classes. */
    public static List<Case> defaultCases(int baseUsers) {
        return List.of(
                new Case("1k classes", 1_000, baseUsers),
                new Case("100k classes", 100_000, baseUsers),
                new Case("1M classes", 1_000_000, baseUsers),
                new Case("1M users, 1k classes", 1_000, 1_000_000));
    }

    public static List<CaseResult> run(Path workDir, Settings s, PrintWriter log) throws Exception {
        List<List<Run>> runs = new ArrayList<>();
        List<List<Double>> ratios = new ArrayList<>();
        for (int i = 0; i < s.cases().size(); i++) {
            runs.add(new ArrayList<>());
            ratios.add(new ArrayList<>());
        }
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(workDir.resolve("kafka"))) {
            String bootstrap = broker.bootstrapServers();
            Run warm =
                    runCase(
                            broker,
                            workDir,
                            "warm",
                            0,
                            new Case("warm-up", 1_000, s.baseUsers()),
                            Math.min(s.exposures(), 50_000),
                            s.eventTimeSpan());
            log.printf("warm-up: %s%n", describe(warm));
            log.flush();
            int n = 1;
            for (int r = 0; r < s.repeats(); r++) {
                double base = Double.NaN;
                for (int i = 0; i < s.cases().size(); i++) {
                    Case c = s.cases().get(i);
                    Run run =
                            runCase(
                                    broker,
                                    workDir,
                                    "r" + r + "c" + i,
                                    n++,
                                    c,
                                    s.exposures(),
                                    s.eventTimeSpan());
                    if (i == 0) {
                        base = run.eventsPerSecond();
                    }
                    runs.get(i).add(run);
                    ratios.get(i).add(run.eventsPerSecond() / base);
                    log.printf("round %d, %s: %s%n", r + 1, c.label(), describe(run));
                    log.flush();
                }
            }
        }
        List<CaseResult> out = new ArrayList<>();
        for (int i = 0; i < s.cases().size(); i++) {
            out.add(new CaseResult(s.cases().get(i), runs.get(i), ratios.get(i)));
        }
        return out;
    }

    private static String describe(Run r) {
        if (r.failure() != null) {
            return "FAILED after " + String.format("%.1f s: ", r.seconds()) + r.failure();
        }
        return String.format(
                "%,d events (%,d read, %,d dead letters, %,d samples) in %.1f s = %,.0f events/s;"
                        + " %,.0f classes; %d table versions, max %,d"
                        + " B per version (max record %,d B), publish %.1f ms/version, apply %.1f"
                        + " ms/version/subtask; %d checkpoints, max %,d B checkpointed (%,d B"
                        + " state), max %,d ms",
                r.events(),
                r.eventsIn(),
                r.deadLettered(),
                r.samplesOut(),
                r.seconds(),
                r.eventsPerSecond(),
                r.classesInTable(),
                r.tableVersions(),
                r.maxVersionBytes(),
                r.maxRecordBytes(),
                r.publishMillisPerVersion(),
                r.applyMillisPerVersion(),
                r.checkpoints(),
                r.maxCheckpointedBytes(),
                r.maxStateBytes(),
                r.maxCheckpointMillis());
    }

    /** Generates, produces and runs one case on fresh topics. */
    static Run runCase(
            EmbeddedKafkaBroker broker,
            Path workDir,
            String run,
            int n,
            Case c,
            int exposures,
            Duration span)
            throws Exception {
        String bootstrap = broker.bootstrapServers();
        List<UserEvent> events =
                SyntheticEventGenerator.generate(
                        SyntheticEventGenerator.Config.defaults(17)
                                .withExposures(exposures)
                                .withCategories(c.categories())
                                .withUsers(c.users())
                                // Many items per category, so a user rarely sees an item
                                // twice inside its attribution window (a repeat joins the open
                                // window instead of making a sample): every case then turns
                                // about as many exposures into samples.
                                .withItemsPerCategory(1_000)
                                .withZipfExponent(0)
                                .withMeanGapMillis(Math.max(1, span.toMillis() / exposures))
                                .withCycleKeys(true));
        broker.createTopics(PipelineBenchmark.topics(run));
        PipelineBenchmark.produce(bootstrap, run + "-events", events);
        int eventCount = events.size();
        long inTopic = recordsIn(bootstrap, run + "-events");
        if (inTopic != eventCount) {
            throw new IllegalStateException(
                    "produced " + eventCount + " events but the topic holds " + inTopic);
        }
        events = null;

        Map<String, String> options = PipelineBenchmark.jobOptions(bootstrap, workDir, run, n);
        options.put("classes.key", "CATEGORY");
        SampleWeightingSettings settings =
                SampleWeightingSettings.from(Configuration.fromMap(options));
        int restPort = freePort();
        Configuration flink = PipelineBenchmark.flink(settings);
        flink.set(RestOptions.BIND_PORT, String.valueOf(restPort));
        flink.set(RestOptions.PORT, restPort);
        CapturingMetricReporter.configure(flink);
        CapturingMetricReporter.reset();
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(2, flink);
        new SampleWeightingJob(settings).buildWithKafka(env);

        CheckpointPoller poller = new CheckpointPoller(restPort);
        Thread pollThread = new Thread(poller, "bench-checkpoint-poller");
        pollThread.setDaemon(true);
        pollThread.start();
        long t0 = System.nanoTime();
        double seconds;
        String failure = null;
        try {
            seconds =
                    PipelineBenchmark.timed(
                            env, "bench-scale-" + run, bootstrap, settings.samplesTopic());
        } catch (Exception e) {
            seconds = (System.nanoTime() - t0) / 1e9;
            failure = rootCause(e);
        } finally {
            poller.stop();
            pollThread.join(5_000);
        }
        long published = (long) CapturingMetricReporter.sum("weightTablesPublished");
        long applied = (long) CapturingMetricReporter.sum("weightTablesApplied");
        double publishMs =
                published == 0
                        ? Double.NaN
                        : CapturingMetricReporter.sum("weightTablePublishNanos") / 1e6 / published;
        double applyMs =
                applied == 0
                        ? Double.NaN
                        : CapturingMetricReporter.sum("weightTableApplyNanos") / 1e6 / applied;
        long[] weights = weightsTopic(bootstrap, settings.weightsTopic());
        JsonNode cp = poller.latest.get();
        JsonNode summary = cp == null ? null : cp.path("summary");
        long eventsIn = (long) CapturingMetricReporter.sum("eventsIn");
        long samplesOut = (long) CapturingMetricReporter.sum("samplesOut");
        if (failure == null && eventsIn != eventCount) {
            failure = String.format("incomplete: %,d of %,d events read", eventsIn, eventCount);
        }
        return new Run(
                eventCount,
                eventsIn,
                (long) CapturingMetricReporter.sum("deadLettered"),
                samplesOut,
                seconds,
                CapturingMetricReporter.sum("numClasses"),
                weights[0],
                weights[1],
                weights[2],
                publishMs,
                applyMs,
                cp == null ? 0 : cp.path("counts").path("completed").asLong(),
                summary == null ? 0 : summary.path("checkpointed_size").path("max").asLong(),
                summary == null ? 0 : summary.path("state_size").path("max").asLong(),
                summary == null ? 0 : summary.path("end_to_end_duration").path("max").asLong(),
                failure);
    }

    private static String rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getClass().getSimpleName() + ": " + t.getMessage();
        return m.length() > 300 ? m.substring(0, 300) + "…" : m;
    }

    /**
     * Distinct table versions on the weights topic, the largest record, and the largest sum of
     * record sizes of one version (a version published in parts counts all its parts).
     */
    static long[] weightsTopic(String bootstrap, String topic) {
        AvroCodec<ClassWeights> codec = Topics.CLASS_WEIGHTS.codec();
        Map<Long, Long> bytesByVersion = new HashMap<>();
        long[] maxRecord = {0};
        TopicReader.read(
                bootstrap,
                // A table part is up to 512 KiB; fetch whole batches of them.
                Map.of(
                        ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(64 << 20),
                        ConsumerConfig.FETCH_MAX_BYTES_CONFIG, String.valueOf(64 << 20)),
                topic,
                TopicReader.Start.beginning(),
                -1,
                false,
                Duration.ofMinutes(2),
                r -> {
                    maxRecord[0] = Math.max(maxRecord[0], r.serializedValueSize());
                    long version;
                    try {
                        version = codec.decode(r.value()).getVersion();
                    } catch (IOException e) {
                        version = -r.offset() - 1;
                    }
                    bytesByVersion.merge(version, (long) r.serializedValueSize(), Long::sum);
                });
        long maxVersion = bytesByVersion.values().stream().mapToLong(v -> v).max().orElse(0);
        return new long[] {bytesByVersion.size(), maxRecord[0], maxVersion};
    }

    /** Sum over partitions of end offset minus start offset (a topic without transactions). */
    static long recordsIn(String bootstrap, String topic) {
        try (KafkaConsumer<byte[], byte[]> c =
                new KafkaConsumer<>(
                        Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                        new ByteArrayDeserializer(),
                        new ByteArrayDeserializer())) {
            List<TopicPartition> parts =
                    c.partitionsFor(topic).stream()
                            .map(p -> new TopicPartition(topic, p.partition()))
                            .toList();
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            Map<TopicPartition, Long> begin = c.beginningOffsets(parts);
            return parts.stream().mapToLong(tp -> end.get(tp) - begin.get(tp)).sum();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Polls the MiniCluster's REST API for the running job's checkpoint statistics. */
    private static final class CheckpointPoller implements Runnable {
        private final int port;
        private final HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        final AtomicReference<JsonNode> latest = new AtomicReference<>();
        private volatile boolean stopped;
        private String jobId;

        CheckpointPoller(int port) {
            this.port = port;
        }

        void stop() {
            stopped = true;
        }

        @Override
        public void run() {
            while (!stopped) {
                try {
                    if (jobId == null) {
                        for (JsonNode j : get("/jobs").path("jobs")) {
                            jobId = j.path("id").asText();
                        }
                    } else {
                        JsonNode cp = get("/jobs/" + jobId + "/checkpoints");
                        if (cp.has("counts")) {
                            latest.set(cp);
                        }
                    }
                } catch (IOException e) {
                    // Cluster not up yet or already gone: keep the last answer.
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }

        private JsonNode get(String path) throws IOException, InterruptedException {
            HttpResponse<String> r =
                    http.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                    .timeout(Duration.ofSeconds(5))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IOException("HTTP " + r.statusCode() + " for " + path);
            }
            return JSON.readTree(r.body());
        }
    }

    /** Markdown for BENCHMARKS.md. */
    public static String markdown(
            List<CaseResult> results, Settings s, String command, String machine) {
        StringBuilder b = new StringBuilder();
        b.append("## Scale with classes and users\n\n");
        b.append("Command: `").append(command).append("`  \n").append(machine).append("  \n");
        b.append(
                String.format(
                        "SampleWeightingJob, class key CATEGORY, %,d synthetic exposures per case"
                                + " (about 1.3 events each) over %s of event time (weight-table"
                                + " version every `weights.update-interval` = 1 min), categories"
                                + " and users cycled so every class and user occurs; 2 partitions,"
                                + " parallelism 2, RocksDB with incremental checkpoints,"
                                + " exactly-once sinks, checkpoints every 10 s; events/s from the"
                                + " job reporting RUNNING to the broker's append time of its last"
                                + " sample. Ratio = events/s of the case / events/s of the first"
                                + " case in the same round. %d round(s)%s: median (min–max)."
                                + " Checkpoint figures are the maxima over a run's completed"
                                + " checkpoints (REST `/jobs/<id>/checkpoints`); publish = time"
                                + " in `WeightTableFunction` from the boundary timer to the table"
                                + " handed on, apply = time per stamping subtask to store and"
                                + " index it.%n%n",
                        s.exposures(),
                        s.eventTimeSpan(),
                        s.repeats(),
                        s.repeats() == 1 ? " (one run per case: no spread)" : ""));
        b.append(
                "| case | events/s | ratio to 1st (goal ≥ 0.5 at 1M classes) | classes in"
                        + " table | table versions | bytes per version | publish ms/version |"
                        + " apply ms/version/subtask | checkpoint size (incr. / full) |"
                        + " checkpoint duration ms |\n");
        b.append("|---|---|---|---|---|---|---|---|---|---|\n");
        for (CaseResult r : results) {
            b.append("| ").append(r.scale().label()).append(" | ");
            if (r.stat(Run::eventsPerSecond) == null) {
                b.append("**failed**: ")
                        .append(r.failure().replace("|", "\\|"))
                        .append(" | | | | | | | | |\n");
                continue;
            }
            b.append(r.stat(Run::eventsPerSecond).format("%,.0f")).append(" | ");
            Stats ratio = r.ratio();
            b.append(ratio == null ? "—" : ratio.format("%.2f")).append(" | ");
            b.append(r.stat(Run::classesInTable).format("%,.0f")).append(" | ");
            b.append(r.stat(Run::tableVersions).format("%,.0f")).append(" | ");
            b.append(mib(r.stat(Run::maxVersionBytes))).append(" | ");
            b.append(r.stat(Run::publishMillisPerVersion).format("%,.1f")).append(" | ");
            b.append(r.stat(Run::applyMillisPerVersion).format("%,.1f")).append(" | ");
            b.append(mib(r.stat(Run::maxCheckpointedBytes)))
                    .append(" / ")
                    .append(mib(r.stat(Run::maxStateBytes)))
                    .append(" | ");
            b.append(r.stat(Run::maxCheckpointMillis).format("%,.0f")).append(" |\n");
            if (r.failure() != null) {
                b.append("| ↳ some runs failed | ")
                        .append(r.failure().replace("|", "\\|"))
                        .append(" | | | | | | | | |\n");
            }
        }
        return b.toString();
    }

    private static String mib(Stats s) {
        return new Stats(s.median() / 1048576.0, s.min() / 1048576.0, s.max() / 1048576.0)
                        .format("%,.2f")
                + " MiB";
    }

    /** Tab-separated figures of every run, for the full-numbers file. */
    public static String tsv(List<CaseResult> results) {
        StringBuilder b =
                new StringBuilder(
                        "case\trun\tevents\tevents_in\tdead_letters\tsamples_out\tseconds\tevents_per_s\tratio\tclasses\tversions\t"
                                + "max_record_bytes\tmax_version_bytes\tpublish_ms\tapply_ms\t"
                                + "checkpoints\tmax_checkpointed_bytes\tmax_state_bytes\t"
                                + "max_checkpoint_ms\tfailure\n");
        for (CaseResult c : results) {
            for (int i = 0; i < c.runs().size(); i++) {
                Run r = c.runs().get(i);
                b.append(
                        String.join(
                                "\t",
                                c.scale().label(),
                                String.valueOf(i + 1),
                                String.valueOf(r.events()),
                                String.valueOf(r.eventsIn()),
                                String.valueOf(r.deadLettered()),
                                String.valueOf(r.samplesOut()),
                                String.format("%.2f", r.seconds()),
                                String.format("%.0f", r.eventsPerSecond()),
                                String.format("%.3f", c.ratios().get(i)),
                                String.format("%.0f", r.classesInTable()),
                                String.valueOf(r.tableVersions()),
                                String.valueOf(r.maxRecordBytes()),
                                String.valueOf(r.maxVersionBytes()),
                                String.format("%.2f", r.publishMillisPerVersion()),
                                String.format("%.2f", r.applyMillisPerVersion()),
                                String.valueOf(r.checkpoints()),
                                String.valueOf(r.maxCheckpointedBytes()),
                                String.valueOf(r.maxStateBytes()),
                                String.valueOf(r.maxCheckpointMillis()),
                                r.failure() == null ? "" : r.failure()));
                b.append('\n');
            }
        }
        return b.toString();
    }
}
