package dev.counterweight.connectors.avro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.counterweight.avro.ClassWeights;
import dev.counterweight.avro.ModelSnapshot;
import dev.counterweight.avro.PartitionOffset;
import dev.counterweight.avro.UserEvent;
import dev.counterweight.avro.fixtures.TestEvents;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

class AvroCodecTest {

    private final AvroCodec<UserEvent> codec = AvroCodec.of(UserEvent.class);

    @Test
    void roundTripsAndRefusesOtherSchemasAndNoiseAsWrongSchema() throws Exception {
        UserEvent event = TestEvents.click("u", "i").withFeatures(1f, 2f).at(5);
        assertThat(codec.decode(codec.encode(event))).isEqualTo(event);

        byte[] weights =
                AvroCodec.of(ClassWeights.class)
                        .encode(
                                ClassWeights.newBuilder()
                                        .setVersion(1)
                                        .setStrategy("NONE")
                                        .setComputedAt(java.time.Instant.EPOCH)
                                        .setHalfLifeMillis(1)
                                        .setTotalCount(0)
                                        .setEffectiveSampleSize(0)
                                        .setImbalanceRatio(1)
                                        .setFallbackWeight(1)
                                        .setClasses(List.of())
                                        .build());
        assertThatThrownBy(() -> codec.decode(weights))
                .isInstanceOf(AvroCodec.WrongSchemaException.class)
                .hasMessageContaining(
                        "unknown writer schema fingerprint "
                                + AvroCodec.fingerprintHex(ClassWeights.getClassSchema()))
                .hasMessageContaining("neither the current UserEvent schema nor a released one");
        assertThatThrownBy(() -> codec.decode(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}))
                .isInstanceOf(AvroCodec.WrongSchemaException.class);
        byte[] valid = codec.encode(event);
        assertThatThrownBy(() -> codec.decode(Arrays.copyOf(valid, valid.length - 3)))
                .isNotInstanceOf(AvroCodec.WrongSchemaException.class)
                .hasMessageContaining("corrupt UserEvent body");
    }

    @Test
    void aRecordWrittenWithAnEarlierReleaseIsReadWithTheCurrentSchema() throws Exception {
        // ModelSnapshot gained 'calibration' (default null) after release 0.1.0.
        ModelSnapshot current =
                ModelSnapshot.newBuilder()
                        .setModelName("m")
                        .setVersion(7)
                        .setParentVersion(6L)
                        .setUri("file:/tmp/m-7.zip")
                        .setSha256("ab")
                        .setSizeBytes(12)
                        .setCreatedAt(Instant.ofEpochMilli(1_700_000_000_000L))
                        .setSamplesTrained(99)
                        .setConsumerOffsets(List.of(new PartitionOffset("weighted-samples", 1, 5L)))
                        .setMetrics(Map.of("ctr.auc", 0.75))
                        .setFeatureSchemaFingerprint("f")
                        .build();
        Schema release010 = WriterSchemas.released("ModelSnapshot", "0.1.0");
        assertThat(AvroCodec.fingerprintHex(release010))
                .isNotEqualTo(AvroCodec.fingerprintHex(ModelSnapshot.getClassSchema()));

        byte[] old = WriterSchemas.encode(release010, current, Map.of());

        assertThat(Arrays.copyOfRange(old, 2, 10))
                .isEqualTo(SchemaNormalization.parsingFingerprint("CRC-64-AVRO", release010));
        ModelSnapshot decoded = AvroCodec.of(ModelSnapshot.class).decode(old);
        assertThat(decoded).isEqualTo(current);
        assertThat(decoded.getCalibration()).isNull();
        assertThat(AvroCodec.of(ModelSnapshot.class).writerSchemas())
                .containsEntry(AvroCodec.fingerprintHex(release010), "0.1.0")
                .containsEntry(AvroCodec.fingerprintHex(ModelSnapshot.getClassSchema()), "current");
    }

    @Test
    void aRecordOfAV2WriterWithANewOptionalFieldIsReadAsTheCurrentRecord() throws Exception {
        UserEvent event =
                TestEvents.click("u", "i").forRequest("r").atPosition(3).withFeatures(1f).at(5);
        Schema v2 = WriterSchemas.testV2("UserEvent");
        byte[] bytes = WriterSchemas.encode(v2, event, Map.of("channel", "app"));

        assertThat(Arrays.copyOfRange(bytes, 2, 10))
                .isEqualTo(SchemaNormalization.parsingFingerprint("CRC-64-AVRO", v2))
                .isNotEqualTo(Arrays.copyOfRange(codec.encode(event), 2, 10));
        assertThat(codec.decode(bytes)).isEqualTo(event);
        assertThat(codec.writerSchemas())
                .containsEntry(AvroCodec.fingerprintHex(v2), WriterSchemas.TEST_V2);
    }

    @Test
    void anUnknownWriterFingerprintFailsNamingIt() {
        UserEvent event = TestEvents.click("u", "i").at(5);
        Schema unreleased = WriterSchemas.unreleased(UserEvent.getClassSchema());
        byte[] bytes = WriterSchemas.encode(unreleased, event, Map.of("unreleased", "y"));
        String hex = AvroCodec.fingerprintHex(unreleased);

        assertThat(codec.writerSchemas()).doesNotContainKey(hex);
        assertThatThrownBy(() -> codec.decode(bytes))
                .isInstanceOf(AvroCodec.WrongSchemaException.class)
                .hasMessageStartingWith(AvroCodec.UNKNOWN_FINGERPRINT + " " + hex + ":")
                .hasMessageContaining("released one [0.1.0, 0.2.0-test]");
    }

    @Test
    void aFewBytesClaimingAHugeArrayAreRefusedWithoutAllocatingIt() throws Exception {
        // A valid header, then a body whose features array claims 2^31 - 9 items.
        UserEvent event = TestEvents.impression("u", "i").at(5);
        byte[] valid = codec.encode(event);
        byte[] header = Arrays.copyOf(valid, 10);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(body, null);
        enc.writeString("e");
        enc.writeString("u");
        enc.writeString("i");
        enc.writeString("c");
        enc.writeEnum(0);
        enc.writeLong(5);
        enc.writeIndex(0); // requestId null
        enc.writeIndex(0); // position null
        enc.writeIndex(0); // price null
        enc.writeArrayStart();
        enc.setItemCount(Integer.MAX_VALUE - 8);
        enc.flush();
        byte[] poisoned = new byte[header.length + body.size()];
        System.arraycopy(header, 0, poisoned, 0, header.length);
        System.arraycopy(body.toByteArray(), 0, poisoned, header.length, body.size());

        assertThat(poisoned.length).isLessThan(64);
        assertThatThrownBy(() -> codec.decode(poisoned))
                .isInstanceOf(java.io.IOException.class)
                .hasMessageContaining("exceeds the maximum");
    }
}
