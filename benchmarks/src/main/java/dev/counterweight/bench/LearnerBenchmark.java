package dev.counterweight.bench;

import dev.counterweight.avro.ModelSnapshot;
import dev.counterweight.avro.Sample;
import dev.counterweight.connectors.avro.AvroCodec;
import dev.counterweight.connectors.kafka.Topics;
import dev.counterweight.learner.model.Batch;
import dev.counterweight.learner.model.Dl4jRankingModel;
import dev.counterweight.learner.model.RankingModel;
import dev.counterweight.learner.service.LearnerSettings;
import dev.counterweight.learner.service.OnlineLearner;
import dev.counterweight.learner.service.SampleEncoder;
import dev.counterweight.learner.snapshot.SnapshotStore;
import dev.counterweight.testing.EmbeddedKafkaBroker;
import dev.counterweight.testing.SyntheticSamples;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Learner throughput: the full service (Kafka consumer, Avro decoding, batching, progressive
 * evaluation, training) against a bare loop of {@link RankingModel#train} over the same samples
 * encoded into batches beforehand, in the same run, per batch size; plus snapshot write (with
 * checksum and fsync) and load time and size. The model is the learner's default configuration.
 */
public final class LearnerBenchmark {

    /** One batch size's figures. */
    public record Row(int batchSize, Stats service, Stats bare, Stats ratio) {}

    /** Everything measured. */
    public record Result(
            int samples,
            int repeats,
            List<Row> rows,
            Stats writeMs,
            Stats loadMs,
            long sizeBytes) {}

    private LearnerBenchmark() {}

    public static Result run(
            Path workDir, int samples, int[] batchSizes, int repeats, PrintWriter log)
            throws Exception {
        List<Sample> data = SyntheticSamples.learnable(samples, 7);
        List<Row> rows = new ArrayList<>();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(workDir.resolve("kafka"))) {
            broker.createTopics(
                    List.of(
                            new NewTopic("bench-samples", 1, (short) 1),
                            new NewTopic(Topics.MODEL_SNAPSHOTS.name(), 1, (short) 1),
                            new NewTopic(Topics.CLASS_LOSS.name(), 1, (short) 1),
                            new NewTopic(Topics.LEARNER_DLQ.name(), 1, (short) 1)));
            produce(broker.bootstrapServers(), data);
            // One warm-up round of each side (JIT, native libraries), not reported.
            bare(data, batchSizes[0]);
            service(broker.bootstrapServers(), workDir, batchSizes[0], -1);
            for (int batch : batchSizes) {
                double[] service = new double[repeats];
                double[] bare = new double[repeats];
                double[] ratio = new double[repeats];
                for (int r = 0; r < repeats; r++) {
                    // Alternate the order so neither side always runs on a warmer JVM.
                    if (r % 2 == 0) {
                        bare[r] = bare(data, batch);
                        service[r] = service(broker.bootstrapServers(), workDir, batch, r);
                    } else {
                        service[r] = service(broker.bootstrapServers(), workDir, batch, r);
                        bare[r] = bare(data, batch);
                    }
                    ratio[r] = service[r] / bare[r];
                    log.printf(
                            "batch %5d run %d: service %,8.0f samples/s, bare fit %,8.0f samples/s, ratio %.3f%n",
                            batch, r + 1, service[r], bare[r], ratio[r]);
                    log.flush();
                }
                rows.add(new Row(batch, Stats.of(service), Stats.of(bare), Stats.of(ratio)));
            }
        }
        double[] write = new double[repeats];
        double[] load = new double[repeats];
        long size = 0;
        LearnerSettings defaults = settings("unused", workDir, 1024, 0);
        RankingModel model = Dl4jRankingModel.create(defaults.model());
        model.train(new SampleEncoder(defaults.model()).encode(data.subList(0, 1024)));
        for (int r = 0; r < repeats; r++) {
            SnapshotStore store = new SnapshotStore(workDir.resolve("snap-" + r), "bench", 2);
            long t0 = System.nanoTime();
            ModelSnapshot m = store.write(manifest(r + 1), model::save);
            write[r] = (System.nanoTime() - t0) / 1e6;
            long t1 = System.nanoTime();
            RankingModel.load(SnapshotStore.verify(m));
            load[r] = (System.nanoTime() - t1) / 1e6;
            size = m.getSizeBytes();
        }
        return new Result(samples, repeats, rows, Stats.of(write), Stats.of(load), size);
    }

    private static double bare(List<Sample> data, int batchSize) {
        LearnerSettings s = settings("unused", Path.of("."), batchSize, 0);
        SampleEncoder encoder = new SampleEncoder(s.model());
        List<Batch> batches = new ArrayList<>();
        for (int i = 0; i + batchSize <= data.size(); i += batchSize) {
            batches.add(encoder.encode(data.subList(i, i + batchSize)));
        }
        RankingModel model = Dl4jRankingModel.create(s.model());
        long t0 = System.nanoTime();
        for (Batch b : batches) {
            model.train(b);
        }
        return batches.size() * (double) batchSize / ((System.nanoTime() - t0) / 1e9);
    }

    private static double service(String bootstrap, Path workDir, int batchSize, int run)
            throws Exception {
        Path dir = workDir.resolve("service-" + batchSize + "-" + run);
        OnlineLearner learner = new OnlineLearner(settings(bootstrap, dir, batchSize, 1));
        OnlineLearner.Status status = learner.run();
        return status.samplesTrained() / (status.trainingNanos() / 1e9);
    }

    private static LearnerSettings settings(
            String bootstrap, Path dir, int batchSize, int maxIdleSeconds) {
        Map<String, String> m = new HashMap<>();
        m.put("learner.bootstrap-servers", bootstrap);
        m.put("learner.samples-topic", "bench-samples");
        m.put("learner.snapshot-dir", dir.toString());
        m.put("learner.batch-size", String.valueOf(batchSize));
        m.put("learner.batch-timeout", "0 s");
        m.put("learner.snapshot-every-samples", String.valueOf(Long.MAX_VALUE / 2));
        m.put("learner.snapshot-interval", "0 s");
        m.put("learner.class-loss-every-batches", "0");
        m.put("learner.max-idle", maxIdleSeconds + " s");
        return LearnerSettings.from(Configuration.fromMap(m));
    }

    private static void produce(String bootstrap, List<Sample> data) throws Exception {
        AvroCodec<Sample> codec = Topics.WEIGHTED_SAMPLES.codec();
        try (KafkaProducer<byte[], byte[]> p =
                new KafkaProducer<>(
                        Map.of(
                                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                bootstrap,
                                ProducerConfig.LINGER_MS_CONFIG,
                                20),
                        new ByteArraySerializer(),
                        new ByteArraySerializer())) {
            for (Sample s : data) {
                p.send(
                        new ProducerRecord<>(
                                "bench-samples", s.getUserId().getBytes(), codec.encode(s)));
            }
        }
    }

    private static ModelSnapshot manifest(long version) {
        return ModelSnapshot.newBuilder()
                .setModelName("bench")
                .setVersion(version)
                .setParentVersion(null)
                .setUri("")
                .setSha256("")
                .setCreatedAt(Instant.now())
                .setSamplesTrained(0)
                .setConsumerOffsets(List.of())
                .setMetrics(Map.of())
                .setFeatureSchemaFingerprint("bench")
                .build();
    }

    /** Markdown for BENCHMARKS.md. */
    public static String markdown(Result r, String command, String machine) {
        StringBuilder b = new StringBuilder();
        b.append("## Learner throughput (issue: learner samples/s, service vs bare fit)\n\n");
        b.append("Command: `").append(command).append("`  \n");
        b.append(machine).append("  \n");
        b.append(
                String.format(
                        "%,d synthetic samples (`SyntheticSamples.learnable`), default model options,"
                                + " %d runs per figure: median (min–max).%n%n",
                        r.samples(), r.repeats()));
        b.append(
                "| batch | service samples/s | bare `train` loop samples/s | service / bare (goal ≥ 0.85) |\n");
        b.append("|---|---|---|---|\n");
        for (Row row : r.rows()) {
            b.append("| ")
                    .append(row.batchSize())
                    .append(" | ")
                    .append(row.service().format("%,.0f"))
                    .append(" | ")
                    .append(row.bare().format("%,.0f"))
                    .append(" | ")
                    .append(row.ratio().format("%.2f"))
                    .append(" |\n");
        }
        b.append(
                String.format(
                        "%nSnapshot (model + Adam state, sha256, fsync, atomic rename): %.1f MB,"
                                + " write %s ms, verify + load %s ms.%n",
                        r.sizeBytes() / 1e6,
                        r.writeMs().format("%.0f"),
                        r.loadMs().format("%.0f")));
        b.append(
                "\nThe service figure covers Kafka polling, Avro decoding, batching, scoring every"
                        + " batch before training (progressive evaluation, 4 sliding windows) and"
                        + " the training step; the bare loop only the training step on pre-built"
                        + " batches.\n");
        return b.toString();
    }
}
