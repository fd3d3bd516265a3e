package dev.counterweight.avro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.counterweight.avro.fixtures.TestEvents;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Round trips through Avro single-object encoding, the wire format of every topic. */
class AvroEncodingTest {

    @Test
    void userEventRoundTripsWithOptionalFields() throws Exception {
        UserEvent event =
                TestEvents.click("u1", "i9")
                        .inCategory("c3")
                        .forRequest("r-17")
                        .atPosition(4)
                        .pricedAt(12.5)
                        .withFeatures(0.25f, -1f)
                        .at(1_511_658_000_000L);

        UserEvent decoded = UserEvent.fromByteBuffer(event.toByteBuffer());

        assertThat(decoded).isEqualTo(event);
        assertThat(decoded.getEventTime()).isEqualTo(Instant.ofEpochMilli(1_511_658_000_000L));
        assertThat(decoded.getRequestId()).isEqualTo("r-17");
        assertThat(decoded.getFeatures()).containsExactly(0.25f, -1f);
    }

    @Test
    void fixtureIdsAreDeterministicSoRepeatsAreDuplicates() {
        assertThat(TestEvents.impression("u", "i").at(5).getEventId())
                .isEqualTo(TestEvents.impression("u", "i").at(5).getEventId())
                .isNotEqualTo(TestEvents.click("u", "i").at(5).getEventId());
    }

    @Test
    void bytesOfAnotherSchemaAreRefused() throws Exception {
        ByteBuffer deadLetterBytes =
                DeadLetter.newBuilder()
                        .setReasonCode("X")
                        .setReason("x")
                        .setTopic("t")
                        .setPartition(0)
                        .setOffset(1)
                        .build()
                        .toByteBuffer();

        assertThatThrownBy(() -> UserEvent.fromByteBuffer(deadLetterBytes))
                .hasMessageContaining("fingerprint");
    }

    @Test
    void snapshotAnnouncementRoundTrips() throws Exception {
        ModelSnapshot snapshot =
                ModelSnapshot.newBuilder()
                        .setModelName("ranker")
                        .setVersion(3)
                        .setParentVersion(2L)
                        .setUri("file:/tmp/s/3.zip")
                        .setSha256("ab".repeat(32))
                        .setCreatedAt(Instant.ofEpochMilli(42))
                        .setSamplesTrained(1000)
                        .setConsumerOffsets(
                                List.of(new PartitionOffset("weighted-samples", 0, 77L)))
                        .setMetrics(Map.of("ctr.auc", 0.71))
                        .setFeatureSchemaFingerprint("f1")
                        .build();

        assertThat(ModelSnapshot.fromByteBuffer(snapshot.toByteBuffer())).isEqualTo(snapshot);
    }
}
