package dev.counterweight.connectors.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.counterweight.connectors.replay.ReplayPacing.TimeShift;
import org.junit.jupiter.api.Test;

class ReplayPacingTest {

    private static final long T0 = 1_511_658_000_000L;
    private static final long NOW = 1_750_000_000_000L;
    private static final long MS = 1_000_000L;

    @Test
    void noneKeepsEventTimes() {
        long[] times = {T0, T0 + 1_000, T0 + 61_000};

        assertThat(new ReplayPacing(0, TimeShift.NONE, 1).eventTimes(times, NOW))
                .containsExactly(times);
    }

    @Test
    void nowMovesTheFirstEventToTheWallClockAndKeepsGaps() {
        long[] times = {T0, T0 + 1_000, T0 + 61_000};

        assertThat(new ReplayPacing(0, TimeShift.NOW, 1).eventTimes(times, NOW))
                .containsExactly(NOW, NOW + 1_000, NOW + 61_000);
    }

    @Test
    void compressionDividesEveryGapWithoutAccumulatingRounding() {
        long[] times = new long[61];
        for (int i = 0; i < times.length; i++) {
            times[i] = T0 + i * 1_000L; // one event per second
        }

        long[] out = new ReplayPacing(0, TimeShift.NOW, 3).eventTimes(times, NOW);

        assertThat(out[1] - out[0]).isEqualTo(333);
        // 60 s / 3 exactly, although every single gap rounds to 333 ms.
        assertThat(out[60]).isEqualTo(NOW + 20_000);
    }

    @Test
    void twoHoursCompressedSixtyTimesFitInTwoMinutes() {
        long[] times = {T0, T0 + 7_200_000};

        long[] out = new ReplayPacing(1, TimeShift.NONE, 60).eventTimes(times, NOW);

        assertThat(out).containsExactly(T0, T0 + 120_000);
    }

    @Test
    void speedUpScalesSendTimesOfTheRetimedStream() {
        long[] retimed = {NOW, NOW + 1_000, NOW + 10_000};

        assertThat(new ReplayPacing(1, TimeShift.NOW, 1).sendOffsetsNanos(retimed))
                .containsExactly(0, 1_000 * MS, 10_000 * MS);
        assertThat(new ReplayPacing(10, TimeShift.NOW, 1).sendOffsetsNanos(retimed))
                .containsExactly(0, 100 * MS, 1_000 * MS);
        assertThat(new ReplayPacing(0.5, TimeShift.NOW, 1).sendOffsetsNanos(retimed))
                .containsExactly(0, 2_000 * MS, 20_000 * MS);
    }

    @Test
    void speedUpZeroSendsEverythingAtOnce() {
        assertThat(
                        new ReplayPacing(0, TimeShift.NONE, 1)
                                .sendOffsetsNanos(new long[] {T0, T0 + 5_000, T0 + 9_000}))
                .containsOnly(0L);
    }

    @Test
    void compressionAndSpeedUpCombine() {
        ReplayPacing pacing = new ReplayPacing(2, TimeShift.NOW, 60);
        long[] times = {T0, T0 + 3_600_000}; // one hour apart

        long[] offsets = pacing.sendOffsetsNanos(pacing.eventTimes(times, NOW));

        // one hour / 60 = 60 s of event time, played twice as fast: 30 s.
        assertThat(offsets).containsExactly(0, 30_000 * MS);
    }

    @Test
    void outOfOrderEventsAreNeverDueBeforeEarlierOnes() {
        long[] offsets =
                new ReplayPacing(1, TimeShift.NONE, 1)
                        .sendOffsetsNanos(new long[] {T0, T0 + 2_000, T0 + 1_000});

        assertThat(offsets).containsExactly(0, 2_000 * MS, 2_000 * MS);
    }

    @Test
    void leadIsHowFarEventTimesRunAheadOfTheWallClock() {
        ReplayPacing fast = new ReplayPacing(0, TimeShift.NOW, 1);
        long[] times = fast.eventTimes(new long[] {T0, T0 + 7_200_000}, NOW);

        assertThat(ReplayPacing.maxLeadMillis(times, fast.sendOffsetsNanos(times), NOW))
                .isEqualTo(7_200_000);

        ReplayPacing realTime = new ReplayPacing(1, TimeShift.NOW, 1);
        long[] paced = realTime.eventTimes(new long[] {T0, T0 + 7_200_000}, NOW);
        assertThat(ReplayPacing.maxLeadMillis(paced, realTime.sendOffsetsNanos(paced), NOW))
                .isZero();
    }

    @Test
    void rejectsNegativeSpeedUpAndNonPositiveCompression() {
        assertThatThrownBy(() -> new ReplayPacing(-1, TimeShift.NONE, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("speed-up must be a finite number >= 0");
        assertThatThrownBy(() -> new ReplayPacing(1, TimeShift.NONE, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("compress must be a finite number > 0");
        assertThatThrownBy(() -> new ReplayPacing(Double.NaN, TimeShift.NONE, 1))
                .hasMessageContaining("speed-up");
    }
}
