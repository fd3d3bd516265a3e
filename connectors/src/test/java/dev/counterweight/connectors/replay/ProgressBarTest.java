package dev.counterweight.connectors.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class ProgressBarTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void showsCountsRateAndEta() {
        String line = ProgressBar.format(4_500, 10_000, 3 * SECOND, "events", false);

        assertThat(line)
                .isEqualTo(
                        "[##########..............]  45%  4,500/10,000 events  1,500/s  ETA 0:04");
    }

    @Test
    void slowRatesKeepADecimalAndLongEtasShowHours() {
        assertThat(ProgressBar.format(5, 100_000, 2 * SECOND, "events", false))
                .contains("2.5/s")
                .endsWith("ETA 11:06:38");
    }

    @Test
    void etaIsUnknownBeforeAnythingIsSent() {
        assertThat(ProgressBar.format(0, 500, 0, "events", false))
                .startsWith("[........................]   0%  0/500 events")
                .endsWith("--/s  ETA --:--");
        assertThat(ProgressBar.etaSeconds(0, 500, 0.0)).isEqualTo(-1);
    }

    @Test
    void etaRoundsUpAndIsZeroWhenDone() {
        assertThat(ProgressBar.etaSeconds(100, 350, 100.0)).isEqualTo(3);
        assertThat(ProgressBar.etaSeconds(350, 350, 100.0)).isZero();
    }

    @Test
    void finalLineShowsTheTotalTime() {
        assertThat(ProgressBar.format(500, 500, 65 * SECOND, "events", true))
                .startsWith("[########################] 100%  500/500 events")
                .endsWith("done in 1:05");
    }

    @Test
    void emptyReplayIsComplete() {
        assertThat(ProgressBar.format(0, 0, 0, "events", true)).contains("100%  0/0 events");
    }

    @Test
    void terminalRedrawsOneLineAtMostFiveTimesPerSecond() {
        StringWriter text = new StringWriter();
        ProgressBar bar = new ProgressBar(new PrintWriter(text), true, "events");

        // 1,000 updates over one second.
        for (int i = 1; i <= 1_000; i++) {
            bar.onProgress(i, 1_000, i * 1_000_000L);
        }
        bar.onDone(1_000, 1_000, SECOND);

        String out = text.toString();
        assertThat(out.chars().filter(c -> c == '\r').count()).isBetween(5L, 7L);
        assertThat(out).endsWith(System.lineSeparator()).contains("done in 0:01");
        assertThat(out.chars().filter(c -> c == '\n').count()).isOne();
    }

    @Test
    void plainOutputPrintsAboutEveryTenPercent() {
        StringWriter text = new StringWriter();
        ProgressBar bar = new ProgressBar(new PrintWriter(text), false, "events");

        // 100 updates, one every 300 ms: never throttled.
        for (int i = 1; i <= 100; i++) {
            bar.onProgress(i, 100, i * 300_000_000L);
        }
        bar.onDone(100, 100, 30 * SECOND);

        assertThat(text.toString().lines()).hasSize(10).first().asString().contains(" 10%");
        assertThat(text.toString().lines()).last().asString().contains("done in 0:30");
    }
}
