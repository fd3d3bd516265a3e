package dev.counterweight.launcher;

import dev.counterweight.avro.ClassWeights;
import dev.counterweight.connectors.avro.AvroCodec;
import dev.counterweight.connectors.dataset.SyntheticEventGenerator;
import dev.counterweight.connectors.kafka.TopicReader;
import dev.counterweight.connectors.kafka.Topics;
import dev.counterweight.connectors.replay.DatasetEvents;
import dev.counterweight.connectors.replay.ProgressBar;
import dev.counterweight.connectors.replay.ReplayPacing;
import dev.counterweight.connectors.replay.Replayer;
import dev.counterweight.jobs.weighting.SampleWeightingJob;
import dev.counterweight.jobs.weighting.SampleWeightingOptions;
import dev.counterweight.jobs.weighting.SampleWeightingSettings;
import dev.counterweight.launcher.report.ReportWriter;
import dev.counterweight.learner.service.LearnerSettings;
import dev.counterweight.learner.service.OnlineLearner;
import dev.counterweight.testing.EmbeddedKafkaBroker;
import dev.counterweight.testing.LoopbackFlink;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole Counterweight pipeline on this machine, every server bound to 127.0.0.1: a real Kafka
 * broker (KRaft, in-process), a Flink MiniCluster with its Web UI running {@link
 * SampleWeightingJob} on RocksDB, the {@link OnlineLearner}, and a replay of a dataset into {@code
 * events}. With {@code once}, it drains the job after the replay (stop-with-savepoint advancing to
 * the end of event time, so every attribution window closes), lets the learner finish, writes the
 * report and stops; otherwise it runs until closed.
 */
