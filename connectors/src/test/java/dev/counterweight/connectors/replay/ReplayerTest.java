package dev.counterweight.connectors.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.counterweight.avro.UserEvent;
import dev.counterweight.avro.fixtures.TestEvents;
import dev.counterweight.connectors.replay.ReplayPacing.TimeShift;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplayerTest {

    private static final long NOW = 1_750_000_000_000L;
    private static final long SECOND = 1_000_000_000L;

    private final TestingTicker ticker = new TestingTicker(NOW);
    private final TestingEventSink sink = new TestingEventSink(ticker);

    @Test
    void sendsInEventTimeOrderKeyedByUserWithEventTimeAsTimestamp() throws Exception {
        List<UserEvent> events =
                List.of(
                        TestEvents.click("u1", "i1").at(3_000),
                        TestEvents.impression("u1", "i1").at(1_000),
                        TestEvents.impression("u2", "i9").at(2_000));

        new Replayer(sink, events, ReplayPacing.asFastAsPossible(), ProgressListener.NONE, ticker)
                .run();

        assertThat(sink.sent)
                .extracting(TestingEventSink.Sent::key)
                .containsExactly("u1", "u2", "u1");
        assertThat(sink.sent)
                .allSatisfy(
                        s ->
                                assertThat(s.timestampMillis())
                                        .isEqualTo(s.event().getEventTime().toEpochMilli()));
        assertThat(sink.sent.get(0).event()).isEqualTo(events.get(1));
        assertThat(sink.flushes).isOne();
        assertThat(ticker.sleeps).isZero();
    }

    @Test
    void pacesOnTheRetimedStreamAndRewritesEventTimes() throws Exception {
        // Two hours of events, one every 10 minutes, compressed 60x and played at 2x.
        List<UserEvent> events = new ArrayList<>();
        for (int i = 0; i <= 12; i++) {
            events.add(TestEvents.impression("u" + i, "i" + i).at(1_000 + i * 600_000L));
        }
        List<long[]> progress = new ArrayList<>();

        new Replayer(
                        sink,
                        events,
                        new ReplayPacing(2, TimeShift.NOW, 60),
                        (sent, total, elapsed) -> progress.add(new long[] {sent, total, elapsed}),
                        ticker)
                .run();

        // 10 min / 60 = 10 s of event time between events, sent 5 s apart.
        for (int i = 0; i <= 12; i++) {
            assertThat(sink.sent.get(i).timestampMillis()).isEqualTo(NOW + i * 10_000L);
            assertThat(sink.sent.get(i).event().getEventTime().toEpochMilli())
                    .isEqualTo(NOW + i * 10_000L);
            assertThat(sink.sent.get(i).sentAtNanos()).isEqualTo(i * 5 * SECOND);
        }
        // While waiting, progress still ticks (for the bar's rate and ETA).
        assertThat(progress.size()).isGreaterThan(13 * 2);
        assertThat(progress.get(progress.size() - 1)).containsExactly(13, 13, 60 * SECOND);
    }

    @Test
    void refusesEventsFarAheadOfTheWallClockBeforeSendingAny() {
        List<UserEvent> events =
                List.of(
                        TestEvents.impression("u1", "i1").at(0),
                        TestEvents.impression("u2", "i2").at(2 * 3_600_000L));

        assertThatThrownBy(
                        () ->
                                new Replayer(
                                                sink,
                                                events,
                                                new ReplayPacing(0, TimeShift.NOW, 1),
                                                ProgressListener.NONE,
                                                ticker)
                                        .run())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2.0 h ahead of the wall clock")
                .hasMessageContaining("--compress 3 or more");
        assertThat(sink.sent).isEmpty();
    }

    @Test
    void nothingToReplayStillFinishes() throws Exception {
        Replayer.Result result =
                new Replayer(
                                sink,
                                List.of(),
                                ReplayPacing.asFastAsPossible(),
                                ProgressListener.NONE,
                                ticker)
                        .run();

        assertThat(result.sent()).isZero();
        assertThat(result.firstEventTime()).isNull();
    }
}
