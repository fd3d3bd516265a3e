package dev.counterweight.bench;

import dev.counterweight.avro.EventType;
import dev.counterweight.avro.UserEvent;
import dev.counterweight.connectors.avro.AvroCodec;
import dev.counterweight.connectors.dataset.SyntheticEventGenerator;
import dev.counterweight.connectors.kafka.TopicReader;
import dev.counterweight.connectors.kafka.Topics;
import dev.counterweight.jobs.weighting.SampleWeightingJob;
import dev.counterweight.jobs.weighting.SampleWeightingSettings;
import dev.counterweight.jobs.weighting.io.AvroRecordSerializer;
import dev.counterweight.testing.EmbeddedKafkaBroker;
import dev.counterweight.testing.LoopbackFlink;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Weighting-job throughput against its limit and a peer, on one real broker and one Flink
 * MiniCluster in the same run: (a) a pass-through job (Kafka to Kafka, the same decoding and
 * validation, UserEvent Avro out, exactly-once sink, same checkpoint interval and RocksDB backend),
 * (b) {@code SampleWeightingJob} and (c) {@link TablePeerJob}, the Table API job a Flink user would
 * write over the same decoded stream. All read the same pre-produced events in bounded mode; the
 * time is from the job reporting RUNNING to the broker's append time of its last output record.
 *
 * <p>The stream has late purchases (corrections) and exposures that expire while it is read, and
 * each job is run at two stream sizes, so a straight line through the two times separates start-up
 * from per-event cost. While each job runs, a {@link RunProbe} records its per-task busy,
 * back-pressured and idle time, its completed checkpoints and the CPU time of every thread; the
 * timed window's differences are reported.
 */
public final class PipelineBenchmark {

    /** Purchases follow their click by up to this much: about half arrive after the window. */
    static final long MAX_PURCHASE_DELAY_MILLIS = Duration.ofMinutes(60).toMillis();

    /** The correction horizon the benchmark gives the job (its default is 24 h). */
    static final Duration CORRECTION_HORIZON = Duration.ofHours(1);

    /**
     * What to run.
     *
     * @param exposures exposures of the large stream (the reported throughput)
     * @param fitExposures exposures of the small stream of the two-size fit (0: no fit)
     * @param repeats rounds of every job at every size
     * @param checkpointInterval checkpoint interval of every job
     * @param warmUp whether one unreported round at the small size (or the large one) goes first
     */
    public record Config(
            int exposures,
            int fitExposures,
            int repeats,
            Duration checkpointInterval,
            boolean warmUp) {
        public Config {
            if (exposures < 1 || fitExposures < 0 || fitExposures >= exposures || repeats < 1) {
                throw new IllegalArgumentException(
                        "exposures >= 1, 0 <= fit-exposures < exposures and repeats >= 1 required");
            }
        }
    }

    /**
     * The events of one stream size, as the benchmark counts them from the generated events.
     *
     * @param exposures exposures
     * @param events all events (exposures, clicks, purchases)
     * @param purchases purchases
     * @param latePurchases purchases after the attribution window of their exposure and inside the
     *     correction horizon (each one a correction sample)
     * @param expiringExposures exposures whose attribution state expires on a watermark while the
     *     stream is read, not on the final watermark at its end
     * @param eventTimeHours event time the stream spans
     */
    public record Workload(
            int exposures,
            int events,
            int purchases,
            int latePurchases,
            int expiringExposures,
            double eventTimeHours) {}

    /**
     * One job run.
     *
     * @param seconds timed window: RUNNING to the last output record's append time
     * @param window what the probe saw in it
     * @param corrections the weighting job's {@code corrections} counter (0 for the others)
     */
    public record JobRun(double seconds, RunProbe.Window window, double corrections) {}

    /**
     * A line {@code seconds = startup + perEvent * events} through two stream sizes.
     *
     * @param startupSeconds the intercept: start-up, end-of-input and final-output time
     * @param microsPerEvent the slope: cost of one more event
     */
    public record Fit(double startupSeconds, double microsPerEvent) {
        /** The line through two runs. */
        static Fit of(int smallEvents, double smallSeconds, int largeEvents, double largeSeconds) {
            double slope = (largeSeconds - smallSeconds) / (largeEvents - smallEvents);
            return new Fit(largeSeconds - slope * largeEvents, slope * 1e6);
        }

