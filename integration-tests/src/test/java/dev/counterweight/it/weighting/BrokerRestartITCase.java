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
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The broker JVM is killed with SIGKILL in the middle of a replay and restarted on the same address
 * and log directory, while the job runs on the standalone cluster and the replay goes on (its
 * idempotent producer waits for the broker). The output must still be exact. Part of the full
 * reliability suite ({@code -Preliability-full}).
 */
@EnabledIfSystemProperty(named = "cw.it.full", matches = "true")
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class BrokerRestartITCase {

    private static Path work;
    private static KafkaBrokerProcess broker;
    private static FlinkClusterProcess cluster;

    @BeforeAll
    static void start() {
        work = ItConfig.workDir(BrokerRestartITCase.class);
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
    void outputIsExactAfterTheBrokerIsKilledAndRestartedMidReplay() throws Exception {
        List<UserEvent> events = UniquePairEvents.generate(13, ItConfig.events());
        Map<String, String> options =
                WeightingJobOptions.replay(
                        broker.bootstrapServers(), work.resolve("checkpoints"), "2 s");
        options.put("kafka.transactional-id-prefix", "it-broker-restart");
        Duration replay = Duration.ofSeconds(Math.max(30, events.size() / 1_000));
        FlinkRestClient rest = cluster.rest();

        String jobId;
        try (EventProducer producer =
                EventProducer.start(
                        broker.bootstrapServers(), Topics.EVENTS.name(), events, replay)) {
            jobId = WeightingReplay.submit(rest, options);
            int due = events.size() / 2;
            Await.until(
                    due + " events replayed",
                    () -> producer.acknowledged() >= due,
                    replay.plusMinutes(2));
            WeightingReplay.awaitNewCheckpoint(rest, jobId);
            broker.kill9();
            broker.restart();
            System.out.printf(
                    "[BrokerRestartITCase] broker killed and restarted at %d of %d events%n",
                    producer.sent(), events.size());
            producer.awaitDone(replay.plusMinutes(5));
        }
        WeightingReplay.awaitNewCheckpoint(rest, jobId);
        JobOutput output =
                WeightingReplay.finishAndVerify(
                        rest, broker, jobId, events, options, work.resolve("savepoints"));
        assertThat(output.samples()).isNotEmpty();
        System.out.printf(
                "[BrokerRestartITCase] %d events -> %d samples, exact; job restarts: %d%n",
                events.size(), output.samples().size(), rest.numRestarts(jobId));
    }
}
