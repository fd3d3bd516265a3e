package dev.counterweight.jobs.weighting;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.counterweight.avro.DeadLetter;
import dev.counterweight.avro.Sample;
import dev.counterweight.avro.UserEvent;
import dev.counterweight.connectors.avro.AvroCodec;
import dev.counterweight.connectors.ingest.IngestRejections;
import dev.counterweight.connectors.kafka.KafkaTestUtils;
import dev.counterweight.connectors.kafka.Topics;
import dev.counterweight.testing.EmbeddedKafkaBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole job on a MiniCluster (RocksDB, exactly-once) against a real broker, reading a shop's
 * JSON topic through a mapping: the same events {@link SampleWeightingJobITCase} sends in today's
 * format, written as a shop would (own field names, own event-type words, epoch seconds as
 * decimals), must give exactly the samples of the same brute-force reference; bad mapped records go
 * to the dead-letter topic with their code and offset.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class JsonEventsITCase {

    static final String TOPIC = "shop-clicks";

    @TempDir static Path dir;
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.start(dir.resolve("kafka"));
        List<NewTopic> topics = new ArrayList<>();
        Topics.specs(2).forEach(t -> topics.add(t.toNewTopic((short) 1)));
        topics.add(new NewTopic(TOPIC, 2, (short) 1));
        broker.createTopics(topics);
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void jsonThroughAMappingGivesTheReferenceSamples() throws Exception {
        List<UserEvent> events = SampleWeightingJobITCase.uniquePairEvents();
        Map<Long, String> badCodes = new HashMap<>();
        produce(events, badCodes);
        Path mapping = dir.resolve("shop.properties");
        Files.writeString(
                mapping,
                String.join(
                        "\n",
                        "field.event-id = id",
                        "field.user = visitor",
                        "field.item = product.sku",
                        "field.category = product.category",
                        "field.time = at",
                        "time.format = epoch-seconds",
                        "field.type = action",
                        "type.impression = view",
                        "type.click = click",
                        "type.cart = add_to_cart",
                        "type.favourite = wishlist",
                        "type.purchase = order",
                        "type.unknown = dead-letter",
                        "field.request = req",
                        "field.position = slot",
                        "field.price = price",
                        "field.features = f",
                        ""));

        Configuration config = new Configuration();
        config.setString("kafka.bootstrap-servers", broker.bootstrapServers());
        config.setString("kafka.events-topic", TOPIC);
        config.setString("events.format", "json");
        config.setString("events.mapping", mapping.toString());
        config.setString("kafka.bounded", "true");
        config.setString("attribution.window", SampleWeightingJobITCase.WINDOW + " ms");
        config.setString(
                "attribution.correction-horizon", SampleWeightingJobITCase.HORIZON + " ms");
        config.setString("weights.half-life", SampleWeightingJobITCase.HALF_LIFE + " ms");
        config.setString("weights.update-interval", SampleWeightingJobITCase.INTERVAL + " ms");
        config.setString("weights.strategy", "INVERSE");
        config.setString("classes.key", "CATEGORY_LABEL");
        config.setString("job.checkpoint-interval", "1 s");
        config.setString("job.checkpoint-dir", dir.resolve("checkpoints").toUri().toString());
        config.setString("job.restart-attempts", "0");
        SampleWeightingSettings settings = SampleWeightingSettings.from(config);
        SampleWeightingJob.preflight(settings);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(
                        2,
                        SampleWeightingJob.flinkConfiguration(
                                settings, SampleWeightingJobITCase.loopback()));
        new SampleWeightingJob(settings).buildWithKafka(env);
        env.execute("json-events-itcase");

        Map<String, boolean[]> expected = SampleWeightingJobITCase.referenceSamples(events);
        Map<String, Sample> byId = new HashMap<>();
        for (Sample s : read(Topics.WEIGHTED_SAMPLES.name(), Sample.class)) {
            assertThat(byId.put(s.getSampleId(), s)).as("duplicate %s", s.getSampleId()).isNull();
            assertThat(s.getSourceOffsets()).allMatch(o -> o.getTopic().equals(TOPIC));
        }
        assertThat(byId.keySet()).isEqualTo(expected.keySet());
        assertThat(SampleWeightingJobITCase.assertLabelsAsReference(expected, byId)).isPositive();

        List<DeadLetter> dead = read(Topics.EVENTS_DLQ.name(), DeadLetter.class);
        Map<Long, String> codes = new HashMap<>();
        for (DeadLetter d : dead) {
            assertThat(d.getTopic()).isEqualTo(TOPIC);
            codes.put(d.getPartition() * 1_000_000L + d.getOffset(), d.getReasonCode());
        }
        assertThat(codes).isEqualTo(badCodes);
    }

    private static void produce(List<UserEvent> events, Map<Long, String> badCodes)
            throws Exception {
        ObjectMapper json = new ObjectMapper();
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(
                        Map.of(
                                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                broker.bootstrapServers(),
                                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                                true),
                        new ByteArraySerializer(),
                        new ByteArraySerializer())) {
            for (int i = 0; i < events.size(); i++) {
                UserEvent e = events.get(i);
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("id", e.getEventId());
                r.put("visitor", e.getUserId());
                r.put("product", Map.of("sku", e.getItemId(), "category", e.getCategoryId()));
                r.put(
                        "at",
                        new java.math.BigDecimal(e.getEventTime().toEpochMilli()).movePointLeft(3));
                r.put("action", word(e));
                r.put("req", e.getRequestId());
                r.put("slot", e.getPosition());
                r.put("price", e.getPrice());
                r.put("f", e.getFeatures());
                r.put("campaign", "spring");
                producer.send(
                        new ProducerRecord<>(
                                TOPIC,
                                null,
                                e.getEventTime().toEpochMilli(),
                                e.getUserId().getBytes(StandardCharsets.UTF_8),
                                json.writeValueAsBytes(r)));
                if (i % 500 == 250) {
                    long t = e.getEventTime().toEpochMilli();
                    bad(
                            producer,
                            t,
                            "{\"id\":\"b"
                                    + i
                                    + "\",\"product\":{\"sku\":\"x\","
                                    + "\"category\":\"c\"},\"at\":1,\"action\":\"view\"}",
                            IngestRejections.MISSING_ID,
                            badCodes);
                    bad(
                            producer,
                            t,
                            "{\"id\":\"b"
                                    + i
                                    + "\",\"visitor\":\"v\",\"product\":"
                                    + "{\"sku\":\"x\",\"category\":\"c\"},\"at\":\"noon\","
                                    + "\"action\":\"view\"}",
                            IngestRejections.BAD_TIMESTAMP,
                            badCodes);
                    bad(
                            producer,
                            t,
                            "{\"id\":\"b"
                                    + i
                                    + "\",\"visitor\":\"v\",\"product\":"
                                    + "{\"sku\":\"x\",\"category\":\"c\"},\"at\":1700000000,"
                                    + "\"action\":\"search\"}",
                            IngestRejections.UNKNOWN_EVENT_TYPE,
                            badCodes);
                }
            }
        }
    }

    private static void bad(
            KafkaProducer<byte[], byte[]> producer,
            long t,
            String value,
            String code,
            Map<Long, String> codes)
            throws Exception {
        RecordMetadata m =
                producer.send(
                                new ProducerRecord<>(
                                        TOPIC,
                                        (int) (codes.size() % 2),
                                        t,
                                        null,
                                        value.getBytes(StandardCharsets.UTF_8)))
                        .get();
        codes.put(m.partition() * 1_000_000L + m.offset(), code);
    }

    private static String word(UserEvent e) {
        return switch (e.getType()) {
            case IMPRESSION -> "view";
            case CLICK -> "click";
            case CART -> "add_to_cart";
            case FAV -> "wishlist";
            case PURCHASE -> "order";
        };
    }

    private static <T extends org.apache.avro.specific.SpecificRecordBase> List<T> read(
            String topic, Class<T> type) throws Exception {
        AvroCodec<T> codec = AvroCodec.of(type);
        List<T> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r :
                KafkaTestUtils.readAllCommitted(
                        broker.bootstrapServers(), topic, Duration.ofSeconds(60))) {
            out.add(codec.decode(r.value()));
        }
        return out;
    }
}
