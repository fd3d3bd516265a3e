package dev.counterweight.jobs.weighting;

import static dev.counterweight.avro.fixtures.TestEvents.click;
import static dev.counterweight.avro.fixtures.TestEvents.impression;
import static dev.counterweight.jobs.weighting.Harnesses.assertSameOutput;
import static dev.counterweight.jobs.weighting.Harnesses.element;
import static dev.counterweight.jobs.weighting.Harnesses.watermark;
import static dev.counterweight.jobs.weighting.IngestedEvents.readAt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.counterweight.avro.UserEvent;
import dev.counterweight.jobs.weighting.Harnesses.Step;
import dev.counterweight.jobs.weighting.internal.IngestedEvent;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class DeduplicateFunctionTest {

    private static final Duration TTL = Duration.ofHours(1);

    private static final UserEvent SHOWN = impression("u1", "i1").at(1_000L);
    private static final UserEvent CLICKED = click("u1", "i1").at(2_000L);
    private static final UserEvent SHOWN_ELSEWHERE = impression("u2", "i1").at(2_500L);

    private static KeyedOneInputStreamOperatorTestHarness<String, IngestedEvent, IngestedEvent>
            harness() throws Exception {
        return Harnesses.strict(
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new DeduplicateFunction(TTL)),
                        e -> e.event.getEventId(),
                        Types.STRING));
    }

    /** Producer retries: every event is sent twice, the repeat at a later offset. */
    private static List<Step<IngestedEvent>> retriedEvents() {
        return List.of(
                element(readAt(0, SHOWN), 1_000L),
                element(readAt(1, CLICKED), 2_000L),
                element(readAt(2, SHOWN), 1_000L),
                watermark(1_500L),
                element(readAt(3, SHOWN_ELSEWHERE), 2_500L),
                element(readAt(4, CLICKED), 2_000L),
                element(readAt(5, SHOWN_ELSEWHERE), 2_500L),
                watermark(3_000L));
    }

    @Test
    void passesTheFirstEventOfAnIdAndDropsItsRepeats() throws Exception {
        try (var h = harness()) {
            h.open();
            Harnesses.feed(h, retriedEvents());

            assertThat(Harnesses.values(h))
                    .extracting(e -> e.event, e -> e.offset)
                    .containsExactly(
                            tuple(SHOWN, 0L), tuple(CLICKED, 1L), tuple(SHOWN_ELSEWHERE, 3L));
            assertThat(h.getOutput())
                    .as("watermarks pass through")
                    .contains(new Watermark(1_500L), new Watermark(3_000L));
            assertThat(h.numEventTimeTimers()).as("dedup expires ids by TTL, not timers").isZero();
            assertThat(h.numKeyedStateEntries())
                    .as(
                            "one 'seen' flag per distinct id; dedup never clears it, the flag"
                                    + " expires after dedup.ttl")
                    .isEqualTo(3);
        }
    }

    @Test
    void forgetsAnIdOnceTheTtlHasPassed() throws Exception {
        try (var h = harness()) {
            h.setStateTtlProcessingTime(0L);
            h.open();
            h.processElement(readAt(0, SHOWN), 1_000L);
            h.setStateTtlProcessingTime(TTL.toMillis() - 1);
            h.processElement(readAt(1, SHOWN), 1_000L);
            h.setStateTtlProcessingTime(TTL.toMillis() + 1);
            h.processElement(readAt(2, SHOWN), 1_000L);

            assertThat(Harnesses.values(h))
                    .as("dropped within the TTL, passed again after it")
                    .extracting(e -> e.offset)
                    .containsExactly(0L, 2L);
        }
    }

    @Test
    void remembersSeenIdsAcrossSnapshotAndRestore() throws Exception {
        for (int split = 1; split < retriedEvents().size(); split++) {
            Harnesses.Run expected =
                    Harnesses.uninterrupted(DeduplicateFunctionTest::harness, retriedEvents());
            Harnesses.Run restored =
                    Harnesses.restoredAfter(
                            split, DeduplicateFunctionTest::harness, retriedEvents());
            assertThat(expected.main()).hasSize(5);
            assertSameOutput(restored, expected);
        }
    }
}
