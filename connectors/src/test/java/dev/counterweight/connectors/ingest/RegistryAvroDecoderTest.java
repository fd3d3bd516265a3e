package dev.counterweight.connectors.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RegistryAvroDecoderTest {

    static final Schema V1 =
            SchemaBuilder.record("Click")
                    .namespace("shop")
                    .fields()
                    .requiredString("id")
                    .requiredString("user_id")
                    .requiredString("sku")
                    .requiredString("cat")
                    .requiredLong("ts")
                    .requiredString("action")
                    .endRecord();

    /** V1 plus an optional field in the middle: a compatible evolution by a shop. */
    static final Schema V2 =
            SchemaBuilder.record("Click")
                    .namespace("shop")
                    .fields()
                    .requiredString("id")
                    .requiredString("user_id")
                    .optionalString("campaign")
                    .requiredString("sku")
                    .requiredString("cat")
                    .requiredLong("ts")
                    .requiredString("action")
                    .endRecord();

    TestingSchemaRegistry registry;

    @BeforeEach
    void start() {
        registry = TestingSchemaRegistry.start();
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    static GenericRecord click(Schema schema, String id, String user) {
        GenericRecord r = new GenericData.Record(schema);
        r.put("id", id);
        r.put("user_id", user);
        r.put("sku", "i1");
        r.put("cat", "c1");
        r.put("ts", 1_700_000_000_000L);
        r.put("action", "view");
        if (schema.getField("campaign") != null) {
            r.put("campaign", "spring");
        }
        return r;
    }

    @Test
    void wireFormatHeaderIsMagicZeroAndBigEndianId() {
        byte[] framed = ConfluentWireFormat.frame(0x01020304, new byte[] {9});
        assertThat(framed).containsExactly(0, 1, 2, 3, 4, 9);
        assertThat(ConfluentWireFormat.isFramed(framed)).isTrue();
        assertThat(ConfluentWireFormat.schemaId(framed)).isEqualTo(0x01020304);
        assertThat(ConfluentWireFormat.isFramed(new byte[] {0, 1, 2, 3})).isFalse();
        assertThat(ConfluentWireFormat.isFramed(new byte[] {1, 0, 0, 0, 1})).isFalse();
    }

    @Test
    void decodesEachWriterSchemaAndMapsBoth() throws Exception {
        int v1 = registry.register(V1);
        int v2 = registry.register(V2);
        RegistryAvroDecoder decoder = new RegistryAvroDecoder(RegistryConfig.plain(registry.url()));
        EventMapper mapper = EventMapperTest.mapper(Map.of());

        DecodedRecord a = decoder.decode(ConfluentWireFormat.encode(v1, click(V1, "e1", "u1")));
        DecodedRecord b = decoder.decode(ConfluentWireFormat.encode(v2, click(V2, "e2", "u2")));
        DecodedRecord c = decoder.decode(ConfluentWireFormat.encode(v1, click(V1, "e3", "u3")));
        assertThat(mapper.map(a.fields()).event().getUserId()).isEqualTo("u1");
        assertThat(mapper.map(b.fields()).event().getUserId()).isEqualTo("u2");
        assertThat(b.fields().get("campaign")).isEqualTo("spring");
        assertThat(mapper.map(c.fields()).event().getEventId()).isEqualTo("e3");
        assertThat(registry.requests()).as("one fetch per schema id, then cached").isEqualTo(2);
    }

    @Test
    void badBytesAreRefusedWithTheirCode() throws Exception {
        int v1 = registry.register(V1);
        RegistryAvroDecoder decoder = new RegistryAvroDecoder(RegistryConfig.plain(registry.url()));
        byte[] good = ConfluentWireFormat.encode(v1, click(V1, "e1", "u1"));

        DecodedRecord noMagic = decoder.decode("{\"id\":1}".getBytes());
        assertThat(noMagic.code()).isEqualTo(IngestRejections.WRONG_SCHEMA);

        byte[] unknownId = good.clone();
        ByteBuffer.wrap(unknownId).putInt(1, 999);
        DecodedRecord unknown = decoder.decode(unknownId);
        assertThat(unknown.code()).isEqualTo(IngestRejections.UNKNOWN_SCHEMA_ID);
        assertThat(unknown.reason()).contains("999");

        DecodedRecord truncated = decoder.decode(Arrays.copyOf(good, good.length - 3));
        assertThat(truncated.code()).isEqualTo(IngestRejections.UNDECODABLE);

        byte[] longer = Arrays.copyOf(good, good.length + 2);
        assertThat(decoder.decode(longer).code()).isEqualTo(IngestRejections.UNDECODABLE);

        registry.put(50, "{\"type\": \"nonsense\"}");
        assertThat(decoder.decode(ConfluentWireFormat.frame(50, new byte[] {2})).code())
                .isEqualTo(IngestRejections.UNKNOWN_SCHEMA_ID);
    }

    @Test
    void basicAuthIsSentAndAWrongPasswordMakesTheRegistryUnavailable() throws Exception {
        registry.requireBasicAuth("shop:s3cret");
        int v1 = registry.register(V1);
        byte[] value = ConfluentWireFormat.encode(v1, click(V1, "e1", "u1"));
        RegistryConfig right =
                new RegistryConfig(
                        registry.url() + "/",
                        "shop:s3cret",
                        null,
                        null,
                        "PKCS12",
                        null,
                        null,
                        "PKCS12",
                        Duration.ofSeconds(5));
        assertThat(new RegistryAvroDecoder(right).decode(value).isRead()).isTrue();

        RegistryConfig wrong =
                new RegistryConfig(
                        registry.url(),
                        "shop:guess",
                        null,
                        null,
                        "PKCS12",
                        null,
                        null,
                        "PKCS12",
                        Duration.ofSeconds(5));
        assertThatThrownBy(() -> new RegistryAvroDecoder(wrong).decode(value))
                .isInstanceOf(SchemaRegistryClient.RegistryUnavailableException.class)
                .hasMessageContaining("HTTP 401");
        assertThat(wrong.toString()).doesNotContain("guess").contains(RegistryConfig.MASK);
        assertThat(right.toString()).doesNotContain("s3cret");
    }

    @Test
    void serverErrorsAreRetriedThenThrown() throws Exception {
        int v1 = registry.register(V1);
        byte[] value = ConfluentWireFormat.encode(v1, click(V1, "e1", "u1"));
        registry.failNext(SchemaRegistryClient.ATTEMPTS - 1);
        assertThat(
                        new RegistryAvroDecoder(RegistryConfig.plain(registry.url()))
                                .decode(value)
                                .isRead())
                .isTrue();
        registry.failNext(SchemaRegistryClient.ATTEMPTS);
        assertThatThrownBy(
                        () ->
                                new RegistryAvroDecoder(RegistryConfig.plain(registry.url()))
                                        .decode(value))
                .isInstanceOf(SchemaRegistryClient.RegistryUnavailableException.class)
                .hasMessageContaining("HTTP 500");
    }

    @Test
    void unreachableRegistryThrows() {
        String url = registry.url();
        registry.close();
        byte[] value = ConfluentWireFormat.frame(1, new byte[] {2});
        assertThatThrownBy(() -> new RegistryAvroDecoder(RegistryConfig.plain(url)).decode(value))
                .isInstanceOf(SchemaRegistryClient.RegistryUnavailableException.class);
    }

    @Test
    void configRejectsBadUrlsAndUserInfo() {
        assertThatThrownBy(() -> RegistryConfig.plain("registry:8081"))
                .hasMessageContaining("http://");
        assertThatThrownBy(
                        () ->
                                new RegistryConfig(
                                        "http://r",
                                        "nopassword",
                                        null,
                                        null,
                                        null,
                                        null,
                                        null,
                                        null,
                                        Duration.ofSeconds(1)))
                .hasMessageContaining("user:password");
    }

    @Test
    void jsonDecoderRefusesNonObjectsAndBrokenText() {
        JsonRecordDecoder json = new JsonRecordDecoder();
        assertThat(json.decode("{\"a\":1}".getBytes()).fields().get("a")).isEqualTo(1L);
        assertThat(json.decode("[1,2]".getBytes()).code()).isEqualTo(IngestRejections.WRONG_SCHEMA);
        assertThat(json.decode("{\"a\":".getBytes()).code())
                .isEqualTo(IngestRejections.UNDECODABLE);
        assertThat(json.decode(new byte[] {0, 0, 0, 0, 1, 2}).code())
                .isEqualTo(IngestRejections.UNDECODABLE);
    }
}
