package dev.counterweight.bench;

import dev.counterweight.avro.EventType;
import dev.counterweight.avro.Sample;
import dev.counterweight.avro.UserEvent;
import dev.counterweight.connectors.avro.AvroCodec;
import dev.counterweight.connectors.dataset.SyntheticEventGenerator;
import dev.counterweight.connectors.kafka.Topics;
import dev.counterweight.connectors.replay.KafkaEventSink;
import dev.counterweight.jobs.weighting.SampleWeightingJob;
import dev.counterweight.jobs.weighting.SampleWeightingSettings;
import dev.counterweight.launcher.LocalPipeline;
import dev.counterweight.testing.EmbeddedKafkaBroker;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * End-to-end latency of {@code SampleWeightingJob} at a fixed load: the job (RocksDB, exactly-once
 * sinks, checkpoints every 10 s, parallelism 2) runs unbounded on an embedded broker and a
 * MiniCluster, with {@code attribution.window} 0 (a sample is due as soon as the watermark passes
 * its exposure) and {@code watermark.out-of-orderness} 0 (the watermark trails the newest event by
 * 1 ms). A producer sends synthetic events at a fixed rate, each stamped with the wall clock at
 * send as its event time; two consumers of the samples topic, one {@code read_uncommitted} (the
 * job's processing latency) and one {@code read_committed} (what an exactly-once consumer sees,
 * bounded by the checkpoint interval), record for each sample the wall clock when their poll
 * returned it minus its exposure time.
 *
 * <p>The load is half the job's maximum, measured in the same run with the same job options by a
 * bounded read of pre-produced events (as in {@link PipelineBenchmark}), unless a rate is given.
 * Each variant (the Flink defaults, and optionally extra Flink settings) runs once per repeat on
 * fresh topics.
 */
public final class LatencyBenchmark {

    /** Percentiles are nearest-rank over every measured sample of one run. */
    static final double[] PERCENTILES = {50, 99, 99.9};

    /**
     * Benchmark settings.
     *
     * @param rate events per second to send; 0 = half the maximum measured in each repeat
     * @param maxExposures synthetic exposures of the bounded maximum-rate run
     * @param warmup time after the first sample arrives before measuring starts
     * @param measure how long exposures are measured
     * @param tail how long events keep flowing after the measured ones (so the watermark passes
     *     them and a checkpoint commits them); at least the checkpoint interval plus slack
     * @param repeats runs of each variant
     * @param variants name to extra Flink settings; the first is the baseline row
     */
    public record Config(
            double rate,
            int maxExposures,
            Duration warmup,
            Duration measure,
            Duration tail,
            int repeats,
            Map<String, Map<String, String>> variants) {
        public Config {
            if (!(rate >= 0) || Double.isInfinite(rate)) {
                throw new IllegalArgumentException("rate must be >= 0 (0: half the maximum)");
            }
            if (repeats < 1 || variants.isEmpty()) {
                throw new IllegalArgumentException("need at least one repeat and one variant");
            }
            if (tail.compareTo(Duration.ofSeconds(12)) < 0) {
                throw new IllegalArgumentException(
                        "tail must be at least 12 s (checkpoint interval 10 s plus slack)");
            }
            variants = new LinkedHashMap<>(variants);
        }
    }

    /** One consumer's figures of one run, in milliseconds. */
    public record Run(
            String variant,
            String isolation,
            int repeat,
            double rate,
            long sent,
            int seen,
            long p50,
            long p99,
            long p999,
            long max) {}

    /** Everything measured. */
    public record Result(Config config, List<Double> maxRates, List<Run> runs) {

        /** Median and spread over the repeats of one variant, consumer and figure. */
        Stats stats(String variant, String isolation, java.util.function.ToDoubleFunction<Run> f) {
            return Stats.of(
                    runs.stream()
                            .filter(
                                    r ->
                                            r.variant().equals(variant)
                                                    && r.isolation().equals(isolation))
                            .mapToDouble(f)
                            .toArray());
        }
    }

    private static final String UNCOMMITTED = "read_uncommitted";
    private static final String COMMITTED = "read_committed";

    private LatencyBenchmark() {}

    /** Job options of the latency runs (on top of {@link PipelineBenchmark#jobOptions}). */
    static Map<String, String> latencyOptions() {
        return Map.of(
                "attribution.window", "0 ms",
                "watermark.out-of-orderness", "0 ms");
    }

