package dev.counterweight.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.counterweight.avro.EventType;
import dev.counterweight.avro.UserEvent;
import dev.counterweight.connectors.dataset.SyntheticEventGenerator;
import dev.counterweight.jobs.weighting.SampleWeightingSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

class PipelineBenchmarkTest {

    private static final long MIN = 60_000;

    private static SampleWeightingSettings settings() {
        return SampleWeightingSettings.from(
                Configuration.fromMap(
                        PipelineBenchmark.jobOptions(
                                "localhost:9092",
                                Path.of("target"),
                                "e",
                                "r",
                                0,
                                new PipelineBenchmark.Config(
                                        2, 1, 1, Duration.ofSeconds(10), false))));
    }

    private static UserEvent e(String id, EventType type, long minutes) {
        return SyntheticEventGenerator.event(id, "u", "i", "c", type, minutes * MIN);
    }

    @Test
    void benchmarkSettingsUseTheThirtyMinuteWindowAndOneHourHorizon() {
        SampleWeightingSettings s = settings();
        assertThat(s.attribution().windowMillis()).isEqualTo(30 * MIN);
        assertThat(s.attribution().correctionHorizonMillis()).isEqualTo(60 * MIN);
    }

    @Test
    void workloadCountsLatePurchasesAndExposuresThatExpireBeforeTheEnd() {
        // Window 30 min, horizon 60 min: a purchase 30 < d <= 90 min after its exposure is a
        // correction; an exposure expires at +90 min, which must lie before the last watermark.
        List<UserEvent> events =
                List.of(
                        e("syn-0", EventType.IMPRESSION, 0),
                        e("syn-1", EventType.IMPRESSION, 1),
                        e("syn-2", EventType.IMPRESSION, 2),
                        e("syn-0-c", EventType.CLICK, 3),
                        e("syn-0-p", EventType.PURCHASE, 10), // inside the window
                        e("syn-1-c", EventType.CLICK, 5),
                        e("syn-1-p", EventType.PURCHASE, 60), // 59 min: correction
                        e("syn-2-c", EventType.CLICK, 6),
                        e("syn-2-p", EventType.PURCHASE, 93), // 91 min: past the horizon
                        e("syn-3", EventType.IMPRESSION, 95));
        PipelineBenchmark.Workload w = PipelineBenchmark.workload(events, settings());
        assertThat(w.exposures()).isEqualTo(4);
        assertThat(w.events()).isEqualTo(10);
        assertThat(w.purchases()).isEqualTo(3);
        assertThat(w.latePurchases()).isEqualTo(1);
        // Last watermark 95 min minus the out-of-orderness: syn-0 (90), syn-1 (91), syn-2 (92)
        // expire before it, syn-3 (185) does not.
        assertThat(w.expiringExposures()).isEqualTo(3);
        assertThat(w.eventTimeHours()).isCloseTo(95 / 60.0, within(1e-9));
    }

    @Test
    void benchmarkStreamHasCorrectionsAndExpiriesWhileRead() {
        PipelineBenchmark.Workload w =
                PipelineBenchmark.workload(PipelineBenchmark.stream(40_000), settings());
        assertThat(w.latePurchases()).isPositive().isLessThan(w.purchases());
        assertThat(w.expiringExposures()).isPositive().isLessThan(w.exposures());
    }

    @Test
    void fitIsTheLineThroughBothRuns() {
        // 2 s start-up, 50 µs per event: 10,000 events take 2.5 s, 30,000 take 3.5 s.
        PipelineBenchmark.Fit f = PipelineBenchmark.Fit.of(10_000, 2.5, 30_000, 3.5);
        assertThat(f.startupSeconds()).isCloseTo(2.0, within(1e-9));
        assertThat(f.microsPerEvent()).isCloseTo(50.0, within(1e-9));
        assertThat(f.marginalRate()).isCloseTo(20_000.0, within(1e-6));
    }

    @Test
    void intervalLiteralSpellsTheWindowInDaysToMilliseconds() {
        assertThat(TablePeerJob.dayToSecond(Duration.ofMinutes(30))).isEqualTo("0 00:30:00.000");
        assertThat(TablePeerJob.dayToSecond(Duration.ofMillis(90_061_001L)))
                .isEqualTo("1 01:01:01.001");
    }
}
