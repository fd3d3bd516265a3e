package dev.counterweight.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.counterweight.connectors.replay.DatasetEvents;
import dev.counterweight.connectors.replay.ReplayPacing;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first command on a slice of the shared data: broker, Flink with its Web UI, the job,
 * the learner, replay, drain, report.
 */
class LocalPipelineITCase {

    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void runsTheWholePipelineOnceOnASliceAndWritesTheReport(@TempDir Path dir) throws Exception {
        StringWriter out = new StringWriter();
        LocalPipeline.Settings settings =
                new LocalPipeline.Settings(
                        dir,
                        0,
                        2,
                        DatasetEvents.Source.TAOBAO,
                        12_000,
                        ReplayPacing.asFastAsPossible(),
                        Map.of("attribution.window", "5 min"),
                        Map.of(
                                "learner.snapshot-interval",
                                "0 s",
                                "learner.gate.min-samples",
                                "1000"),
                        true);
        LocalPipeline.Summary summary;
        try (LocalPipeline pipeline =
                new LocalPipeline(
                        settings, new PrintWriter(out, true), new PrintWriter(out, true))) {
            summary = pipeline.run();
        }

        assertThat(summary.eventsSent()).isEqualTo(12_000);
        assertThat(summary.samples()).as("weighted samples").isGreaterThan(5_000);
        assertThat(summary.weightTables()).as("weight-table versions").isPositive();
        assertThat(summary.weightTableVersions())
                .as("every table version from 1 is in the topic")
                .isNotEmpty()
                .startsWith(1L)
                .isSorted()
                .satisfies(v -> assertThat(v.get(v.size() - 1)).isEqualTo((long) v.size()));
        assertThat(summary.snapshotsAnnounced()).as("published snapshots").isPositive();
        assertThat(summary.samplesTrained()).isEqualTo(summary.samples());
        assertThat(summary.reportFiles()).isNotEmpty();
        Path report = summary.reportFiles().get(0);
        assertThat(Files.readString(report)).contains("class-distribution.png", "learner-auc.png");
        assertThat(report.resolveSibling("class-distribution.png")).isNotEmptyFile();
        assertThat(out.toString()).contains("Flink Web UI", "Done in");
    }
}
