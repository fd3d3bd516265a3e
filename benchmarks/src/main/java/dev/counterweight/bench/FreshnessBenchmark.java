package dev.counterweight.bench;

import dev.counterweight.avro.ModelSnapshot;
import dev.counterweight.avro.PartitionOffset;
import dev.counterweight.avro.Sample;
import dev.counterweight.avro.UserEvent;
import dev.counterweight.connectors.avro.AvroCodec;
import dev.counterweight.connectors.dataset.SyntheticEventGenerator;
import dev.counterweight.connectors.kafka.TopicReader;
import dev.counterweight.connectors.kafka.Topics;
import dev.counterweight.connectors.replay.DatasetEvents;
import dev.counterweight.connectors.replay.ProgressListener;
import dev.counterweight.connectors.replay.ReplayPacing;
import dev.counterweight.connectors.replay.Replayer;
import dev.counterweight.jobs.weighting.SampleWeightingSettings;
import dev.counterweight.launcher.LocalPipeline;
import dev.counterweight.learner.snapshot.SnapshotStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Event to published model snapshot freshness of the local pipeline ({@link LocalPipeline}: broker,
 * weighting job, learner) with its default options.
 *
 * <p><b>Definition.</b> Events are produced in real time: each carries the wall clock at which it
 * is sent as its event time. A sample becomes due when its attribution window closes, at event time
 * {@code closedAt} (exposure + {@code attribution.window}, 30 min by default) — a wait for labels
 * that is a setting, not a delay of the pipeline — and since event time is wall-clock time, {@code
 * closedAt} is also the wall-clock instant its last label-relevant event could have been produced.
 * Freshness of a sample = {@code createdAt} of the first snapshot (lowest version) whose {@code
 * consumerOffsets} for the sample's partition is beyond the sample's offset in {@code
 * weighted-samples}, minus {@code closedAt}; reported twice, against the snapshots the learner
 * wrote (read from its snapshot folder) and against those it announced on {@code model-snapshots}
 * (the ones that passed the quality gate). It includes the watermark's out-of-orderness (5 s), the
 * job, the checkpoint that commits the sample (5 s in the local pipeline), the learner's batching
 * (1 s), the snapshot interval (15 s) and the snapshot write; the announced figure also any
 * snapshot the gate holds back.
 *
 * <p><b>Timeline.</b> To have windows closing from the first second without waiting 30 min, the
 * events of the first {@code warmup + measure + tail} seconds of exposures are sent at once at the
 * start with event times shifted 30 min into the past (history), then the same length of new events
 * is sent in real time at the dataset's pace. The history's windows close during the real-time
 * part; samples closing in the measured part (after the warm-up) count.
 */
public final class FreshnessBenchmark {

    /**
     * Benchmark settings.
     *
     * @param exposuresPerSecond synthetic exposures per second of event time (and of wall clock)
     * @param warmup real-time seconds before measured samples start closing (job start-up, the
     *     learner's gate minimum of evaluated samples, first snapshots)
     * @param measure seconds of window closes that are measured
     * @param tail real-time seconds after them, so snapshots can cover the last measured samples
     * @param repeats runs (each on a fresh pipeline)
     */
    public record Config(
            int exposuresPerSecond, Duration warmup, Duration measure, Duration tail, int repeats) {
        public Config {
            if (exposuresPerSecond < 1 || exposuresPerSecond > 1000) {
                throw new IllegalArgumentException("exposures per second must lie in [1, 1000]");
            }
            if (repeats < 1) {
                throw new IllegalArgumentException("need at least one repeat");
            }
        }

        Duration total() {
            return warmup.plus(measure).plus(tail);
        }
    }

    /**
     * One run's figures; freshness in milliseconds, -1 where no measured sample was covered.
     *
     * @param measured samples whose windows closed in the measured part
     * @param written freshness against the first snapshot the learner wrote
     * @param announced freshness against the first snapshot the quality gate let through
     */
    public record Run(
            int repeat,
            int measured,
            Figures written,
            Figures announced,
            int writtenCount,
            int announcedCount,
            long eventsSent) {}

    /** Freshness percentiles over the covered samples, and how many were not covered. */
    public record Figures(int covered, int uncovered, long p50, long p99, long max) {
        static Figures of(long[] values, int covered, int uncovered) {
            if (covered == 0) {
                return new Figures(0, uncovered, -1, -1, -1);
            }
            Percentiles p = Percentiles.of(values, covered);
            return new Figures(covered, uncovered, p.percentile(50), p.percentile(99), p.max());
        }
    }

