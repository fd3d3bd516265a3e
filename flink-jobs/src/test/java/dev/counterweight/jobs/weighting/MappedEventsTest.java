package dev.counterweight.jobs.weighting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.counterweight.avro.EventType;
import dev.counterweight.connectors.ingest.ConfluentWireFormat;
import dev.counterweight.connectors.ingest.EventsFormat;
import dev.counterweight.connectors.ingest.IngestRejections;
import dev.counterweight.connectors.ingest.TestingSchemaRegistry;
import dev.counterweight.jobs.weighting.internal.IngestedEvent;
import dev.counterweight.jobs.weighting.io.IngestedEventDeserializer;
import dev.counterweight.jobs.weighting.io.MappedEventDeserializer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The events.* and registry.* options, and the mapped deserializer on real record bytes. */
class MappedEventsTest {

    static final String MAPPING =
            "field.event-id = id\n"
                    + "field.user = user_id\n"
                    + "field.item = sku\n"
                    + "field.category = cat\n"
                    + "field.time = ts\n"
                    + "time.format = epoch-seconds\n"
                    + "field.type = action\n"
                    + "type.impression = view\n"
                    + "type.click = click\n"
                    + "type.purchase = order\n"
                    + "type.unknown = dead-letter\n";

    @TempDir Path dir;

    Configuration config(String format, String mapping) throws Exception {
        Configuration c = new Configuration();
        c.setString("kafka.bootstrap-servers", "127.0.0.1:9");
        c.setString("events.format", format);
        if (mapping != null) {
            Path file = dir.resolve("mapping.properties");
            Files.writeString(file, mapping);
            c.setString("events.mapping", file.toString());
        }
        return c;
    }

    @Test
    void defaultIsTodaysFormat() throws Exception {
        Configuration c = new Configuration();
        c.setString("kafka.bootstrap-servers", "127.0.0.1:9");
        SampleWeightingSettings s = SampleWeightingSettings.from(c);
        assertThat(s.ingest()).isEqualTo(IngestSettings.OWN_EVENTS);
        assertThat(s.ingest().deserializer(new EventValidator(s.limits())))
                .isInstanceOf(IngestedEventDeserializer.class);
    }

    @Test
    void optionsFailNamingTheKey() throws Exception {
        assertThatThrownBy(() -> SampleWeightingSettings.from(config("xml", null)))
                .hasMessageContaining("'events.format'")
                .hasMessageContaining("avro-single-object, avro-registry, json");
        assertThatThrownBy(() -> SampleWeightingSettings.from(config("json", null)))
                .hasMessageContaining("'events.mapping'");
        assertThatThrownBy(
                        () -> SampleWeightingSettings.from(config("avro-single-object", MAPPING)))
                .hasMessageContaining("'events.mapping'");
        assertThatThrownBy(() -> SampleWeightingSettings.from(config("avro-registry", MAPPING)))
                .hasMessageContaining("'registry.url'");
        assertThatThrownBy(
                        () ->
                                SampleWeightingSettings.from(
                                        config("json", MAPPING + "fied.price=p\n")))
                .hasMessageContaining("'events.mapping'")
                .hasMessageContaining("nearest known key: 'field.price'");
        Configuration typo = config("json", MAPPING);
        typo.setString("registry.urll", "http://x");
        assertThatThrownBy(() -> SampleWeightingSettings.from(typo))
                .hasMessageContaining("nearest known option: 'registry.url'");
        Configuration registry = config("avro-registry", MAPPING);
        registry.setString("registry.url", "http://127.0.0.1:1");
        registry.setString("registry.basic-auth.user-info", "shop:s3cret");
        SampleWeightingSettings s = SampleWeightingSettings.from(registry);
        assertThat(s.ingest().format()).isEqualTo(EventsFormat.AVRO_REGISTRY);
        assertThat(s.toString()).doesNotContain("s3cret");
    }