        /** Events per second one more event costs ({@code 1e6 / microsPerEvent}). */
        public double marginalRate() {
            return 1e6 / microsPerEvent;
        }
    }

    /** The three jobs. */
    public enum Job {
        PASS_THROUGH("pass-through"),
        WEIGHTING("weighting"),
        PEER("table-peer");

        final String label;

        Job(String label) {
            this.label = label;
        }
    }

    /**
     * Everything measured; throughputs in events per second of the large stream, medians over the
     * repeats.
     */
    public record Result(
            Config config,
            Workload large,
            Workload small,
            Stats produce,
            Stats consume,
            Map<Job, Stats> throughput,
            Stats ratioToPassThrough,
            Stats ratioToPeer,
            Stats peerToPassThrough,
            Map<Job, Stats> startupSeconds,
            Map<Job, Stats> microsPerEvent,
            Map<Job, JobRun> profiled,
            Map<Job, int[]> checkpointsInWindow,
            Map<Job, Stats> windowSeconds) {}

    private PipelineBenchmark() {}

    /** The benchmark's stream of {@code exposures} exposures, sorted by event time. */
    static List<UserEvent> stream(int exposures) {
        SyntheticEventGenerator.Config d = SyntheticEventGenerator.Config.defaults(11);
        return SyntheticEventGenerator.generate(
                new SyntheticEventGenerator.Config(
                        d.seed(),
                        exposures,
                        d.users(),
                        d.itemsPerCategory(),
                        d.categories(),
                        d.zipfExponent(),
                        d.ctr(),
                        d.cvr(),
                        d.tailLift(),
                        d.startMillis(),
                        d.meanGapMillis(),
                        d.maxClickDelayMillis(),
                        MAX_PURCHASE_DELAY_MILLIS));
    }

    /** Counts what the job will meet in {@code events} under {@code settings}. */
    static Workload workload(List<UserEvent> events, SampleWeightingSettings settings) {
        long window = settings.attribution().windowMillis();
        long horizon = settings.attribution().correctionHorizonMillis();
        Map<String, Long> exposureTime = new HashMap<>();
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        int exposures = 0;
        int purchases = 0;
        for (UserEvent e : events) {
            long t = e.getEventTime().toEpochMilli();
            first = Math.min(first, t);
            last = Math.max(last, t);
            if (e.getType() == EventType.IMPRESSION) {
                exposures++;
                exposureTime.put(e.getEventId(), t);
            }
        }
        int late = 0;
        for (UserEvent e : events) {
            if (e.getType() == EventType.PURCHASE) {
                purchases++;
                String id = e.getEventId();
                Long exposed = exposureTime.get(id.substring(0, id.length() - "-p".length()));
                long delay = e.getEventTime().toEpochMilli() - exposed;
                if (delay > window && delay <= window + horizon) {
                    late++;
                }
            }
        }
        // The last regular watermark trails the newest event by the out-of-orderness bound.
        long watermark = last - settings.outOfOrderness().toMillis();
        int expiring = 0;
        for (long t : exposureTime.values()) {
            if (t + window + horizon < watermark) {
                expiring++;
            }
        }
        return new Workload(
                exposures, events.size(), purchases, late, expiring, (last - first) / 3.6e6);
    }

