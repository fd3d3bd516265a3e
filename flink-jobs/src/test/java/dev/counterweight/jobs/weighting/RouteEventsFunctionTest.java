package dev.counterweight.jobs.weighting;

import static dev.counterweight.avro.fixtures.TestEvents.click;
import static dev.counterweight.avro.fixtures.TestEvents.impression;
import static dev.counterweight.jobs.weighting.Harnesses.assertSameOutput;
import static dev.counterweight.jobs.weighting.Harnesses.element;
import static dev.counterweight.jobs.weighting.Harnesses.sideValues;
import static dev.counterweight.jobs.weighting.Harnesses.values;
import static dev.counterweight.jobs.weighting.Harnesses.watermark;
import static dev.counterweight.jobs.weighting.IngestedEvents.readAt;
import static dev.counterweight.jobs.weighting.IngestedEvents.rejectedAt;
import static org.assertj.core.api.Assertions.assertThat;

import dev.counterweight.avro.DeadLetter;
import dev.counterweight.avro.UserEvent;
import dev.counterweight.connectors.avro.AvroCodec;
import dev.counterweight.jobs.weighting.Harnesses.Step;
import dev.counterweight.jobs.weighting.internal.IngestedEvent;
import dev.counterweight.jobs.weighting.internal.Tags;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** Dead-lettering of rejected and late events; stateless and not keyed, so no timers or state. */
class RouteEventsFunctionTest {

    private static final AvroCodec<UserEvent> CODEC = AvroCodec.of(UserEvent.class);

    private static OneInputStreamOperatorTestHarness<IngestedEvent, IngestedEvent> harness()
            throws Exception {
        return Harnesses.strict(
                new OneInputStreamOperatorTestHarness<>(
                        new ProcessOperator<>(new RouteEventsFunction())));
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }

    @Test
    void deadLettersARejectedRecordWithItsReasonAndSource() throws Exception {
        byte[] garbage = {1, 2, 3};
        try (var h = harness()) {
            h.open();
            h.processElement(
                    rejectedAt(41, EventValidator.UNDECODABLE, "cannot decode UserEvent", garbage),
                    Long.MIN_VALUE);

            assertThat(values(h)).isEmpty();
            DeadLetter d = sideValues(h, Tags.DEAD_LETTERS).get(0);
            assertThat(d.getReasonCode()).isEqualTo(EventValidator.UNDECODABLE);
            assertThat(d.getReason()).isEqualTo("cannot decode UserEvent");
            assertThat(d.getTopic()).isEqualTo(IngestedEvents.TOPIC);
            assertThat(d.getPartition()).isEqualTo(1);
            assertThat(d.getOffset()).isEqualTo(41L);
            assertThat(d.getRecordTimestamp()).isEqualTo(Instant.ofEpochMilli(1_000));
            assertThat(bytes(d.getRawKey())).containsExactly('k', '1');
            assertThat(bytes(d.getRawValue())).containsExactly(garbage);
        }
    }

    @Test
    void deadLettersAnEventAtOrBehindTheWatermarkAsLate() throws Exception {
        UserEvent onTime = impression("u1", "i1").at(10_001);
        UserEvent atWatermark = impression("u1", "i2").at(10_000);
        UserEvent behind = click("u1", "i1").at(9_000);
        try (var h = harness()) {
            h.open();
            h.processElement(readAt(0, behind), 9_000);
            h.processWatermark(10_000);
            h.processElement(readAt(1, onTime), 10_001);
            h.processElement(readAt(2, atWatermark), 10_000);
            h.processElement(readAt(3, behind), 9_000);

            assertThat(values(h))
                    .as("before the watermark anything goes; after it only later events")
                    .extracting(e -> e.offset)
                    .containsExactly(0L, 1L);
            List<DeadLetter> late = sideValues(h, Tags.DEAD_LETTERS);
            assertThat(late).extracting(DeadLetter::getOffset).containsExactly(2L, 3L);
            assertThat(late)
                    .allSatisfy(
                            d -> {
                                assertThat(d.getReasonCode()).isEqualTo(EventValidator.LATE_EVENT);
                                assertThat(d.getReason())
                                        .contains("behind the watermark 10000")
                                        .contains("watermark.out-of-orderness");
                            });
            assertThat(CODEC.decode(bytes(late.get(1).getRawValue())))
                    .as("the late event itself, re-encoded")
                    .isEqualTo(behind);
        }
    }

    private static List<Step<IngestedEvent>> mixed() {
        return List.of(
                element(readAt(0, impression("u1", "i1").at(1_000)), 1_000),
                element(
                        rejectedAt(
                                1, EventValidator.MISSING_ID, "eventId is empty", new byte[] {9}),
                        0),
                watermark(2_000),
                element(readAt(2, click("u1", "i1").at(1_500)), 1_500),
                element(readAt(3, click("u1", "i1").at(2_500)), 2_500),
                watermark(5_000),
                element(readAt(4, impression("u2", "i1").at(4_000)), 4_000),
                element(readAt(5, impression("u2", "i1").at(6_000)), 6_000));
    }

    /**
     * The operator is stateless, and Flink does not checkpoint watermarks: after a restore the
     * source emits its watermark again. The script after the cut therefore starts with one.
     */
    @Test
    void snapshotThenRestoreGivesTheSameOutputAsAnUninterruptedRun() throws Exception {
        Harnesses.Run expected =
                Harnesses.uninterrupted(
                        RouteEventsFunctionTest::harness, mixed(), Tags.DEAD_LETTERS);
        assertThat(expected.sides().get(Tags.DEAD_LETTERS.getId())).hasSize(3);
        for (int split : List.of(2, 5)) {
            Harnesses.Run restored =
                    Harnesses.restoredAfter(
                            split, RouteEventsFunctionTest::harness, mixed(), Tags.DEAD_LETTERS);
            assertSameOutput(restored, expected);
        }
    }
}