    @Test
    void jsonRecordsBecomeEventsOrDeadLettersWithTheirOffset() throws Exception {
        SampleWeightingSettings s = SampleWeightingSettings.from(config("JSON", MAPPING));
        KafkaRecordDeserializationSchema<IngestedEvent> d =
                s.ingest().deserializer(new EventValidator(s.limits()));
        assertThat(d).isInstanceOf(MappedEventDeserializer.class);
        String ok = "\"id\":\"e1\",\"sku\":\"i\",\"cat\":\"c\",\"action\":\"view\"";
        List<IngestedEvent> out = new ArrayList<>();
        long ts = 1_700_000_000_000L;
        run(d, 0, ts, "{" + ok + ",\"user_id\":\"u\",\"ts\":1700000000}", out);
        run(d, 1, ts, "{" + ok + ",\"ts\":1700000000}", out);
        run(d, 2, ts, "{" + ok + ",\"user_id\":\"u\",\"ts\":\"noon\"}", out);
        run(
                d,
                3,
                ts,
                "{\"id\":\"e\",\"user_id\":\"u\",\"sku\":\"i\",\"cat\":\"c\","
                        + "\"ts\":1700000000,\"action\":\"search\"}",
                out);
        run(d, 4, ts, "not json", out);
        run(d, 5, ts, "{" + ok + ",\"user_id\":\"u\",\"ts\":1}", out);
        assertThat(out).hasSize(6);
        assertThat(out.get(0).isValid()).isTrue();
        assertThat(out.get(0).event.getType()).isEqualTo(EventType.IMPRESSION);
        assertThat(out.get(0).event.getEventTime().toEpochMilli()).isEqualTo(ts);
        assertThat(out.stream().skip(1).map(e -> e.reasonCode))
                .containsExactly(
                        IngestRejections.MISSING_ID,
                        IngestRejections.BAD_TIMESTAMP,
                        IngestRejections.UNKNOWN_EVENT_TYPE,
                        IngestRejections.UNDECODABLE,
                        EventValidator.BAD_TIMESTAMP);
        for (int i = 1; i < out.size(); i++) {
            assertThat(out.get(i).offset).isEqualTo(i);
            assertThat(out.get(i).rawValue).isNotNull();
        }
    }

    @Test
    void registryRecordsOfTwoWriterSchemasAndAnUnknownId() throws Exception {
        Schema v1 =
                SchemaBuilder.record("Click")
                        .fields()
                        .requiredString("id")
                        .requiredString("user_id")
                        .requiredString("sku")
                        .requiredString("cat")
                        .requiredLong("ts")
                        .requiredString("action")
                        .endRecord();
        Schema v2 =
                SchemaBuilder.record("Click")
                        .fields()
                        .requiredString("id")
                        .optionalString("campaign")
                        .requiredString("user_id")
                        .requiredString("sku")
                        .requiredString("cat")
                        .requiredLong("ts")
                        .requiredString("action")
                        .endRecord();
        try (TestingSchemaRegistry registry = TestingSchemaRegistry.start()) {
            int id1 = registry.register(v1);
            int id2 = registry.register(v2);
            Configuration c = config("avro-registry", MAPPING);
            c.setString("registry.url", registry.url());
            SampleWeightingSettings s = SampleWeightingSettings.from(c);
            KafkaRecordDeserializationSchema<IngestedEvent> d =
                    s.ingest().deserializer(new EventValidator(s.limits()));
            List<IngestedEvent> out = new ArrayList<>();
            run(d, 0, 1_700_000_000_000L, ConfluentWireFormat.encode(id1, click(v1, "a")), out);
            run(d, 1, 1_700_000_000_000L, ConfluentWireFormat.encode(id2, click(v2, "b")), out);
            run(d, 2, 1_700_000_000_000L, ConfluentWireFormat.encode(77, click(v1, "c")), out);
            assertThat(out.get(0).event.getEventId()).isEqualTo("a");
            assertThat(out.get(1).event.getEventId()).isEqualTo("b");
            assertThat(out.get(2).reasonCode).isEqualTo(IngestRejections.UNKNOWN_SCHEMA_ID);
            assertThat(out.get(2).offset).isEqualTo(2);
        }
    }

    static GenericRecord click(Schema schema, String id) {
        GenericRecord r = new GenericData.Record(schema);
        r.put("id", id);
        r.put("user_id", "u");
        r.put("sku", "i");
        r.put("cat", "c");
        r.put("ts", 1_700_000_000L);
        r.put("action", "click");
        return r;
    }

    static void run(
            KafkaRecordDeserializationSchema<IngestedEvent> d,
            long offset,
            long ts,
            Object value,
            List<IngestedEvent> out)
            throws Exception {
        byte[] bytes =
                value instanceof byte[] b ? b : value.toString().getBytes(StandardCharsets.UTF_8);
        ConsumerRecord<byte[], byte[]> r = new ConsumerRecord<>("shop", 0, offset, null, bytes);
        ConsumerRecord<byte[], byte[]> timed =
                new ConsumerRecord<>(
                        r.topic(),
                        r.partition(),
                        r.offset(),
                        ts,
                        org.apache.kafka.common.record.TimestampType.CREATE_TIME,
                        0,
                        bytes.length,
                        null,
                        bytes,
                        new org.apache.kafka.common.header.internals.RecordHeaders(),
                        java.util.Optional.empty());
        d.deserialize(
                timed,
                new Collector<>() {
                    @Override
                    public void collect(IngestedEvent e) {
                        out.add(e);
                    }

                    @Override
                    public void close() {}
                });
    }
}
