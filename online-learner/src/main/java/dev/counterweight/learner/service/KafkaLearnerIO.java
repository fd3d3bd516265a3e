package dev.counterweight.learner.service;

import dev.counterweight.avro.ClassLoss;
import dev.counterweight.avro.DeadLetter;
import dev.counterweight.avro.ModelSnapshot;
import dev.counterweight.connectors.avro.AvroCodec;
import dev.counterweight.connectors.kafka.KafkaPreflight;
import dev.counterweight.connectors.kafka.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The learner's Kafka adapter: one consumer reading the samples topic ({@code read_committed},
 * assigned partitions, no group management, offsets committed for monitoring only) and one
 * idempotent producer ({@code acks=all}) for snapshot announcements, class loss and dead letters.
 * {@link #open()} checks that the broker answers and all four topics exist, naming the option
 * otherwise. Not thread-safe: the learner's loop is its only user.
 */
public final class KafkaLearnerIO
        implements SampleSource, SnapshotPublisher, ClassLossPublisher, DeadLetterPublisher {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaLearnerIO.class);

    private final LearnerSettings settings;
    private final AvroCodec<ModelSnapshot> snapshotCodec = Topics.MODEL_SNAPSHOTS.codec();
    private final AvroCodec<ClassLoss> classLossCodec = Topics.CLASS_LOSS.codec();
    private final AvroCodec<DeadLetter> deadLetterCodec = Topics.LEARNER_DLQ.codec();
    private final AtomicLong deadLettersLost = new AtomicLong();
    private final byte[] modelKey;
    private KafkaConsumer<byte[], byte[]> consumer;
    private KafkaProducer<byte[], byte[]> producer;
    private List<TopicPartition> partitions = List.of();

    public KafkaLearnerIO(LearnerSettings settings) {
        this.settings = settings;
        this.modelKey = settings.modelName().getBytes(StandardCharsets.UTF_8);
    }

    /** The production ports: this adapter, the system clock and the Deeplearning4j model. */
    public static LearnerPorts ports(LearnerSettings settings) {
        KafkaLearnerIO kafka = new KafkaLearnerIO(settings);
        return new LearnerPorts(
                kafka, kafka, kafka, kafka, LearnerClock.SYSTEM, new Dl4jModelFactory(settings));
    }

    @Override
    public void open() {
        KafkaPreflight.requireTopics(
                settings.bootstrapServers(),
                LearnerOptions.BOOTSTRAP_SERVERS.key(),
                topics(),
                settings.kafkaProperties(),
                Duration.ofSeconds(30));
        consumer = consumer();
        producer = producer();
        List<TopicPartition> out = new ArrayList<>();
        for (PartitionInfo p :
                consumer.partitionsFor(settings.samplesTopic(), Duration.ofSeconds(30))) {
            out.add(new TopicPartition(p.topic(), p.partition()));
        }
        out.sort(Comparator.comparingInt(TopicPartition::partition));
        partitions = List.copyOf(out);
        consumer.assign(partitions);
    }

    @Override
    public void seek(Map<Integer, Long> nextOffsets) {
        for (TopicPartition tp : partitions) {
            Long next = nextOffsets.get(tp.partition());
            if (next == null) {
                consumer.seekToBeginning(List.of(tp));
            } else {
                consumer.seek(tp, next);
            }
        }
    }

    @Override
    public List<Record> poll(Duration timeout) {
        var records = consumer.poll(timeout);
        List<Record> out = new ArrayList<>(records.count());
        for (ConsumerRecord<byte[], byte[]> r : records) {
            out.add(
                    new Record(
                            r.topic(),
                            r.partition(),
                            r.offset(),
                            r.timestamp(),
                            r.key(),
                            r.value()));
        }
        return out;
    }

    @Override
    public void committed(Map<Integer, Long> nextOffsets) {
        try {
            Map<TopicPartition, OffsetAndMetadata> commits = new HashMap<>();
            nextOffsets.forEach(
                    (p, o) ->
                            commits.put(
                                    new TopicPartition(settings.samplesTopic(), p),
                                    new OffsetAndMetadata(o)));
            consumer.commitAsync(commits, null);
        } catch (RuntimeException e) {
            LOG.debug("offset commit for monitoring failed: {}", e.toString());
        }
    }

    @Override
    public void announce(ModelSnapshot snapshot) throws Exception {
        producer.send(
                        new ProducerRecord<>(
                                settings.snapshotsTopic(),
                                modelKey,
                                snapshotCodec.encode(snapshot)))
                .get(60, TimeUnit.SECONDS);
    }

    @Override
    public void publish(ClassLoss loss) {
        producer.send(
                new ProducerRecord<>(
                        settings.classLossTopic(), modelKey, classLossCodec.encode(loss)),
                (m, e) -> {
                    if (e != null) {
                        LOG.warn("could not publish class loss: {}", e.toString());
                    }
                });
    }

    @Override
    public void send(DeadLetter letter) {
        String where = letter.getTopic() + "-" + letter.getPartition() + "@" + letter.getOffset();
        producer.send(
                new ProducerRecord<>(
                        settings.dlqTopic(),
                        where.getBytes(StandardCharsets.UTF_8),
                        deadLetterCodec.encode(letter)),
                (m, e) -> {
                    if (e != null && deadLettersLost.incrementAndGet() <= 10) {
                        LOG.error(
                                "could not dead-letter {} ({}): {}",
                                where,
                                letter.getReasonCode(),
                                e.toString());
                    }
                });
    }

    @Override
    public void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        try {
            if (consumer != null) {
                consumer.close();
            }
        } finally {
            if (producer != null) {
                producer.close();
            }
        }
    }

    private Map<String, String> topics() {
        Map<String, String> t = new LinkedHashMap<>();
        t.put(settings.samplesTopic(), LearnerOptions.SAMPLES_TOPIC.key());
        t.put(settings.snapshotsTopic(), LearnerOptions.SNAPSHOTS_TOPIC.key());
        t.put(settings.classLossTopic(), LearnerOptions.CLASS_LOSS_TOPIC.key());
        t.put(settings.dlqTopic(), LearnerOptions.DLQ_TOPIC.key());
        return t;
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        // Pass-through settings first, so the learner's own below win on a clash.
        Map<String, Object> c = new HashMap<>(settings.kafkaProperties());
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "counterweight-learner-" + settings.modelName());
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Math.max(500, settings.batchSize()));
        return new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private KafkaProducer<byte[], byte[]> producer() {
        Map<String, Object> c = new HashMap<>(settings.kafkaProperties());
        c.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        c.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(c, new ByteArraySerializer(), new ByteArraySerializer());
    }
}