    /** Everything measured. */
    public record Result(Config config, List<Run> runs, long windowMillis) {
        Stats stats(java.util.function.ToDoubleFunction<Run> f) {
            return Stats.of(runs.stream().mapToDouble(f).toArray());
        }

        /** Seconds over the runs where some sample was covered, or "n/a". */
        String seconds(java.util.function.ToLongFunction<Run> millis) {
            double[] v =
                    runs.stream()
                            .mapToLong(millis)
                            .filter(m -> m >= 0)
                            .mapToDouble(m -> m / 1000.0)
                            .toArray();
            String s = v.length == 0 ? "n/a" : Stats.of(v).format("%.1f") + " s";
            return v.length < runs.size()
                    ? s + " (" + (runs.size() - v.length) + " of " + runs.size() + " runs had none)"
                    : s;
        }
    }

    private FreshnessBenchmark() {}

    public static Result run(Path workDir, Config config, PrintWriter log) throws Exception {
        List<Run> runs = new ArrayList<>();
        long window = 0;
        for (int r = 0; r < config.repeats(); r++) {
            Path dir = workDir.resolve("run" + (r + 1));
            deleteRecursively(dir);
            StringWriter quiet = new StringWriter();
            try (LocalPipeline pipeline =
                    new LocalPipeline(
                            new LocalPipeline.Settings(
                                    dir,
                                    0,
                                    2,
                                    DatasetEvents.Source.SYNTHETIC,
                                    -1,
                                    ReplayPacing.asFastAsPossible(),
                                    Map.of(),
                                    // Keep every snapshot on disk, to see the ones the gate held
                                    // back (retention does not affect when snapshots are written).
                                    Map.of("learner.snapshot-retention", "10000"),
                                    false),
                            new PrintWriter(quiet),
                            new PrintWriter(quiet))) {
                SampleWeightingSettings job = pipeline.start();
                window = job.attribution().windowMillis();
                Run run = once(pipeline.bootstrapServers(), window, r + 1, config, dir, log);
                runs.add(run);
            }
        }
        return new Result(config, runs, window);
    }

