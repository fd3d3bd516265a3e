package dev.counterweight.it.weighting;

import dev.counterweight.avro.UserEvent;
import dev.counterweight.connectors.kafka.Topics;
import dev.counterweight.it.harness.FlinkRestClient;
import dev.counterweight.it.harness.ItConfig;
import dev.counterweight.it.harness.KafkaBrokerProcess;
import dev.counterweight.it.reference.JobOutput;
import dev.counterweight.it.reference.TopicIO;
import dev.counterweight.it.reference.WeightingJobOptions;
import dev.counterweight.jobs.weighting.SampleWeightingOptions;
import dev.counterweight.testing.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;

/**
 * The steps the fault scenarios share: submit the shaded job to a cluster, and finish it — wait
 * until every event is read and checkpointed, stop with a draining savepoint, and check the output
 * against the reference.
 */
final class WeightingReplay {

    private WeightingReplay() {}

    /** Submits the job jar with {@code options} and waits until every task runs. */
    static String submit(FlinkRestClient rest, Map<String, String> options) {
        String jobId = rest.submit(ItConfig.jobJar(), WeightingJobOptions.args(options));
        Await.until(
                "every task of job " + jobId + " runs",
                () -> rest.allTasksRunning(jobId),
                Duration.ofMinutes(2));
        return jobId;
    }

    /** Waits for a checkpoint completed after this call, with every task running. */
    static void awaitNewCheckpoint(FlinkRestClient rest, String jobId) {
        long before = rest.completedCheckpoints(jobId);
        Await.until(
                "a checkpoint of job " + jobId + " completes",
                () -> rest.allTasksRunning(jobId) && rest.completedCheckpoints(jobId) > before,
                Duration.ofMinutes(2));
    }

    /**
     * Stops the job once it has read and checkpointed every event, draining it (every window
     * closes), then reads the output and checks it is exact for {@code events}.
     */
    static JobOutput finishAndVerify(
            FlinkRestClient rest,
            KafkaBrokerProcess broker,
            String jobId,
            List<UserEvent> events,
            Map<String, String> options,
            Path savepoints)
            throws Exception {
        try (Admin admin = broker.admin()) {
            Await.until(
                    "the job has read and checkpointed every event",
                    () ->
                            rest.allTasksRunning(jobId)
                                    && TopicIO.groupCaughtUp(
                                            admin,
                                            SampleWeightingOptions.GROUP_ID.defaultValue(),
                                            Topics.EVENTS.name()),
                    Duration.ofSeconds(Math.max(180, events.size() / 200)));
        }
        String savepoint = rest.stopWithSavepoint(jobId, savepoints, true, Duration.ofMinutes(5));
        rest.waitForStatus(jobId, "FINISHED", Duration.ofMinutes(2));
        if (savepoint == null || savepoint.isBlank()) {
            throw new AssertionError("the stop-with-savepoint reported no location");
        }
        JobOutput output = JobOutput.read(broker.bootstrapServers());
        output.assertExactFor(events, WeightingJobOptions.settings(options));
        return output;
    }
}