    public static Result run(Path workDir, Config config, PrintWriter log) throws Exception {
        List<UserEvent> events =
                SyntheticEventGenerator.generate(
                        SyntheticEventGenerator.Config.defaults(13).withExposures(50_000));
        List<Double> maxRates = new ArrayList<>();
        List<Run> runs = new ArrayList<>();
        Path raw = workDir.resolve("latency-samples");
        Files.createDirectories(raw);
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(workDir.resolve("kafka"))) {
            String bootstrap = broker.bootstrapServers();
            int n = 0;
            if (config.rate() == 0) {
                // One unreported bounded run first, so the first repeat's maximum (and with it
                // its load) is not measured on a cold JVM.
                broker.createTopics(PipelineBenchmark.topics("maxwarm"));
                PipelineBenchmark.produce(
                        bootstrap,
                        "maxwarm-events",
                        SyntheticEventGenerator.generate(
                                SyntheticEventGenerator.Config.defaults(10)
                                        .withExposures(config.maxExposures())));
                PipelineBenchmark.weighting(bootstrap, workDir, "maxwarm", ++n, latencyOptions());
            }
            for (int r = 0; r < config.repeats(); r++) {
                double rate = config.rate();
                if (rate == 0) {
                    List<UserEvent> bounded =
                            SyntheticEventGenerator.generate(
                                    SyntheticEventGenerator.Config.defaults(11 + r)
                                            .withExposures(config.maxExposures()));
                    String run = "max" + r;
                    broker.createTopics(PipelineBenchmark.topics(run));
                    PipelineBenchmark.produce(bootstrap, run + "-events", bounded);
                    double seconds =
                            PipelineBenchmark.weighting(
                                    bootstrap, workDir, run, ++n, latencyOptions());
                    double max = bounded.size() / seconds;
                    maxRates.add(max);
                    rate = Math.floor(max / 2);
                    log.printf(
                            "repeat %d: maximum %,.0f events/s (bounded run of %,d events); load %,.0f events/s%n",
                            r + 1, max, bounded.size(), rate);
                    log.flush();
                }
                for (var variant : config.variants().entrySet()) {
                    String run = "lat" + r + "-" + runs.size() / 2;
                    broker.createTopics(PipelineBenchmark.topics(run));
                    List<Run> two =
                            once(
                                    bootstrap,
                                    workDir,
                                    run,
                                    ++n,
                                    variant.getKey(),
                                    variant.getValue(),
                                    r + 1,
                                    rate,
                                    events,
                                    config,
                                    raw,
                                    log);
                    runs.addAll(two);
                }
            }
        }
        return new Result(config, maxRates, runs);
    }

    /** One run of one variant: both consumers' figures. */
    private static List<Run> once(
            String bootstrap,
            Path workDir,
            String run,
            int n,
            String variant,
            Map<String, String> flinkExtra,
            int repeat,
            double rate,
            List<UserEvent> events,
            Config config,
            Path raw,
            PrintWriter log)
            throws Exception {
        Map<String, String> options = PipelineBenchmark.jobOptions(bootstrap, workDir, run, n);
        options.putAll(latencyOptions());
        options.put("kafka.bounded", "false");
        SampleWeightingSettings settings =
                SampleWeightingSettings.from(Configuration.fromMap(options));
        Configuration flink = PipelineBenchmark.flink(settings);
        flink.addAll(Configuration.fromMap(flinkExtra));
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(2, flink);
        new SampleWeightingJob(settings).buildWithKafka(env);

        Recorder uncommitted = new Recorder(bootstrap, settings.samplesTopic(), UNCOMMITTED);
        Recorder committed = new Recorder(bootstrap, settings.samplesTopic(), COMMITTED);
        uncommitted.start();
        committed.start();
        JobClient job = env.executeAsync("bench-latency-" + run);
        Sender sender = new Sender(bootstrap, settings.eventsTopic(), events, rate, run);
        sender.start();
        try {
            // Measuring starts a warm-up after the first sample comes out, so job start-up and
            // the backlog sent meanwhile never count.
            long deadline = System.currentTimeMillis() + Duration.ofMinutes(3).toMillis();
            while (uncommitted.firstSeenAt.get() == 0) {
                if (System.currentTimeMillis() > deadline || sender.failure != null) {
                    throw new IllegalStateException(
                            "no sample within 3 min of submitting the job", sender.failure);
                }
                Thread.sleep(50);
            }
            long from = uncommitted.firstSeenAt.get() + config.warmup().toMillis();
            long to = from + config.measure().toMillis();
            uncommitted.window(from, to);
            committed.window(from, to);
            Thread.sleep(Math.max(0, to + config.tail().toMillis() - System.currentTimeMillis()));
            sender.stop();
            if (sender.failure != null) {
                throw new IllegalStateException("sending events failed", sender.failure);
            }
            long sent = sender.exposuresBetween(from, to);
            List<Run> out = new ArrayList<>();
            for (Recorder rec : List.of(uncommitted, committed)) {
                rec.stop();
                Percentiles p = rec.latencies();
                if (p.count() == 0) {
                    throw new IllegalStateException(
                            "the " + rec.isolation + " consumer saw no measured sample");
                }
                rec.write(raw.resolve(run + "-" + rec.isolation + ".txt"));
                Run one =
                        new Run(
                                variant,
                                rec.isolation,
                                repeat,
                                rate,
                                sent,
                                p.count(),
                                p.percentile(50),
                                p.percentile(99),
                                p.percentile(99.9),
                                p.max());
                out.add(one);
                log.printf(
                        "repeat %d %-9s %-16s %,d/%,d samples  p50 %,d ms  p99 %,d ms  p99.9 %,d ms  max %,d ms%n",
                        repeat,
                        variant,
                        rec.isolation,
                        one.seen(),
                        sent,
                        one.p50(),
                        one.p99(),
                        one.p999(),
                        one.max());
                log.flush();
            }
            return out;
        } finally {
            sender.stop();
            uncommitted.stop();
            committed.stop();
            job.cancel().get(1, TimeUnit.MINUTES);
            // The next run starts only when this job's sinks have aborted their transactions and
            // its MiniCluster is gone, so nothing of it competes for the two cores.
            LocalPipeline.awaitJobEnd(job);
        }
    }

    /**
     * Sends events at a fixed rate, cycling through {@code events} with fresh event ids, each
     * stamped with the wall clock at send as event time and record timestamp.
     */
    private static final class Sender implements Runnable {
        private final String bootstrap;
        private final String topic;
        private final List<UserEvent> events;
        private final double rate;
        private final String runTag;
        private final AtomicBoolean stop = new AtomicBoolean();
        private final Thread thread = new Thread(this, "latency-sender");
        private long[] exposureTimes = new long[1 << 16];
        private int exposures;
        volatile Throwable failure;

        Sender(String bootstrap, String topic, List<UserEvent> events, double rate, String run) {
            this.bootstrap = bootstrap;
            this.topic = topic;
            this.events = events;
            this.rate = rate;
            this.runTag = run;
        }

        void start() {
            thread.start();
        }

        void stop() throws InterruptedException {
            stop.set(true);
            thread.join();
        }

        /** Exposures sent with an event time in {@code [from, to)}; call after {@link #stop}. */
        long exposuresBetween(long from, long to) {
            long count = 0;
            for (int i = 0; i < exposures; i++) {
                if (exposureTimes[i] >= from && exposureTimes[i] < to) {
                    count++;
                }
            }
            return count;
        }

        @Override
        public void run() {
            AvroCodec<UserEvent> codec = Topics.EVENTS.codec();
            try (KafkaProducer<byte[], byte[]> producer =
                    new KafkaProducer<>(
                            KafkaEventSink.producerConfig(bootstrap),
                            new ByteArraySerializer(),
                            new ByteArraySerializer())) {
                long start = System.nanoTime();
                long sent = 0;
                while (!stop.get()) {
                    long due = (long) ((System.nanoTime() - start) / 1e9 * rate);
                    while (sent < due) {
                        UserEvent template = events.get((int) (sent % events.size()));
                        long now = System.currentTimeMillis();
                        UserEvent e =
                                UserEvent.newBuilder(template)
                                        .setEventId(
                                                template.getEventId()
                                                        + "~"
                                                        + runTag
                                                        + "~"
                                                        + sent / events.size())
                                        .setEventTime(Instant.ofEpochMilli(now))
                                        .build();
                        producer.send(
                                new ProducerRecord<>(
                                        topic,
                                        null,
                                        now,
                                        e.getUserId().getBytes(),
                                        codec.encode(e)));
                        if (e.getType() == EventType.IMPRESSION) {
                            if (exposures == exposureTimes.length) {
                                exposureTimes = Arrays.copyOf(exposureTimes, exposures * 2);
                            }
                            exposureTimes[exposures++] = now;
                        }
                        sent++;
                    }
                    Thread.sleep(1);
                }
                producer.flush();
            } catch (Throwable t) {
                failure = t;
            }
        }
    }

    /**
     * Reads the samples topic from the beginning with one isolation level and records, for each
     * (non-correction) sample whose exposure lies in the measured window, the wall clock when the
     * poll returned it minus the exposure time.
     */
    private static final class Recorder implements Runnable {
        private final String bootstrap;
        private final String topic;
        final String isolation;
        private final AtomicBoolean stop = new AtomicBoolean();
        private final Thread thread;
        final AtomicLong firstSeenAt = new AtomicLong();
        private volatile long from = Long.MAX_VALUE;
        private volatile long to = Long.MIN_VALUE;
        private long[] latencies = new long[1 << 16];
        private int count;
        volatile Throwable failure;

        Recorder(String bootstrap, String topic, String isolation) {
            this.bootstrap = bootstrap;
            this.topic = topic;
            this.isolation = isolation;
            this.thread = new Thread(this, "latency-" + isolation);
        }

        void start() {
            thread.start();
        }

        void window(long from, long to) {
            this.from = from;
            this.to = to;
        }

        void stop() throws InterruptedException {
            stop.set(true);
            thread.join();
            if (failure != null) {
                throw new IllegalStateException(isolation + " consumer failed", failure);
            }
        }

        Percentiles latencies() {
            return Percentiles.of(latencies, count);
        }

        void write(Path file) throws IOException {
            StringBuilder b = new StringBuilder("# latency_ms\n");
            for (int i = 0; i < count; i++) {
                b.append(latencies[i]).append('\n');
            }
            Files.writeString(file, b);
        }

        @Override
        public void run() {
            AvroCodec<Sample> codec = Topics.WEIGHTED_SAMPLES.codec();
            try (KafkaConsumer<byte[], byte[]> c =
                    new KafkaConsumer<>(
                            Map.of(
                                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                    bootstrap,
                                    ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                                    isolation),
                            new ByteArrayDeserializer(),
                            new ByteArrayDeserializer())) {
                List<TopicPartition> parts =
                        c.partitionsFor(topic).stream()
                                .map(p -> new TopicPartition(topic, p.partition()))
                                .toList();
                c.assign(parts);
                c.seekToBeginning(parts);
                while (!stop.get()) {
                    var records = c.poll(Duration.ofMillis(100));
                    long now = System.currentTimeMillis();
                    for (var r : records) {
                        firstSeenAt.compareAndSet(0, now);
                        Sample s = codec.decode(r.value());
                        long exposure = s.getExposureTime().toEpochMilli();
                        if (s.getCorrection() || exposure < from || exposure >= to) {
                            continue;
                        }
                        if (count == latencies.length) {
                            latencies = Arrays.copyOf(latencies, count * 2);
                        }
                        latencies[count++] = now - exposure;
                    }
                }
            } catch (Throwable t) {
                failure = t;
            }
        }
    }

    /** Every run's figures as tab-separated text, one line per run and consumer. */
    public static String tsv(Result r) {
        StringBuilder b =
                new StringBuilder(
                        "variant\tconsumer\trepeat\trate_events_per_s\texposures_sent\tsamples_seen\tp50_ms\tp99_ms\tp99.9_ms\tmax_ms\n");
        for (Run run : r.runs()) {
            b.append(
                    String.format(
                            "%s\t%s\t%d\t%.0f\t%d\t%d\t%d\t%d\t%d\t%d%n",
                            run.variant(),
                            run.isolation(),
                            run.repeat(),
                            run.rate(),
                            run.sent(),
                            run.seen(),
                            run.p50(),
                            run.p99(),
                            run.p999(),
                            run.max()));
        }
        if (!r.maxRates().isEmpty()) {
            b.append("# maximum events/s per repeat: ").append(r.maxRates()).append('\n');
        }
        return b.toString();
    }

    /** Markdown for BENCHMARKS.md. */
    public static String markdown(Result r, String command, String machine) {
        Config c = r.config();
        StringBuilder b = new StringBuilder();
        b.append(
                r.maxRates().isEmpty()
                        ? String.format(
                                "## Weighting job latency at a fixed %,.0f events/s%n%n", c.rate())
                        : "## Weighting job latency at half its maximum load\n\n");
        b.append("Command: `").append(command).append("`  \n").append(machine).append("  \n");
        String load =
                r.maxRates().isEmpty()
                        ? String.format("a fixed %,.0f events/s (given)", c.rate())
                        : String.format(
                                "half the maximum measured in the same run: maximum %s events/s"
                                        + " (bounded run of %,d exposures after one unreported"
                                        + " warm-up run, same job options, timed as in `bench"
                                        + " pipeline`)",
                                Stats.of(r.maxRates().stream().mapToDouble(d -> d).toArray())
                                        .format("%,.0f"),
                                c.maxExposures());
        b.append(
                String.format(
                        "SampleWeightingJob on the embedded broker and a MiniCluster (parallelism 2,"
                                + " RocksDB, exactly-once sinks, checkpoints every 10 s), with"
                                + " `attribution.window` 0 and `watermark.out-of-orderness` 0 (so a"
                                + " sample is due as soon as the watermark passes its exposure;"
                                + " the job's default out-of-orderness of 5 s would add 5 s). Load:"
                                + " %s. Each event carries the wall clock at send as its event"
                                + " time; latency = wall clock when a consumer's poll returns the"
                                + " sample − its exposure time (producer linger 5 ms, broker, job"
                                + " and consumer poll included). Measured over %d s of exposures"
                                + " after %d s of warm-up from the first sample; nearest-rank"
                                + " percentiles per run; %d runs: median (min–max), in ms.%n%n",
                        load, c.measure().toSeconds(), c.warmup().toSeconds(), c.repeats()));
        b.append(
                "| Flink settings | consumer | samples seen per run | p50 | p99 (goal ≤ 300) | p99.9 |\n");
        b.append("|---|---|---|---|---|---|\n");
        for (var v : c.variants().entrySet()) {
            String name =
                    v.getValue().isEmpty()
                            ? "defaults"
                            : v.getValue().entrySet().stream()
                                    .map(e -> "`" + e.getKey() + "` " + e.getValue())
                                    .reduce((x, y) -> x + ", " + y)
                                    .orElse("");
            for (String iso : List.of(UNCOMMITTED, COMMITTED)) {
                b.append(
                        String.format(
                                "| %s | %s | %s | %s | %s | %s |%n",
                                name,
                                iso,
                                r.stats(v.getKey(), iso, Run::seen).format("%,.0f"),
                                r.stats(v.getKey(), iso, Run::p50).format("%,.0f"),
                                r.stats(v.getKey(), iso, Run::p99).format("%,.0f"),
                                r.stats(v.getKey(), iso, Run::p999).format("%,.0f")));
            }
        }
        b.append(
                "\nWithout `--rate`, each repeat measures its own maximum and runs at half of it;"
                        + " `latency.tsv` in"
                        + " the work folder has every run's rate, exposures sent, samples seen and"
                        + " percentiles (exposures of one user and item within the same"
                        + " millisecond merge into one sample, so a few fewer samples than"
                        + " exposures is expected).\n");
        b.append(
                "\nWhat bounds it: a sample leaves the attribution operator when the watermark"
                        + " passes its exposure, and sources emit watermarks every"
                        + " `pipeline.auto-watermark-interval` (Flink default 200 ms), so half of"
                        + " it is waited on average. The sample (and the watermark before it) then"
                        + " crosses six network exchanges (keyed by event id, user, item, category"
                        + " and class, then into the two-input stamping operator); at this load"
                        + " no network buffer fills, so each exchange ships after"
                        + " `execution.buffer-timeout.interval` (Flink default 100 ms). The job"
                        + " sets neither; the rows above name what was changed. A read_committed"
                        + " consumer sees a sample only when the checkpoint after it completes and"
                        + " the sinks commit their transactions: up to `job.checkpoint-interval`"
                        + " (10 s) plus the checkpoint's own duration, whatever the Flink"
                        + " settings.\n");
        return b.toString();
    }
}