    public static Result run(Path workDir, Config config, PrintWriter log) throws Exception {
        List<UserEvent> large = stream(config.exposures());
        List<UserEvent> small = config.fitExposures() > 0 ? stream(config.fitExposures()) : null;
        SampleWeightingSettings reference =
                SampleWeightingSettings.from(
                        Configuration.fromMap(
                                jobOptions("localhost:9092", workDir, "x", "x", 0, config)));
        Workload largeLoad = workload(large, reference);
        Workload smallLoad = small == null ? null : workload(small, reference);
        log.printf("stream: %s%n", largeLoad);
        if (smallLoad != null) {
            log.printf("small stream: %s%n", smallLoad);
        }
        log.flush();
        int repeats = config.repeats();
        Map<Job, double[]> rate = new EnumMap<>(Job.class);
        Map<Job, double[]> startup = new EnumMap<>(Job.class);
        Map<Job, double[]> perEvent = new EnumMap<>(Job.class);
        Map<Job, double[]> windowSeconds = new EnumMap<>(Job.class);
        Map<Job, int[]> checkpoints = new EnumMap<>(Job.class);
        Map<Job, List<JobRun>> runs = new EnumMap<>(Job.class);
        for (Job j : Job.values()) {
            rate.put(j, new double[repeats]);
            startup.put(j, new double[repeats]);
            perEvent.put(j, new double[repeats]);
            windowSeconds.put(j, new double[repeats]);
            checkpoints.put(j, new int[repeats]);
            runs.put(j, new ArrayList<>());
        }
        double[] ratio = new double[repeats];
        double[] ratioPeer = new double[repeats];
        double[] peerToPass = new double[repeats];
        double produce;
        double consume;
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(workDir.resolve("kafka"))) {
            String bootstrap = broker.bootstrapServers();
            broker.createTopics(List.of(eventsTopic("large")));
            produce = large.size() / produce(bootstrap, "large-events", large);
            consume = large.size() / consume(bootstrap, "large-events", large.size());
            log.printf("raw Kafka: produce %,.0f/s consume %,.0f/s%n", produce, consume);
            log.flush();
            if (small != null) {
                broker.createTopics(List.of(eventsTopic("small")));
                produce(bootstrap, "small-events", small);
            }
            if (config.warmUp()) {
                String size = small != null ? "small" : "large";
                for (Job j : Job.values()) {
                    String run = "warm-" + j.label;
                    broker.createTopics(outputTopics(run));
                    runJob(j, bootstrap, workDir, size + "-events", run, 0, config);
                }
            }
            for (int r = 0; r < repeats; r++) {
                List<Job> order = new ArrayList<>(List.of(Job.values()));
                if (r % 2 == 1) {
                    Collections.reverse(order);
                }
                Map<Job, JobRun> largeRuns = new EnumMap<>(Job.class);
                Map<Job, JobRun> smallRuns = new EnumMap<>(Job.class);
                for (Job j : order) {
                    String run = "r" + r + "-" + j.label;
                    if (small != null) {
                        broker.createTopics(outputTopics("s" + run));
                        smallRuns.put(
                                j,
                                runJob(
                                        j,
                                        bootstrap,
                                        workDir,
                                        "small-events",
                                        "s" + run,
                                        r + 1,
                                        config));
                    }
                    broker.createTopics(outputTopics("l" + run));
                    largeRuns.put(
                            j,
                            runJob(
                                    j,
                                    bootstrap,
                                    workDir,
                                    "large-events",
                                    "l" + run,
                                    r + 1,
                                    config));
                }
                for (Job j : Job.values()) {
                    JobRun l = largeRuns.get(j);
                    rate.get(j)[r] = large.size() / l.seconds();
                    windowSeconds.get(j)[r] = l.seconds();
                    checkpoints.get(j)[r] = l.window().checkpoints();
                    runs.get(j).add(l);
                    if (small != null) {
                        Fit f =
                                Fit.of(
                                        small.size(),
                                        smallRuns.get(j).seconds(),
                                        large.size(),
                                        l.seconds());
                        startup.get(j)[r] = f.startupSeconds();
                        perEvent.get(j)[r] = f.microsPerEvent();
                    }
                }
                ratio[r] = rate.get(Job.WEIGHTING)[r] / rate.get(Job.PASS_THROUGH)[r];
                ratioPeer[r] = rate.get(Job.WEIGHTING)[r] / rate.get(Job.PEER)[r];
                peerToPass[r] = rate.get(Job.PEER)[r] / rate.get(Job.PASS_THROUGH)[r];
                log.printf(
                        "run %d: pass-through %,.0f/s (%.1f s) table peer %,.0f/s (%.1f s)"
                                + " weighting %,.0f/s (%.1f s, %d checkpoints inside,"
                                + " %,.0f corrections) ratio to pass-through %.3f, to peer %.3f%n",
                        r + 1,
                        rate.get(Job.PASS_THROUGH)[r],
                        windowSeconds.get(Job.PASS_THROUGH)[r],
                        rate.get(Job.PEER)[r],
                        windowSeconds.get(Job.PEER)[r],
                        rate.get(Job.WEIGHTING)[r],
                        windowSeconds.get(Job.WEIGHTING)[r],
                        checkpoints.get(Job.WEIGHTING)[r],
                        largeRuns.get(Job.WEIGHTING).corrections(),
                        ratio[r],
                        ratioPeer[r]);
                if (small != null) {
                    for (Job j : Job.values()) {
                        log.printf(
                                "  fit %s: small run %.1f s, start-up %.1f s, %.1f µs/event%n",
                                j.label,
                                smallRuns.get(j).seconds(),
                                startup.get(j)[r],
                                perEvent.get(j)[r]);
                    }
                }
                log.flush();
            }
        }
        Map<Job, Stats> throughput = new EnumMap<>(Job.class);
        Map<Job, Stats> startups = new EnumMap<>(Job.class);
        Map<Job, Stats> slopes = new EnumMap<>(Job.class);
        Map<Job, Stats> windows = new EnumMap<>(Job.class);
        Map<Job, JobRun> profiled = new EnumMap<>(Job.class);
        for (Job j : Job.values()) {
            throughput.put(j, Stats.of(rate.get(j)));
            windows.put(j, Stats.of(windowSeconds.get(j)));
            if (small != null) {
                startups.put(j, Stats.of(startup.get(j)));
                slopes.put(j, Stats.of(perEvent.get(j)));
            }
            profiled.put(j, medianRun(runs.get(j)));
        }
        return new Result(
                config,
                largeLoad,
                smallLoad,
                Stats.of(produce),
                Stats.of(consume),
                throughput,
                Stats.of(ratio),
                Stats.of(ratioPeer),
                Stats.of(peerToPass),
                startups,
                slopes,
                profiled,
                checkpoints,
                windows);
    }

    /** The run with the median time (the lower middle one of an even count). */
    static JobRun medianRun(List<JobRun> runs) {
        List<JobRun> sorted = new ArrayList<>(runs);
        sorted.sort(Comparator.comparingDouble(JobRun::seconds));
        return sorted.get((sorted.size() - 1) / 2);
    }

    static JobRun runJob(
            Job job,
            String bootstrap,
            Path workDir,
            String eventsTopic,
            String run,
            int n,
            Config config)
            throws Exception {
        return switch (job) {
            case PASS_THROUGH -> passThrough(bootstrap, workDir, eventsTopic, run, n, config);
            case WEIGHTING -> weighting(bootstrap, workDir, eventsTopic, run, n, config);
            case PEER -> peer(bootstrap, workDir, eventsTopic, run, n, config);
        };
    }

    static NewTopic eventsTopic(String size) {
        return new NewTopic(size + "-events", 2, (short) 1);
    }

    /**
     * The topics of one run of the latency and scale benchmarks, named {@code <run>-<topic>}: its
     * events and the weighting job's outputs.
     */
    static List<NewTopic> topics(String run) {
        List<NewTopic> out = new ArrayList<>();
        out.add(new NewTopic(run + "-events", 2, (short) 1));
        for (NewTopic t : outputTopics(run)) {
            if (!t.name().contains("-peer-") && !t.name().endsWith("-passthrough-out")) {
                out.add(t);
            }
        }
        return out;
    }

    /** The output topics of one job run, named {@code <run>-<topic>}. */
    static List<NewTopic> outputTopics(String run) {
        List<NewTopic> out = new ArrayList<>();
        for (String t :
                List.of(
                        "passthrough-out",
                        "weighted-samples",
                        "class-weights",
                        "events-dlq",
                        "peer-pairs",
                        "peer-counts")) {
            NewTopic topic =
                    new NewTopic(
                            run + "-" + t,
                            t.equals("class-weights") || t.equals("events-dlq") ? 1 : 2,
                            (short) 1);
            if (!t.equals("class-weights") && !t.equals("events-dlq")) {
                // The broker stamps each record with its append time: the benchmark reads the
                // time the last output was written, independent of when the job finishes.
                topic.configs(Map.of("message.timestamp.type", "LogAppendTime"));
            }
            out.add(topic);
        }
        return out;
    }

    /**
     * Weighting-job options of one run of the latency and scale benchmarks: the topics of {@link
     * #topics}, RocksDB, checkpoints every 10 s, bounded, the job's default attribution.
     */
    static Map<String, String> jobOptions(String bootstrap, Path workDir, String run, int n) {
        Map<String, String> m =
                jobOptions(
                        bootstrap,
                        workDir,
                        run + "-events",
                        run,
                        n,
                        new Config(2, 1, 1, Duration.ofSeconds(10), false));
        m.remove("attribution.correction-horizon");
        return m;
    }

    /**
     * Weighting-job options of one run: its topics, RocksDB, the configured checkpoint interval,
     * bounded, the correction horizon of {@link #CORRECTION_HORIZON}.
     */
    static Map<String, String> jobOptions(
            String bootstrap, Path workDir, String eventsTopic, String run, int n, Config config) {
        Map<String, String> m = new HashMap<>();
        m.put("kafka.bootstrap-servers", bootstrap);
        m.put("kafka.events-topic", eventsTopic);
        m.put("kafka.samples-topic", run + "-weighted-samples");
        m.put("kafka.weights-topic", run + "-class-weights");
        m.put("kafka.dlq-topic", run + "-events-dlq");
        m.put("kafka.bounded", "true");
        m.put("kafka.group-id", "bench-" + run + "-" + n);
        m.put("kafka.transactional-id-prefix", "bench-" + run + "-" + n);
        m.put("job.checkpoint-interval", config.checkpointInterval().toMillis() + " ms");
        m.put("job.checkpoint-dir", workDir.resolve("checkpoints").toUri().toString());
        m.put("job.restart-attempts", "0");
        m.put("job.parallelism", "2");
        m.put("attribution.correction-horizon", CORRECTION_HORIZON.toMinutes() + " min");
        return m;
    }

    /**
     * MiniCluster configuration: everything on 127.0.0.1, the capturing metric reporter, the job's
     * own Flink settings.
     */
    static Configuration flink(SampleWeightingSettings settings) {
        Configuration base = LoopbackFlink.configuration();
        CapturingMetricReporter.configure(base);
        // -Dbench.flink=key=value,key=value adds Flink settings, e.g. the RocksDB tunings compared
        // in BENCHMARKS.md; the job's own settings still win.
        String extra = System.getProperty("bench.flink", "");
        for (String kv : extra.split(",")) {
            if (!kv.isBlank()) {
                String[] pair = kv.split("=", 2);
                if (pair.length != 2) {
                    throw new IllegalArgumentException(
                            "-Dbench.flink expects key=value[,key=value], got '" + kv + "'");
                }
                base.setString(pair[0].trim(), pair[1].trim());
            }
        }
        return SampleWeightingJob.flinkConfiguration(settings, base);
    }

    static SampleWeightingSettings settings(
            String bootstrap, Path workDir, String eventsTopic, String run, int n, Config config) {
        return SampleWeightingSettings.from(
                Configuration.fromMap(jobOptions(bootstrap, workDir, eventsTopic, run, n, config)));
    }

    /** The weighting job's run (see {@link #timed}). */
    static JobRun weighting(
            String bootstrap, Path workDir, String eventsTopic, String run, int n, Config config)
            throws Exception {
        SampleWeightingSettings settings =
                settings(bootstrap, workDir, eventsTopic, run, n, config);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(2, flink(settings));
        new SampleWeightingJob(settings).buildWithKafka(env);
        return timed(env, "bench-weighting-" + run, bootstrap, List.of(settings.samplesTopic()));
    }

    /** Seconds for the weighting job of the latency and scale benchmarks (see {@link #timed}). */
    static double weighting(
            String bootstrap, Path workDir, String run, int n, Map<String, String> overrides)
            throws Exception {
        Map<String, String> options = jobOptions(bootstrap, workDir, run, n);
        options.putAll(overrides);
        SampleWeightingSettings settings =
                SampleWeightingSettings.from(Configuration.fromMap(options));
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(2, flink(settings));
        new SampleWeightingJob(settings).buildWithKafka(env);
        return timed(env, "bench-weighting-" + run, bootstrap, settings.samplesTopic());
    }

    /** {@link #timed(StreamExecutionEnvironment, String, String, List)}'s seconds, unprobed. */
    static double timed(StreamExecutionEnvironment env, String name, String bootstrap, String out)
            throws Exception {
        JobClient job = env.executeAsync(name);
        long running = 0;
        while (running == 0) {
            JobStatus status = job.getJobStatus().get();
            if (status == JobStatus.RUNNING) {
                running = System.currentTimeMillis();
            } else if (status.isTerminalState()) {
                throw new IllegalStateException(name + " ended as " + status + " before running");
            }
            Thread.sleep(5);
        }
        job.getJobExecutionResult().get();
        long last = lastAppendTime(bootstrap, out);
        if (last <= running) {
            throw new IllegalStateException(name + " wrote nothing to " + out);
        }
        return (last - running) / 1e3;
    }

    /** The pass-through job's run (see {@link #timed}). */
    static JobRun passThrough(
            String bootstrap, Path workDir, String eventsTopic, String run, int n, Config config)
            throws Exception {
        SampleWeightingSettings settings =
                settings(bootstrap, workDir, eventsTopic, run, n, config);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(2, flink(settings));
        KafkaSink<UserEvent> sink =
                KafkaSink.<UserEvent>builder()
                        .setBootstrapServers(bootstrap)
                        .setRecordSerializer(
                                new AvroRecordSerializer<>(
                                        run + "-passthrough-out",
                                        Topics.EVENTS.codec(),
                                        e -> e.getUserId(),
                                        true))
                        .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                        .setTransactionalIdPrefix(settings.transactionalIdPrefix() + "-pass")
                        .setProperty(
                                "transaction.timeout.ms",
                                String.valueOf(settings.transactionTimeout().toMillis()))
                        .build();
        SampleWeightingJob.validEvents(env, settings).sinkTo(sink);
        return timed(
                env, "bench-pass-through-" + run, bootstrap, List.of(run + "-passthrough-out"));
    }

    /** The Table API peer's run (see {@link TablePeerJob} and {@link #timed}). */
    static JobRun peer(
            String bootstrap, Path workDir, String eventsTopic, String run, int n, Config config)
            throws Exception {
        SampleWeightingSettings settings =
                settings(bootstrap, workDir, eventsTopic, run, n, config);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(2, flink(settings));
        TablePeerJob.build(
                SampleWeightingJob.validEvents(env, settings),
                Duration.ofMillis(settings.attribution().windowMillis()),
                bootstrap,
                run + "-peer-pairs",
                run + "-peer-counts",
                settings.transactionalIdPrefix() + "-peer",
                settings.transactionTimeout());
        return timed(
                env,
                "bench-table-peer-" + run,
                bootstrap,
                List.of(run + "-peer-pairs", run + "-peer-counts"));
    }

    /**
     * Runs the job and measures from the moment it reports RUNNING to the broker's append time of
     * its last output record (the latest over the given topics). A bounded job with an exactly-once
     * sink finishes only at the next periodic checkpoint after its input ends, so "until finished"
     * would round every run up to the checkpoint interval and measure the checkpoint timer, not the
     * job. A {@link RunProbe} watches the job meanwhile.
     */
    static JobRun timed(
            StreamExecutionEnvironment env, String name, String bootstrap, List<String> outs)
            throws Exception {
        CapturingMetricReporter.reset();
        RunProbe probe = RunProbe.start(name);
        long running = 0;
        try {
            JobClient job = env.executeAsync(name);
            while (running == 0) {
                JobStatus status = job.getJobStatus().get();
                if (status == JobStatus.RUNNING) {
                    running = System.currentTimeMillis();
                } else if (status.isTerminalState()) {
                    throw new IllegalStateException(
                            name + " ended as " + status + " before running");
                }
                Thread.sleep(5);
            }
            job.getJobExecutionResult().get();
        } finally {
            probe.close();
        }
        long last = Long.MIN_VALUE;
        for (String out : outs) {
            last = Math.max(last, lastAppendTime(bootstrap, out));
        }
        if (last <= running) {
            throw new IllegalStateException(name + " wrote nothing to " + outs);
        }
        return new JobRun(
                (last - running) / 1e3,
                probe.window(running, last),
                CapturingMetricReporter.sum("corrections"));
    }

    /** Largest record timestamp (LogAppendTime) among the committed records of a topic. */
    static long lastAppendTime(String bootstrap, String topic) {
        long[] last = {Long.MIN_VALUE};
        // The last committed data record sits just before the final commit marker; read the tail
        // of each partition rather than all of it.
        TopicReader.read(
                bootstrap,
                topic,
                TopicReader.Start.tail(1000),
                -1,
                false,
                Duration.ofMinutes(1),
                r -> last[0] = Math.max(last[0], r.timestamp()));
        return last[0];
    }

    /** Seconds to send every event (Avro encoding, idempotent producer, acks=all). */
    static double produce(String bootstrap, String topic, List<UserEvent> events) {
        AvroCodec<UserEvent> codec = Topics.EVENTS.codec();
        long t0 = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> p =
                new KafkaProducer<>(
                        Map.of(
                                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                bootstrap,
                                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                                true,
                                ProducerConfig.ACKS_CONFIG,
                                "all",
                                ProducerConfig.LINGER_MS_CONFIG,
                                5),
                        new ByteArraySerializer(),
                        new ByteArraySerializer())) {
            // A failed send would otherwise vanish and leave the job less input than counted.
            java.util.concurrent.atomic.AtomicReference<Exception> failed =
                    new java.util.concurrent.atomic.AtomicReference<>();
            for (UserEvent e : events) {
                p.send(
                        new ProducerRecord<>(
                                topic,
                                null,
                                e.getEventTime().toEpochMilli(),
                                e.getUserId().getBytes(),
                                codec.encode(e)),
                        (metadata, error) -> {
                            if (error != null) {
                                failed.compareAndSet(null, error);
                            }
                        });
            }
            p.flush();
            if (failed.get() != null) {
                throw new IllegalStateException("producing to " + topic + " failed", failed.get());
            }
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Seconds to read (and decode) every event back. */
    static double consume(String bootstrap, String topic, int expected) throws Exception {
        AvroCodec<UserEvent> codec = Topics.EVENTS.codec();
        long t0 = System.nanoTime();
        int read = 0;
        try (KafkaConsumer<byte[], byte[]> c =
                new KafkaConsumer<>(
                        Map.of(
                                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                bootstrap,
                                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                                "read_committed",
                                ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
                                2000),
                        new ByteArrayDeserializer(),
                        new ByteArrayDeserializer())) {
            List<TopicPartition> parts =
                    c.partitionsFor(topic).stream()
                            .map(p -> new TopicPartition(topic, p.partition()))
                            .toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (read < expected && System.nanoTime() < deadline) {
                for (var r : c.poll(Duration.ofMillis(200))) {
                    codec.decode(r.value());
                    read++;
                }
            }
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Markdown for BENCHMARKS.md. */
    public static String markdown(Result r, String command, String machine) {
        StringBuilder b = new StringBuilder();
        Workload w = r.large();
        Config c = r.config();
        b.append("## Weighting job throughput vs a pass-through job and a Table API peer\n\n");
        b.append("Command: `").append(command).append("`  \n").append(machine).append("  \n");
        b.append(
                String.format(
                        "Stream: %,d events (%,d exposures over %.1f h of event time, 300 users, 20"
                                + " Zipf categories; %,d purchases up to 60 min after their"
                                + " click, of which **%,d arrive after the 30-min attribution"
                                + " window** (corrections); **%,d exposures expire** on a"
                                + " watermark while the stream is read, attribution window 30"
                                + " min, correction horizon %s (the job's default is 24 h)),"
                                + " 2 partitions, parallelism 2, RocksDB, exactly-once sinks,"
                                + " checkpoints every %s; bounded read of pre-produced events;"
                                + " time from the job reporting RUNNING to the broker's append"
                                + " time of its last output record; %s%d rounds of every job in"
                                + " alternating order: median (min–max).%n%n",
                        w.events(),
                        w.exposures(),
                        w.eventTimeHours(),
                        w.purchases(),
                        w.latePurchases(),
                        w.expiringExposures(),
                        CORRECTION_HORIZON.toMinutes() + " min",
                        c.checkpointInterval().toSeconds() + " s",
                        c.warmUp() ? "one unreported warm-up round of each job first; " : "",
                        c.repeats()));
        b.append("| what | events/s | timed window s |\n|---|---|---|\n");
        b.append(
                String.format(
                        "| raw Kafka producer (Avro encode, idempotent, acks=all) | %s | |%n",
                        r.produce().format("%,.0f")));
        b.append(
                String.format(
                        "| raw Kafka consumer (read_committed, Avro decode) | %s | |%n",
                        r.consume().format("%,.0f")));
        b.append(row("(a) pass-through Flink job", r, Job.PASS_THROUGH));
        b.append(row("(c) Table API peer", r, Job.PEER));
        b.append(row("(b) SampleWeightingJob", r, Job.WEIGHTING));
        b.append(
                String.format(
                        "| **ratio b/a** (issue #16 goal ≥ 0.25, moonshot ≥ 0.6) | %s | |%n",
                        r.ratioToPassThrough().format("%.3f")));
        b.append(
                String.format(
                        "| **ratio b/c** (moonshot > 1) | %s | |%n",
                        r.ratioToPeer().format("%.3f")));
        b.append(String.format("| ratio c/a | %s | |%n%n", r.peerToPassThrough().format("%.3f")));
        int[] cps = r.checkpointsInWindow().get(Job.WEIGHTING);
        b.append(
                String.format(
                        "Checkpoints completed inside the weighting job's timed window: %s"
                                + " (per round); its corrections counter: %,.0f (median"
                                + " round).%n%n",
                        java.util.Arrays.toString(cps),
                        r.profiled().get(Job.WEIGHTING).corrections()));
        b.append(
                "What each job does per event: (a) decodes and validates the Avro event, then"
                        + " re-encodes it to one topic (no exchange, no state); (c) the same"
                        + " decoding, then in the Table API an event-time interval join of"
                        + " exposures with the clicks and purchases of the same user and item"
                        + " within 30 min (one row per pair, append-only) and per-category,"
                        + " per-type counts per 1-min tumbling window, both to Kafka"
                        + " exactly-once; it has no negatives, corrections, features, weights or"
                        + " stamping; (b) the whole job: deduplication, attribution with"
                        + " negatives, corrections and expiry, item and category features, class"
                        + " counts, the weight table and stamping, three exactly-once sinks.\n\n");
        if (r.small() != null) {
            b.append(
                    String.format(
                            "**Two-size fit** (each round runs every job at %,d and %,d events;"
                                    + " a line through the two times; median (min–max)):%n%n",
                            r.small().events(), w.events()));
            b.append(
                    "| job | start-up + tail s (intercept) | µs per event (slope) |"
                            + " marginal events/s |\n|---|---|---|---|\n");
            for (Job j : List.of(Job.PASS_THROUGH, Job.PEER, Job.WEIGHTING)) {
                Stats us = r.microsPerEvent().get(j);
                b.append(
                        String.format(
                                "| %s | %s | %s | %,.0f |%n",
                                j.label,
                                r.startupSeconds().get(j).format("%.1f"),
                                us.format("%.1f"),
                                1e6 / us.median()));
            }
            Stats wu = r.microsPerEvent().get(Job.WEIGHTING);
            b.append(
                    String.format(
                            "%nMarginal ratio b/a %.3f, b/c %.3f (medians of the slopes).%n%n",
                            r.microsPerEvent().get(Job.PASS_THROUGH).median() / wu.median(),
                            r.microsPerEvent().get(Job.PEER).median() / wu.median()));
        }
        for (Job j : List.of(Job.WEIGHTING, Job.PEER)) {
            JobRun run = r.profiled().get(j);
            RunProbe.Window win = run.window();
            b.append(
                    String.format(
                            "**%s, per task** (median round, %.1f s window; Flink's"
                                    + " accumulated task times as ms per second per subtask;"
                                    + " busy + back-pressured + idle ≈ 1000 while a task"
                                    + " runs):%n%n",
                            j == Job.WEIGHTING ? "SampleWeightingJob" : "Table API peer",
                            win.seconds()));
            b.append(
                    "| task (chained operators) | subtasks | busy ms/s (max subtask) |"
                            + " back-pressured ms/s | idle ms/s |\n|---|---|---|---|---|\n");
            for (RunProbe.TaskLoad t : win.tasks()) {
                b.append(
                        String.format(
                                "| %s | %d | %.0f (%.0f) | %.0f | %.0f |%n",
                                t.task().replace("|", "/"),
                                t.subtasks(),
                                t.busy(),
                                t.busyMax(),
                                t.backPressured(),
                                t.idle()));
            }
            b.append(
                    String.format(
                            "%n**%s, CPU by thread** in the same window: the JVM used %.1f CPU"
                                    + " s (%.2f cores of 2):%n%n",
                            j == Job.WEIGHTING ? "SampleWeightingJob" : "Table API peer",
                            win.processCpuSeconds(),
                            win.processCpuSeconds() / win.seconds()));
            b.append("| thread group | CPU s | share |\n|---|---|---|\n");
            int shown = 0;
            double rest = 0;
            for (RunProbe.ThreadCpu t : win.threads()) {
                if (shown < 14) {
                    b.append(
                            String.format(
                                    "| %s | %.1f | %.1f%% |%n",
                                    t.group().replace("|", "/"), t.cpuSeconds(), 100 * t.share()));
                    shown++;
                } else {
                    rest += t.cpuSeconds();
                }
            }
            if (rest > 0) {
                b.append(String.format("| (the rest) | %.1f | |%n", rest));
            }
            b.append("\n");
        }
        return b.toString();
    }

    private static String row(String what, Result r, Job j) {
        return String.format(
                "| %s | %s | %s |%n",
                what,
                r.throughput().get(j).format("%,.0f"),
                r.windowSeconds().get(j).format("%.1f"));
    }
}
