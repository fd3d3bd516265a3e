package dev.counterweight.connectors.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.counterweight.avro.EventType;
import dev.counterweight.avro.UserEvent;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class EventMapperTest {

    static final ObjectMapper JSON = new ObjectMapper();

    static EventMapper mapper(Map<String, String> overrides) {
        Map<String, String> m = EventMappingTest.shop();
        m.putAll(overrides);
        return new EventMapper(EventMapping.of(m));
    }

    static MappedEvent json(EventMapper mapper, String text) throws Exception {
        return mapper.map(new JsonFields(JSON.readTree(text)));
    }

    @Test
    void mapsEveryFieldOfAJsonRecord() throws Exception {
        EventMapper mapper =
                mapper(
                        Map.of(
                                "field.request", "ctx.req",
                                "field.position", "ctx.slot",
                                "field.price", "price",
                                "field.features", "emb"));
        MappedEvent out =
                json(
                        mapper,
                        "{\"id\":\"e1\",\"user_id\":42,\"sku\":\"i9\",\"cat\":\"c3\","
                                + "\"ts\":1700000000123,\"action\":\" View \","
                                + "\"ctx\":{\"req\":\"r7\",\"slot\":\"3\"},\"price\":\"9.5\","
                                + "\"emb\":[0.5,1,-2.25],\"extra\":{\"x\":1}}");
        assertThat(out.isEvent()).as(out.reason()).isTrue();
        UserEvent e = out.event();
        assertThat(e.getEventId()).isEqualTo("e1");
        assertThat(e.getUserId()).isEqualTo("42");
        assertThat(e.getItemId()).isEqualTo("i9");
        assertThat(e.getCategoryId()).isEqualTo("c3");
        assertThat(e.getType()).isEqualTo(EventType.IMPRESSION);
        assertThat(e.getEventTime()).isEqualTo(Instant.ofEpochMilli(1_700_000_000_123L));
        assertThat(e.getRequestId()).isEqualTo("r7");
        assertThat(e.getPosition()).isEqualTo(3);
        assertThat(e.getPrice()).isEqualTo(9.5);
        assertThat(e.getFeatures()).containsExactly(0.5f, 1f, -2.25f);
    }

    @Test
    void optionalFieldsMayBeAbsent() throws Exception {
        EventMapper mapper = mapper(Map.of("field.price", "price", "field.request", "req"));
        MappedEvent out =
                json(
                        mapper,
                        "{\"id\":\"e1\",\"user_id\":\"u\",\"sku\":\"i\",\"cat\":\"c\","
                                + "\"ts\":1,\"action\":\"order\",\"price\":null}");
        assertThat(out.event().getPrice()).isNull();
        assertThat(out.event().getRequestId()).isNull();
        assertThat(out.event().getFeatures()).isEmpty();
        assertThat(out.event().getType()).isEqualTo(EventType.PURCHASE);
    }

    @Test
    void timeFormatsAndZones() throws Exception {
        long expected = Instant.parse("2024-05-01T10:00:00.250Z").toEpochMilli();
        EventMapper seconds = mapper(Map.of("time.format", "epoch-seconds"));
        assertThat(time(seconds, expected / 1000.0 + "")).isEqualTo(expected);
        assertThat(time(seconds, "\"" + expected / 1000.0 + "\"")).isEqualTo(expected);
        assertThat(time(seconds, String.valueOf(expected / 1000))).isEqualTo(expected - 250);

        EventMapper millis = mapper(Map.of());
        assertThat(time(millis, String.valueOf(expected))).isEqualTo(expected);
        assertThat(time(millis, "\"" + expected + "\"")).isEqualTo(expected);

        EventMapper iso = mapper(Map.of("time.format", "iso-8601", "time.zone", "Europe/Berlin"));
        // With an offset or a zone the text wins; without, time.zone applies (CEST is +02:00).
        assertThat(time(iso, "\"2024-05-01T10:00:00.250Z\"")).isEqualTo(expected);
        assertThat(time(iso, "\"2024-05-01T12:00:00.250+02:00\"")).isEqualTo(expected);
        assertThat(time(iso, "\"2024-05-01T12:00:00.250+02:00[Europe/Berlin]\""))
                .isEqualTo(expected);
        assertThat(time(iso, "\"2024-05-01T12:00:00.250\"")).isEqualTo(expected);
        assertThat(time(iso, "\"2024-05-01 12:00:00.250\"")).isEqualTo(expected);
    }

    private static long time(EventMapper mapper, String ts) throws Exception {
        MappedEvent out =
                json(
                        mapper,
                        "{\"id\":\"e\",\"user_id\":\"u\",\"sku\":\"i\",\"cat\":\"c\",\"ts\":"
                                + ts
                                + ",\"action\":\"view\"}");
        assertThat(out.isEvent()).as(out.reason()).isTrue();
        return out.event().getEventTime().toEpochMilli();
    }

    @Test
    void badRecordsAreRefusedWithCodeAndKey() throws Exception {
        EventMapper mapper =
                mapper(Map.of("time.format", "iso-8601", "type.unknown", "dead-letter"));
        String ok = "\"id\":\"e\",\"sku\":\"i\",\"cat\":\"c\"";
        MappedEvent noUser =
                json(mapper, "{" + ok + ",\"ts\":\"2024-01-01T00:00Z\",\"action\":\"view\"}");
        assertThat(noUser.code()).isEqualTo(IngestRejections.MISSING_ID);
        assertThat(noUser.reason()).contains("field.user").contains("'user_id'");

        MappedEvent blank =
                json(
                        mapper,
                        "{"
                                + ok
                                + ",\"user_id\":\" \",\"ts\":\"2024-01-01T00:00Z\",\"action\":\"view\"}");
        assertThat(blank.code()).isEqualTo(IngestRejections.MISSING_ID);

        MappedEvent badTime =
                json(
                        mapper,
                        "{" + ok + ",\"user_id\":\"u\",\"ts\":\"yesterday\",\"action\":\"view\"}");
        assertThat(badTime.code()).isEqualTo(IngestRejections.BAD_TIMESTAMP);
        assertThat(badTime.reason()).contains("yesterday").contains("iso-8601");

        MappedEvent numericIso =
                json(mapper, "{" + ok + ",\"user_id\":\"u\",\"ts\":17,\"action\":\"view\"}");
        assertThat(numericIso.code()).isEqualTo(IngestRejections.BAD_TIMESTAMP);

        MappedEvent unknown =
                json(
                        mapper,
                        "{"
                                + ok
                                + ",\"user_id\":\"u\",\"ts\":\"2024-01-01T00:00Z\",\"action\":\"search\"}");
        assertThat(unknown.code()).isEqualTo(IngestRejections.UNKNOWN_EVENT_TYPE);
        assertThat(unknown.reason()).contains("'search'");
        assertThat(unknown.dropped()).isFalse();

        MappedEvent objectUser =
                json(
                        mapper,
                        "{"
                                + ok
                                + ",\"user_id\":{\"a\":1},\"ts\":\"2024-01-01T00:00Z\",\"action\":\"view\"}");
        assertThat(objectUser.code()).isEqualTo(IngestRejections.BAD_FIELD);

        MappedEvent decimalUser =
                json(
                        mapper,
                        "{"
                                + ok
                                + ",\"user_id\":1.5,\"ts\":\"2024-01-01T00:00Z\",\"action\":\"view\"}");
        assertThat(decimalUser.code()).isEqualTo(IngestRejections.BAD_FIELD);

        EventMapper millis = mapper(Map.of());
        MappedEvent fractionalMillis =
                json(millis, "{" + ok + ",\"user_id\":\"u\",\"ts\":1.5,\"action\":\"view\"}");
        assertThat(fractionalMillis.code()).isEqualTo(IngestRejections.BAD_TIMESTAMP);
        MappedEvent missingTime =
                json(millis, "{" + ok + ",\"user_id\":\"u\",\"action\":\"view\"}");
        assertThat(missingTime.code()).isEqualTo(IngestRejections.BAD_TIMESTAMP);

        EventMapper features = mapper(Map.of("field.features", "emb"));
        MappedEvent textFeature =
                json(
                        features,
                        "{"
                                + ok
                                + ",\"user_id\":\"u\",\"ts\":1,\"action\":\"view\",\"emb\":[1,\"x\"]}");
        assertThat(textFeature.code()).isEqualTo(IngestRejections.BAD_FIELD);
    }

    @Test
    void unknownTypesAreDroppedByDefault() throws Exception {
        MappedEvent out =
                json(
                        mapper(Map.of()),
                        "{\"id\":\"e\",\"user_id\":\"u\",\"sku\":\"i\",\"cat\":\"c\",\"ts\":1,"
                                + "\"action\":\"login\"}");
        assertThat(out.dropped()).isTrue();
        assertThat(out.event()).isNull();
        assertThat(out.code()).isNull();
    }

    @Test
    void derivedIdIsStableAcrossFormatsAndDependsOnEveryListedField() throws Exception {
        EventMapper mapper =
                mapper(
                        Map.of(
                                "field.event-id", "",
                                "event-id.from", "user_id, sku, ts, action"));
        String base = "\"user_id\":\"u1\",\"sku\":\"i1\",\"cat\":\"c\",\"action\":\"view\"";
        String a = json(mapper, "{" + base + ",\"ts\":1000}").event().getEventId();
        String again = json(mapper, "{\"ts\":1000," + base + ",\"other\":5}").event().getEventId();
        String later = json(mapper, "{" + base + ",\"ts\":1001}").event().getEventId();
        assertThat(a).isEqualTo(again).startsWith("h-").hasSize(34).isNotEqualTo(later);

        // Reference computed another way: SHA-256 over "name\0value\1" for each field.
        java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
        sha.update(
                "user_id\0u1\u0001sku\0i1\u0001ts\u00001000\u0001action\0view\u0001"
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(a.substring(2))
                .isEqualTo(java.util.HexFormat.of().formatHex(sha.digest()).substring(0, 32));

        Schema schema =
                SchemaBuilder.record("Click")
                        .fields()
                        .requiredString("user_id")
                        .requiredString("sku")
                        .requiredString("cat")
                        .requiredLong("ts")
                        .requiredString("action")
                        .endRecord();
        GenericRecord avro = new GenericData.Record(schema);
        avro.put("user_id", new org.apache.avro.util.Utf8("u1"));
        avro.put("sku", "i1");
        avro.put("cat", "c");
        avro.put("ts", 1000L);
        avro.put("action", "view");
        assertThat(mapper.map(new AvroFields(avro)).event().getEventId()).isEqualTo(a);
    }

    @Test
    void avroRecordsWithNestedFieldsEnumsAndIntsAndAMissingOptionalField() {
        Schema context = SchemaBuilder.record("Context").fields().optionalInt("slot").endRecord();
        Schema schema =
                SchemaBuilder.record("Click")
                        .fields()
                        .requiredString("id")
                        .requiredLong("user_id")
                        .requiredInt("sku")
                        .requiredString("cat")
                        .requiredLong("ts")
                        .name("action")
                        .type()
                        .enumeration("Action")
                        .symbols("VIEW", "CLICK")
                        .noDefault()
                        .name("ctx")
                        .type(context)
                        .noDefault()
                        .name("emb")
                        .type()
                        .array()
                        .items()
                        .floatType()
                        .noDefault()
                        .endRecord();
        GenericRecord ctx = new GenericData.Record(context);
        ctx.put("slot", 4);
        GenericRecord r = new GenericData.Record(schema);
        r.put("id", "e1");
        r.put("user_id", 7L);
        r.put("sku", 9);
        r.put("cat", "c");
        r.put("ts", 5000L);
        r.put("action", new GenericData.EnumSymbol(schema.getField("action").schema(), "CLICK"));
        r.put("ctx", ctx);
        r.put("emb", List.of(1.5f, 2f));
        EventMapper mapper =
                mapper(
                        Map.of(
                                "field.position", "ctx.slot",
                                "field.features", "emb",
                                "field.price", "not_in_this_schema"));
        MappedEvent out = mapper.map(new AvroFields(r));
        assertThat(out.isEvent()).as(out.reason()).isTrue();
        assertThat(out.event().getUserId()).isEqualTo("7");
        assertThat(out.event().getItemId()).isEqualTo("9");
        assertThat(out.event().getType()).isEqualTo(EventType.CLICK);
        assertThat(out.event().getPosition()).isEqualTo(4);
        assertThat(out.event().getFeatures()).containsExactly(1.5f, 2f);
        assertThat(out.event().getPrice()).isNull();
    }

    @Test
    void categoryDefaultFillsAMissingCategory() throws Exception {
        EventMapper mapper = mapper(Map.of("category.default", "all"));
        MappedEvent out =
                json(
                        mapper,
                        "{\"id\":\"e\",\"user_id\":\"u\",\"sku\":\"i\",\"ts\":1,\"action\":\"view\"}");
        assertThat(out.event().getCategoryId()).isEqualTo("all");
        EventMapper strict = mapper(Map.of());
        assertThat(
                        json(
                                        strict,
                                        "{\"id\":\"e\",\"user_id\":\"u\",\"sku\":\"i\",\"ts\":1,"
                                                + "\"action\":\"view\"}")
                                .code())
                .isEqualTo(IngestRejections.MISSING_ID);
    }
}