    private static Run once(
            String bootstrap, long window, int repeat, Config config, Path dir, PrintWriter log)
            throws Exception {
        long total = config.total().toMillis();
        int gapMillis = Math.max(1, 1000 / config.exposuresPerSecond());
        List<UserEvent> events =
                new ArrayList<>(
                        SyntheticEventGenerator.generate(
                                SyntheticEventGenerator.Config.defaults(20 + repeat)
                                        .withExposures((int) (2 * total / gapMillis))
                                        .withMeanGapMillis(gapMillis)));
        events.sort(Comparator.comparing(UserEvent::getEventTime));
        long first = events.get(0).getEventTime().toEpochMilli();
        long t0 = System.currentTimeMillis() + 3_000;
        List<UserEvent> history = new ArrayList<>();
        List<UserEvent> live = new ArrayList<>();
        for (UserEvent e : events) {
            long o = e.getEventTime().toEpochMilli() - first;
            if (o < total) {
                history.add(retimed(e, t0 - window + o));
            } else if (o < 2 * total) {
                live.add(retimed(e, t0 + o - total));
            }
        }
        log.printf(
                "repeat %d: %,d history events (event time shifted %d min back), then %,d events in real time for %d s%n",
                repeat, history.size(), window / 60_000, live.size(), total / 1000);
        log.flush();
        Replayer.replayToKafka(
                bootstrap,
                Topics.EVENTS.name(),
                history,
                ReplayPacing.asFastAsPossible(),
                ProgressListener.NONE);
        Thread.sleep(Math.max(0, t0 - System.currentTimeMillis()));
        // Paced on the replay's own start, which is t0 give or take the sort: event time equals
        // the wall clock at send to within milliseconds.
        Replayer.replayToKafka(
                bootstrap,
                Topics.EVENTS.name(),
                live,
                new ReplayPacing(1, ReplayPacing.TimeShift.NONE, 1),
                ProgressListener.NONE);

        List<SnapshotCoverage.Snapshot> announced = new ArrayList<>();
        for (ModelSnapshot s :
                TopicReader.readAll(
                        bootstrap,
                        Topics.MODEL_SNAPSHOTS.name(),
                        ModelSnapshot.class,
                        Duration.ofMinutes(2))) {
            announced.add(point(s));
        }
        List<SnapshotCoverage.Snapshot> written = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir.resolve("snapshots"))) {
            for (Path f : files.filter(f -> f.toString().endsWith(".json")).toList()) {
                written.add(point(SnapshotStore.fromJson(Files.readAllBytes(f))));
            }
        }
        long from = t0 + config.warmup().toMillis();
        long to = from + config.measure().toMillis();
        List<long[]> measured = new ArrayList<>();
        AvroCodec<Sample> sampleCodec = Topics.WEIGHTED_SAMPLES.codec();
        readAll(
                bootstrap,
                Topics.WEIGHTED_SAMPLES.name(),
                rec -> {
                    Sample s = decode(sampleCodec, rec.value());
                    long closedAt = s.getClosedAt().toEpochMilli();
                    if (!s.getCorrection() && closedAt >= from && closedAt < to) {
                        measured.add(new long[] {rec.partition(), rec.offset(), closedAt});
                    }
                });
        if (measured.isEmpty()) {
            throw new IllegalStateException("no sample closed in the measured part");
        }
        Figures writtenFigures =
                figures(
                        new SnapshotCoverage(written),
                        measured,
                        dir.resolve("freshness-written-ms.txt"));
        Figures announcedFigures =
                figures(
                        new SnapshotCoverage(announced),
                        measured,
                        dir.resolve("freshness-announced-ms.txt"));
        Run run =
                new Run(
                        repeat,
                        measured.size(),
                        writtenFigures,
                        announcedFigures,
                        written.size(),
                        announced.size(),
                        history.size() + live.size());
        log.printf(
                "repeat %d: %,d measured samples; freshness to the first written snapshot p50 %,d ms p99 %,d ms max %,d ms (%d uncovered); to the first announced p50 %,d ms p99 %,d ms (%d uncovered); %d snapshots written, %d announced%n",
                repeat,
                run.measured(),
                writtenFigures.p50(),
                writtenFigures.p99(),
                writtenFigures.max(),
                writtenFigures.uncovered(),
                announcedFigures.p50(),
                announcedFigures.p99(),
                announcedFigures.uncovered(),
                run.writtenCount(),
                run.announcedCount());
        log.flush();
        return run;
    }

    /** Freshness of every measured sample against one set of snapshots; raw values to a file. */
    private static Figures figures(SnapshotCoverage coverage, List<long[]> measured, Path raw)
            throws IOException {
        long[] values = new long[measured.size()];
        int covered = 0;
        StringBuilder text = new StringBuilder("# freshness_ms (-1: not covered)\n");
        for (long[] m : measured) {
            OptionalLong at = coverage.coveredAt((int) m[0], m[1]);
            long f = at.isPresent() ? at.getAsLong() - m[2] : -1;
            if (at.isPresent()) {
                values[covered++] = f;
            }
            text.append(f).append('\n');
        }
        Files.writeString(raw, text);
        return Figures.of(values, covered, measured.size() - covered);
    }

    private static SnapshotCoverage.Snapshot point(ModelSnapshot s) {
        Map<Integer, Long> next = new HashMap<>();
        for (PartitionOffset p : s.getConsumerOffsets()) {
            next.put(p.getPartition(), p.getOffset());
        }
        return new SnapshotCoverage.Snapshot(s.getVersion(), s.getCreatedAt().toEpochMilli(), next);
    }

    private static UserEvent retimed(UserEvent e, long eventTime) {
        return UserEvent.newBuilder(e).setEventTime(Instant.ofEpochMilli(eventTime)).build();
    }

    private static <T extends org.apache.avro.specific.SpecificRecordBase> T decode(
            AvroCodec<T> codec, byte[] bytes) {
        try {
            return codec.decode(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads every committed record of a topic, from the beginning to its current end. */
    private static void readAll(
            String bootstrap, String topic, Consumer<ConsumerRecord<byte[], byte[]>> each) {
        TopicReader.read(
                bootstrap,
                topic,
                TopicReader.Start.beginning(),
                -1,
                false,
                Duration.ofMinutes(2),
                each);
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** Every run's figures as tab-separated text (-1: no measured sample covered). */
    public static String tsv(Result r) {
        StringBuilder b =
                new StringBuilder(
                        "repeat\tmeasured_samples\twritten_p50_ms\twritten_p99_ms\twritten_max_ms\twritten_uncovered"
                                + "\tannounced_p50_ms\tannounced_p99_ms\tannounced_max_ms\tannounced_uncovered"
                                + "\tsnapshots_written\tsnapshots_announced\tevents_sent\n");
        for (Run run : r.runs()) {
            Figures w = run.written();
            Figures a = run.announced();
            b.append(
                    String.format(
                            "%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d%n",
                            run.repeat(),
                            run.measured(),
                            w.p50(),
                            w.p99(),
                            w.max(),
                            w.uncovered(),
                            a.p50(),
                            a.p99(),
                            a.max(),
                            a.uncovered(),
                            run.writtenCount(),
                            run.announcedCount(),
                            run.eventsSent()));
        }
        return b.toString();
    }

    /** Markdown for BENCHMARKS.md. */
    public static String markdown(Result r, String command, String machine) {
        Config c = r.config();
        StringBuilder b = new StringBuilder();
        b.append("## Event to published model snapshot freshness (local pipeline, defaults)\n\n");
        b.append("Command: `").append(command).append("`  \n").append(machine).append("  \n");
        b.append(
                String.format(
                        "The local pipeline (`counterweight run`: embedded broker, SampleWeightingJob"
                                + " with its defaults and checkpoints every 5 s, learner with"
                                + " batch 512, batch timeout 1 s, snapshots every 15 s, quality"
                                + " gate on), fed %d synthetic exposures per second (about %d"
                                + " events/s) in real time: each event's event time is the wall"
                                + " clock at send. **Freshness** of a sample = `createdAt` of the"
                                + " first snapshot (written, or announced) whose `consumerOffsets` cover the"
                                + " sample's offset in `weighted-samples` − the sample's"
                                + " `closedAt` (exposure + `attribution.window`, %d min: the"
                                + " wall-clock moment its labels became final). The %d min"
                                + " window itself is a deliberate wait for labels and is not"
                                + " included; exposure → snapshot is that much longer. To have"
                                + " windows closing from the start, the first %d s of exposures"
                                + " are sent at once with event times %d min in the past. Samples"
                                + " whose windows close in %d s after a %d s warm-up are"
                                + " measured; nearest-rank percentiles per run; %d runs: median"
                                + " (min–max).%n%n",
                        c.exposuresPerSecond(),
                        Math.round(c.exposuresPerSecond() * 1.3),
                        r.windowMillis() / 60_000,
                        r.windowMillis() / 60_000,
                        c.total().toSeconds(),
                        r.windowMillis() / 60_000,
                        c.measure().toSeconds(),
                        c.warmup().toSeconds(),
                        c.repeats()));
        b.append(
                "| first snapshot that covers the sample | p50 | p99 (goal ≤ 30 s) | max |"
                        + " measured samples not covered |\n|---|---|---|---|---|\n");
        b.append(
                String.format(
                        "| written by the learner | %s | %s | %s | %s |%n",
                        r.seconds(run -> run.written().p50()),
                        r.seconds(run -> run.written().p99()),
                        r.seconds(run -> run.written().max()),
                        r.stats(run -> run.written().uncovered()).format("%,.0f")));
        b.append(
                String.format(
                        "| announced (passed the quality gate) | %s | %s | %s | %s |%n",
                        r.seconds(run -> run.announced().p50()),
                        r.seconds(run -> run.announced().p99()),
                        r.seconds(run -> run.announced().max()),
                        r.stats(run -> run.announced().uncovered()).format("%,.0f")));
        b.append(
                String.format(
                        "%nPer run: %s measured samples, %s snapshots written, %s announced"
                                + " (`learner.snapshot-retention` raised so every written"
                                + " snapshot stays on disk to be read).%n",
                        r.stats(Run::measured).format("%,.0f"),
                        r.stats(Run::writtenCount).format("%.0f"),
                        r.stats(Run::announcedCount).format("%.0f")));
        b.append(
                "\nWhat bounds it: a sample is written to Kafka only once the watermark passes its"
                        + " `closedAt` plus `watermark.out-of-orderness` (5 s); the learner reads"
                        + " read_committed, so it sees the sample at the next checkpoint (every 5 s"
                        + " in the local pipeline); it trains within `learner.batch-timeout` (1 s)"
                        + " or when 512 samples are pending; and the sample is in the next"
                        + " snapshot, written every `learner.snapshot-interval` (15 s) and then"
                        + " fsynced (model and optimizer state). The announced row adds every"
                        + " snapshot the quality gate held back.\n");
        return b.toString();
    }
}
