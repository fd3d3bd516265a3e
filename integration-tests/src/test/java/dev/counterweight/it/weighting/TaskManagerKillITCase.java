package dev.counterweight.it.weighting;

import static org.assertj.core.api.Assertions.assertThat;

import dev.counterweight.avro.UserEvent;
import dev.counterweight.connectors.kafka.Topics;
import dev.counterweight.it.harness.FlinkClusterProcess;
import dev.counterweight.it.harness.FlinkRestClient;
import dev.counterweight.it.harness.ItConfig;
import dev.counterweight.it.harness.KafkaBrokerProcess;
import dev.counterweight.it.reference.EventProducer;
import dev.counterweight.it.reference.JobOutput;
import dev.counterweight.it.reference.UniquePairEvents;
import dev.counterweight.it.reference.WeightingJobOptions;
import dev.counterweight.testing.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The shaded job on a standalone cluster (JobManager + 2 TaskManager JVMs, RocksDB, incremental
 * checkpoints every 2 s) against a broker JVM, while events are replayed: a TaskManager is killed
 * with SIGKILL ({@code cw.it.kills} times, each after a completed checkpoint) and restarted. The
 * job is then stopped with a draining savepoint, and the read_committed output must equal the
 * offline reference exactly: every sample once, with its labels, and every weight table.
 */
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class TaskManagerKillITCase {

    private static Path work;
    private static KafkaBrokerProcess broker;
    private static FlinkClusterProcess cluster;

    @BeforeAll
    static void start() {
        work = ItConfig.workDir(TaskManagerKillITCase.class);
        broker = KafkaBrokerProcess.start(work.resolve("kafka"), Map.of());
        broker.createCounterweightTopics(2);
        cluster = FlinkClusterProcess.start(work.resolve("flink"), 2, 1, Map.of());
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void outputIsExactAfterTaskManagerKills() throws Exception {
        int kills = ItConfig.kills();
        List<UserEvent> events = UniquePairEvents.generate(7, ItConfig.events());
        Map<String, String> options =
                WeightingJobOptions.replay(
                        broker.bootstrapServers(), work.resolve("checkpoints"), "2 s");
        options.put("kafka.transactional-id-prefix", "it-tm-kill");
        Duration replay = Duration.ofSeconds(Math.max(30, events.size() / 1_000));
        FlinkRestClient rest = cluster.rest();
        long started = System.nanoTime();

        String jobId;
        try (EventProducer producer =
                EventProducer.start(
                        broker.bootstrapServers(), Topics.EVENTS.name(), events, replay)) {
            jobId = WeightingReplay.submit(rest, options);
            assertThat(rest.availableSlots())
                    .as("free slots: the job must run on both TaskManagers")
                    .isZero();
            for (int k = 0; k < kills; k++) {
                int due = (int) ((long) events.size() * (k + 1) / (kills + 1));
                Await.until(
                        due + " events replayed",
                        () -> producer.acknowledged() >= due,
                        replay.plusMinutes(2));
                WeightingReplay.awaitNewCheckpoint(rest, jobId);
                long restarts = rest.numRestarts(jobId);
                int victim = k % 2;
                cluster.killTaskManager(victim);
                cluster.startTaskManager(victim);
                log(
                        "killed TaskManager %d at %d of %d events",
                        victim, producer.sent(), events.size());
                Await.until(
                        "job " + jobId + " restarted after kill " + (k + 1) + " and runs again",
                        () -> rest.numRestarts(jobId) > restarts && rest.allTasksRunning(jobId),
                        Duration.ofMinutes(3));
                WeightingReplay.awaitNewCheckpoint(rest, jobId);
            }
            producer.awaitDone(replay.plusMinutes(3));
        }
        log("replayed %d events in %d s", events.size(), secondsSince(started));

        JobOutput output =
                WeightingReplay.finishAndVerify(
                        rest, broker, jobId, events, options, work.resolve("savepoints"));
        long restarts = rest.numRestarts(jobId);
        assertThat(restarts).as("restarts of the job").isGreaterThanOrEqualTo(kills);
        log(
                "%d events -> %d samples, %d tables: exact after %d TaskManager kills (%d"
                        + " restarts), %d s",
                events.size(),
                output.samples().size(),
                output.tables().size(),
                kills,
                restarts,
                secondsSince(started));
    }

    private static long secondsSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000_000L;
    }

    private static void log(String format, Object... args) {
        System.out.printf("[TaskManagerKillITCase] " + format + "%n", args);
    }
}
