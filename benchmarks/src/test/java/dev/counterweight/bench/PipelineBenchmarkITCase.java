package dev.counterweight.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.counterweight.bench.PipelineBenchmark.Job;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plumbing of {@code bench pipeline} on a tiny stream: a real broker and MiniCluster run all
 * three jobs at two sizes, and every figure the report needs comes back. No timing is asserted.
 */
class PipelineBenchmarkITCase {

    @Test
    void tinyRunGivesFiniteRatiosFitsAndPerTaskLoads(@TempDir Path dir) throws Exception {
        StringWriter log = new StringWriter();
        PipelineBenchmark.Result r =
                PipelineBenchmark.run(
                        dir,
                        new PipelineBenchmark.Config(1_500, 600, 1, Duration.ofSeconds(1), false),
                        new PrintWriter(log, true));

        for (Job j : Job.values()) {
            assertThat(r.throughput().get(j).median()).as(j.label).isFinite().isPositive();
            assertThat(r.windowSeconds().get(j).median()).as(j.label).isPositive();
            assertThat(r.microsPerEvent().get(j).median()).as(j.label).isFinite();
            assertThat(r.startupSeconds().get(j).median()).as(j.label).isFinite();
            RunProbe.Window w = r.profiled().get(j).window();
            assertThat(w.seconds()).as(j.label).isPositive();
            // Every task's times are shares of the window: none above ~1000 ms/s.
            for (RunProbe.TaskLoad t : w.tasks()) {
                assertThat(t.busy()).as(t.task()).isBetween(0.0, 1100.0);
                assertThat(t.busyMax()).as(t.task()).isBetween(t.busy(), 1100.0);
                assertThat(t.backPressured()).as(t.task()).isBetween(0.0, 1100.0);
                assertThat(t.busy() + t.backPressured() + t.idle())
                        .as(t.task())
                        .isLessThanOrEqualTo(1100.0);
            }
            // The profile holds the job's task threads, and its shares add up to at most 1.
            assertThat(w.threads()).anyMatch(t -> t.group().startsWith("task: "));
            assertThat(w.threads().stream().mapToDouble(RunProbe.ThreadCpu::share).sum())
                    .isLessThanOrEqualTo(1.0001);
        }
        assertThat(r.ratioToPassThrough().median()).isFinite().isPositive();
        assertThat(r.ratioToPeer().median()).isFinite().isPositive();
        assertThat(r.peerToPassThrough().median()).isFinite().isPositive();
        assertThat(r.profiled().get(Job.WEIGHTING).window().tasks())
                .extracting(RunProbe.TaskLoad::task)
                .anyMatch(t -> t.contains("Attribute labels (per user)"))
                .anyMatch(t -> t.contains("Class counts (per class)"));
        assertThat(r.profiled().get(Job.PEER).window().tasks())
                .extracting(RunProbe.TaskLoad::task)
                .anyMatch(t -> t.contains("IntervalJoin"))
                .anyMatch(t -> t.contains("Window"));
        assertThat(r.large().events()).isEqualTo(PipelineBenchmark.stream(1_500).size());

        String md = PipelineBenchmark.markdown(r, "cmd", "machine");
        assertThat(md)
                .contains("ratio b/a", "ratio b/c", "Two-size fit", "Attribute labels")
                .doesNotContain("NaN");
    }
}