public final class LocalPipeline implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalPipeline.class);

    /**
     * Launcher settings.
     *
     * @param workDir where broker logs, checkpoints, snapshots and the report go
     * @param uiPort Flink Web UI port (0: any free port)
     * @param partitions partitions of the data topics and job parallelism
     * @param source dataset to replay
     * @param limit replay at most this many events (-1: all)
     * @param pacing replay pacing
     * @param jobOptions extra {@code SampleWeightingOptions} (override the launcher's)
     * @param learnerOptions extra {@code LearnerOptions} (override the launcher's)
     * @param once drain and stop after the replay
     */
    public record Settings(
            Path workDir,
            int uiPort,
            int partitions,
            DatasetEvents.Source source,
            int limit,
            ReplayPacing pacing,
            Map<String, String> jobOptions,
            Map<String, String> learnerOptions,
            boolean once) {}

    /** What a run produced. */
    public record Summary(
            long eventsSent,
            long samples,
            long weightTables,
            List<Long> weightTableVersions,
            long snapshotsAnnounced,
            long samplesTrained,
            List<Path> reportFiles,
            Duration elapsed) {}

    private final Settings settings;
    private final PrintWriter out;
    private final PrintWriter err;
    private EmbeddedKafkaBroker broker;
    private JobClient job;
    private OnlineLearner learner;
    private Thread learnerThread;
    private volatile boolean closed;

    public LocalPipeline(Settings settings, PrintWriter out, PrintWriter err) {
        this.settings = settings;
        this.out = out;
        this.err = err;
    }

    /** Starts everything, replays, and (with {@code once}) drains and reports. */
    public Summary run() throws Exception {
        long start = System.nanoTime();
        SampleWeightingSettings jobSettings = start();
        String bootstrap = broker.bootstrapServers();

        DatasetEvents.Loaded data =
                DatasetEvents.load(
                        settings.source(),
                        settings.limit(),
                        SyntheticEventGenerator.Config.defaults(42).withExposures(20_000));
        out.printf("Replaying %,d events from %s%n", data.events().size(), data.description());
        out.flush();
        Replayer.Result replay =
                Replayer.replayToKafka(
                        bootstrap,
                        Topics.EVENTS.name(),
                        data.events(),
                        settings.pacing(),
                        ProgressBar.onConsole(err, "events"));

        if (!settings.once()) {
            out.printf(
                    "Replay done (%,d events). The pipeline keeps running; Ctrl-C stops it.%n",
                    replay.sent());
            out.flush();
            while (!closed) {
                Thread.sleep(500);
            }
            return summary(replay.sent(), List.of(), start);
        }

        out.println("Replay done; waiting for the job to read every event ...");
        out.flush();
        awaitConsumed(jobSettings.groupId(), Duration.ofMinutes(5));
        out.println(
                "Draining the job (stop with savepoint, end of event time: every window closes) ...");
        out.flush();
        job.stopWithSavepoint(
                        true,
                        settings.workDir().resolve("savepoints").toUri().toString(),
                        SavepointFormatType.CANONICAL)
                .get(5, TimeUnit.MINUTES);
        job.getJobExecutionResult().get(5, TimeUnit.MINUTES);
        out.println("Job finished; letting the learner train on the last samples ...");
        out.flush();
        learner.finishWhenIdle(Duration.ofSeconds(10));
        learnerThread.join(TimeUnit.MINUTES.toMillis(10));
        List<Path> report =
                ReportWriter.writeFromKafka(
                        bootstrap, settings.workDir().resolve("report"), Duration.ofSeconds(5));
        Summary summary = summary(replay.sent(), report, start);
        out.printf(
                "%nDone in %ds: %,d events -> %,d weighted samples, %d weight-table versions, %d snapshots announced (%,d samples trained).%n",
                summary.elapsed().toSeconds(),
                summary.eventsSent(),
                summary.samples(),
                summary.weightTables(),
                summary.snapshotsAnnounced(),
                summary.samplesTrained());
        if (!report.isEmpty()) {
            out.printf("Report: %s%n", report.get(0));
        }
        out.flush();
        return summary;
    }

    /**
     * Starts the broker (with every topic), the weighting job and the learner, and returns without
     * replaying anything; {@link #run} calls it first, benchmarks call it to send their own events.
     * {@link #close} stops what it started.
     *
     * @return the job's validated settings
     */
    public SampleWeightingSettings start() throws Exception {
        validateOptions();
        Files.createDirectories(settings.workDir());
        broker = EmbeddedKafkaBroker.start(settings.workDir().resolve("kafka"));
        // Unlimited retention: replayed datasets carry their original (years old) event times.
        broker.createTopics(
                Topics.specs(settings.partitions()).stream()
                        .map(
                                t ->
                                        new Topics.TopicSpec(
                                                        t.name(), t.partitions(), t.compacted(), -1)
                                                .toNewTopic((short) 1))
                        .toList());
        String bootstrap = broker.bootstrapServers();

        SampleWeightingSettings jobSettings =
                SampleWeightingSettings.from(jobConfiguration(bootstrap));
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(
                        SampleWeightingJob.flinkConfiguration(jobSettings, flinkBase()));
        env.setParallelism(settings.partitions());
        new SampleWeightingJob(jobSettings).buildWithKafka(env);
        job = env.executeAsync(jobSettings.jobName());

        learner = new OnlineLearner(LearnerSettings.from(learnerConfiguration(bootstrap)));
        learnerThread =
                new Thread(
                        () -> {
                            try {
                                learner.run();
                            } catch (Exception e) {
                                LOG.error("learner failed", e);
                            }
                        },
                        "online-learner");
        learnerThread.start();

        int uiPort = settings.uiPort();
        out.printf("%nCounterweight is running (all servers on 127.0.0.1):%n");
        out.printf(
                "  Flink Web UI      http://127.0.0.1:%d  (job '%s')%n",
                uiPort, jobSettings.jobName());
        out.printf(
                "  Kafka             %s  topics: %s%n", bootstrap, String.join(", ", topicNames()));
        out.printf("  Snapshots         %s%n", settings.workDir().resolve("snapshots"));
        out.printf(
                "  Look at records   cli/bin/counterweight inspect weighted-samples --bootstrap-servers %s%n%n",
                bootstrap);
        out.flush();

        return jobSettings;
    }

    /**
     * Validates the job's and the learner's options (the launcher's own and the extra ones) without
     * starting anything, so a misspelt or invalid option fails before the broker starts; {@link
     * #start} calls it first.
     *
     * @throws IllegalArgumentException naming the key
     */
    public void validateOptions() {
        String notYetStarted = "127.0.0.1:9092";
        SampleWeightingSettings.from(jobConfiguration(notYetStarted));
        LearnerSettings.from(learnerConfiguration(notYetStarted));
    }

    /** Bootstrap servers of the broker {@link #start} started. */
    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    private Summary summary(long sent, List<Path> report, long startNanos) {
        Map<String, Long> counts = topicCounts();
        return new Summary(
                sent,
                counts.getOrDefault(Topics.WEIGHTED_SAMPLES.name(), 0L),
                counts.getOrDefault(Topics.CLASS_WEIGHTS.name(), 0L),
                tableVersions(),
                counts.getOrDefault(Topics.MODEL_SNAPSHOTS.name(), 0L),
                learner == null ? 0 : learner.status().samplesTrained(),
                report,
                Duration.ofNanos(System.nanoTime() - startNanos));
    }

    private Configuration jobConfiguration(String bootstrap) {
        Map<String, String> m = new HashMap<>();
        m.put(SampleWeightingOptions.BOOTSTRAP_SERVERS.key(), bootstrap);
        m.put(
                SampleWeightingOptions.CHECKPOINT_DIR.key(),
                settings.workDir().resolve("checkpoints").toUri().toString());
        m.put(SampleWeightingOptions.CHECKPOINT_INTERVAL.key(), "5 s");
        m.put(SampleWeightingOptions.PARTITIONS.key(), String.valueOf(settings.partitions()));
        m.putAll(settings.jobOptions());
        return Configuration.fromMap(m);
    }

    private Configuration learnerConfiguration(String bootstrap) {
        Map<String, String> m = new HashMap<>();
        m.put("learner.bootstrap-servers", bootstrap);
        m.put("learner.snapshot-dir", settings.workDir().resolve("snapshots").toString());
        m.put("learner.snapshot-interval", "15 s");
        m.put("learner.batch-size", "512");
        m.put("learner.batch-timeout", "1 s");
        m.put("learner.omp-threads", "1");
        m.putAll(settings.learnerOptions());
        return Configuration.fromMap(m);
    }

    private Configuration flinkBase() {
        Configuration c = LoopbackFlink.configuration();
        c.set(RestOptions.PORT, settings.uiPort());
        c.set(RestOptions.BIND_PORT, String.valueOf(settings.uiPort()));
        c.set(TaskManagerOptions.NUM_TASK_SLOTS, settings.partitions());
        return c;
    }

    private List<String> topicNames() {
        return Topics.specs(settings.partitions()).stream().map(Topics.TopicSpec::name).toList();
    }

    private void awaitConsumed(String groupId, Duration timeout) throws Exception {
        try (Admin admin = broker.admin()) {
            await(
                    "the job to commit offsets up to the end of '" + Topics.EVENTS.name() + "'",
                    () -> {
                        try {
                            Map<TopicPartition, OffsetAndMetadata> committed =
                                    admin.listConsumerGroupOffsets(groupId)
                                            .partitionsToOffsetAndMetadata()
                                            .get(10, TimeUnit.SECONDS);
                            Map<TopicPartition, OffsetSpec> ask = new HashMap<>();
                            for (int p = 0; p < settings.partitions(); p++) {
                                ask.put(
                                        new TopicPartition(Topics.EVENTS.name(), p),
                                        OffsetSpec.latest());
                            }
                            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> end =
                                    admin.listOffsets(ask).all().get(10, TimeUnit.SECONDS);
                            for (var e : end.entrySet()) {
                                OffsetAndMetadata c = committed.get(e.getKey());
                                if (e.getValue().offset() > 0
                                        && (c == null || c.offset() < e.getValue().offset())) {
                                    return false;
                                }
                            }
                            return true;
                        } catch (Exception e) {
                            return false;
                        }
                    },
                    timeout);
        }
    }

    private Map<String, Long> topicCounts() {
        Map<String, Long> counts = new HashMap<>();
        if (broker == null) {
            return counts;
        }
        try (Admin admin = broker.admin()) {
            for (String topic :
                    List.of(
                            Topics.WEIGHTED_SAMPLES.name(),
                            Topics.CLASS_WEIGHTS.name(),
                            Topics.MODEL_SNAPSHOTS.name())) {
                counts.put(topic, committedRecords(admin, topic));
            }
        } catch (Exception e) {
            LOG.warn("cannot count records: {}", e.toString());
        }
        return counts;
    }

    /**
     * Versions of the weight tables in the class-weights topic, in topic order, each once: a table
     * published in several parts counts at its last part.
     */
    private List<Long> tableVersions() {
        List<Long> versions = new java.util.ArrayList<>();
        if (broker == null) {
            return versions;
        }
        AvroCodec<ClassWeights> codec = Topics.CLASS_WEIGHTS.codec();
        TopicReader.read(
                broker.bootstrapServers(),
                Topics.CLASS_WEIGHTS.name(),
                TopicReader.Start.beginning(),
                Long.MAX_VALUE,
                false,
                Duration.ofSeconds(5),
                r -> {
                    try {
                        ClassWeights t = codec.decode(r.value());
                        if (t.getPart() == t.getParts() - 1) {
                            versions.add(t.getVersion());
                        }
                    } catch (java.io.IOException e) {
                        LOG.warn("undecodable class-weights record: {}", e.getMessage());
                    }
                });
        return versions;
    }

    /** Records a read_committed consumer sees in a topic. */
    private long committedRecords(Admin admin, String topic) {
        return TopicReader.read(
                broker.bootstrapServers(),
                topic,
                TopicReader.Start.beginning(),
                Long.MAX_VALUE,
                false,
                Duration.ofSeconds(5),
                r -> {});
    }

    private static void await(String what, BooleanSupplier condition, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(250);
        }
    }

    /**
     * Waits until a cancelled job has ended. {@code cancel()} returns once the request is accepted;
     * the tasks then stop and the exactly-once sinks abort their transactions, which needs the
     * broker: closing it first leaves the sinks waiting a minute for it and failing the
     * MiniCluster's TaskManager while the next pipeline in the same JVM runs.
     */
    public static void awaitJobEnd(JobClient job) {
        try {
            job.getJobExecutionResult().get(2, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // A cancelled job's result completes exceptionally; only the wait matters here.
            LOG.debug("job ended: {}", e.toString());
        }
    }

    /** Stops the learner, cancels the job and stops the broker; safe to call twice. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (learner != null) {
            learner.stop();
            try {
                learnerThread.join(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (job != null) {
            try {
                if (!job.getJobStatus().get(10, TimeUnit.SECONDS).isGloballyTerminalState()) {
                    job.cancel().get(30, TimeUnit.SECONDS);
                }
            } catch (Exception e) {
                LOG.debug("cancel: {}", e.toString());
            }
            awaitJobEnd(job);
        }
        if (broker != null) {
            broker.close();
        }
    }
}
