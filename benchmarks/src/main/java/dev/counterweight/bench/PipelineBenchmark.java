package dev.counterweight.bench;

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
 * Weighting-job throughput against its limit, on one real broker and one Flink MiniCluster in the
 * same run: (a) a pass-through job (Kafka to Kafka, the same decoding and validation, UserEvent
 * Avro out, exactly-once sink, same checkpoint interval and RocksDB backend) and (b) {@code
 * SampleWeightingJob}; both read the same pre-produced events in bounded mode, and the time is from
 * submission to the finished job (including its final checkpoint and commit). The raw Kafka
 * producer and consumer rates of the same events are the outer limit.
 */
public final class PipelineBenchmark {

    /** Everything measured, in events per second. */
    public record Result(
            int events,
            int repeats,
            Stats produce,
            Stats consume,
            Stats passThrough,
            Stats weighting,
            Stats ratio) {}

    private PipelineBenchmark() {}

    public static Result run(Path workDir, int exposures, int repeats, PrintWriter log)
            throws Exception {
        List<UserEvent> events =
                SyntheticEventGenerator.generate(
                        SyntheticEventGenerator.Config.defaults(11).withExposures(exposures));
        double[] produce = new double[repeats];
        double[] consume = new double[repeats];
        double[] pass = new double[repeats];
        double[] weighting = new double[repeats];
        double[] ratio = new double[repeats];
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(workDir.resolve("kafka"))) {
            String bootstrap = broker.bootstrapServers();
            // One warm-up round of each job, not reported.
            String warm = "warm";
            broker.createTopics(topics(warm));
            produce(bootstrap, warm + "-events", events);
            passThrough(bootstrap, workDir, warm, 0);
            weighting(bootstrap, workDir, warm, 0);
            for (int r = 0; r < repeats; r++) {
                String run = "r" + r;
                broker.createTopics(topics(run));
                produce[r] = events.size() / produce(bootstrap, run + "-events", events);
                consume[r] = events.size() / consume(bootstrap, run + "-events", events.size());
                if (r % 2 == 0) {
                    pass[r] = events.size() / passThrough(bootstrap, workDir, run, r + 1);
                    weighting[r] = events.size() / weighting(bootstrap, workDir, run, r + 1);
                } else {
                    weighting[r] = events.size() / weighting(bootstrap, workDir, run, r + 1);
                    pass[r] = events.size() / passThrough(bootstrap, workDir, run, r + 1);
                }
                ratio[r] = weighting[r] / pass[r];
                log.printf(
                        "run %d: produce %,.0f/s consume %,.0f/s pass-through job %,.0f/s weighting job %,.0f/s ratio %.2f%n",
                        r + 1, produce[r], consume[r], pass[r], weighting[r], ratio[r]);
                log.flush();
            }
        }
        return new Result(
                events.size(),
                repeats,
                Stats.of(produce),
                Stats.of(consume),
                Stats.of(pass),
                Stats.of(weighting),
                Stats.of(ratio));
    }

    /** The topics of one run, named {@code <run>-<topic>}. */
    static List<NewTopic> topics(String run) {
        List<NewTopic> out = new ArrayList<>();
        for (String t :
                List.of(
                        "events",
                        "passthrough-out",
                        "weighted-samples",
                        "class-weights",
                        "events-dlq")) {
            NewTopic topic =
                    new NewTopic(
                            run + "-" + t,
                            t.equals("class-weights") || t.equals("events-dlq") ? 1 : 2,
                            (short) 1);
            if (t.equals("passthrough-out") || t.equals("weighted-samples")) {
                // The broker stamps each record with its append time: the benchmark reads the
                // time the last output was written, independent of when the job finishes.
                topic.configs(Map.of("message.timestamp.type", "LogAppendTime"));
            }
            out.add(topic);
        }
        return out;
    }

    /** Weighting-job options of one run: its topics, RocksDB, checkpoints every 10 s, bounded. */
    static Map<String, String> jobOptions(String bootstrap, Path workDir, String run, int n) {
        Map<String, String> m = new HashMap<>();
        m.put("kafka.bootstrap-servers", bootstrap);
        m.put("kafka.events-topic", run + "-events");
        m.put("kafka.samples-topic", run + "-weighted-samples");
        m.put("kafka.weights-topic", run + "-class-weights");
        m.put("kafka.dlq-topic", run + "-events-dlq");
        m.put("kafka.bounded", "true");
        m.put("kafka.group-id", "bench-" + run + "-" + n);
        m.put("kafka.transactional-id-prefix", "bench-" + run + "-" + n);
        m.put("job.checkpoint-interval", "10 s");
        m.put("job.checkpoint-dir", workDir.resolve("checkpoints").toUri().toString());
        m.put("job.restart-attempts", "0");
        m.put("job.parallelism", "2");
        return m;
    }

    /** MiniCluster configuration: everything on 127.0.0.1, the job's own Flink settings. */
    static Configuration flink(SampleWeightingSettings settings) {
        Configuration base = LoopbackFlink.configuration();
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

    /** Seconds for the weighting job to process everything (see {@link #timed}). */
    static double weighting(String bootstrap, Path workDir, String run, int n) throws Exception {
        return weighting(bootstrap, workDir, run, n, Map.of());
    }

    /** {@link #weighting} with job options that override the benchmark's. */
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

    /** Seconds for the pass-through job to copy everything (see {@link #timed}). */
    static double passThrough(String bootstrap, Path workDir, String run, int n) throws Exception {
        SampleWeightingSettings settings =
                SampleWeightingSettings.from(
                        Configuration.fromMap(jobOptions(bootstrap, workDir, run, n)));
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
        return timed(env, "bench-pass-through-" + run, bootstrap, run + "-passthrough-out");
    }

    /**
     * Runs the job and returns the seconds from the moment it reports RUNNING to the broker's
     * append time of its last output record. A bounded job with an exactly-once sink finishes only
     * at the next periodic checkpoint after its input ends, so "until finished" would round every
     * run up to the checkpoint interval and measure the checkpoint timer, not the job.
     */
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
        return String.format(
                "## Weighting job throughput vs a pass-through job%n%n"
                        + "Command: `%s`  %n%s  %n"
                        + "%,d synthetic events (Zipf categories, clicks, delayed purchases), 2 partitions, parallelism 2,"
                        + " RocksDB, exactly-once sinks, checkpoints every 10 s, bounded read of pre-produced events;"
                        + " time from the job reporting RUNNING to the broker's append time of its last"
                        + " output record (task start-up included, the wait for the final checkpoint"
                        + " excluded);"
                        + " one warm-up round of each job first; %d runs: median (min–max).%n%n"
                        + "| what | events/s |%n|---|---|%n"
                        + "| raw Kafka producer (Avro encode, idempotent, acks=all) | %s |%n"
                        + "| raw Kafka consumer (read_committed, Avro decode) | %s |%n"
                        + "| (a) pass-through Flink job | %s |%n"
                        + "| (b) SampleWeightingJob | %s |%n"
                        + "| **ratio b/a** (goal ≥ 0.6) | %s |%n",
                command,
                machine,
                r.events(),
                r.repeats(),
                r.produce().format("%,.0f"),
                r.consume().format("%,.0f"),
                r.passThrough().format("%,.0f"),
                r.weighting().format("%,.0f"),
                r.ratio().format("%.2f"));
    }
}
