package dev.counterweight.connectors.avro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.counterweight.avro.ClassWeights;
import dev.counterweight.avro.UserEvent;
import dev.counterweight.avro.fixtures.TestEvents;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
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
                .hasMessageContaining("not UserEvent");
        assertThatThrownBy(() -> codec.decode(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}))
                .isInstanceOf(AvroCodec.WrongSchemaException.class);
        byte[] valid = codec.encode(event);
        assertThatThrownBy(() -> codec.decode(Arrays.copyOf(valid, valid.length - 3)))
                .isNotInstanceOf(AvroCodec.WrongSchemaException.class)
                .hasMessageContaining("corrupt UserEvent body");
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
