package dev.counterweight.learner.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.counterweight.avro.DeadLetter;
import dev.counterweight.avro.ModelSnapshot;
import dev.counterweight.avro.PartitionOffset;
import dev.counterweight.avro.Sample;
import dev.counterweight.learner.model.Batch;
import dev.counterweight.learner.snapshot.SnapshotStore;
import dev.counterweight.testing.SyntheticSamples;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The learner's loop on in-memory ports (a testing source, publishers, clock and model), in
 * milliseconds: batching, snapshots and their offsets, announcements, class loss, dead letters and
 * their flush before the snapshot that passes them, rejected batches, batch timeout and idle stops
 * on the clock, and resuming exactly from the newest snapshot. The Kafka adapter has its own ITCase
 * ({@code KafkaLearnerIOITCase}); the whole service on a broker is {@code OnlineLearnerITCase}.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class OnlineLearnerTest {

    static final String MODEL = "ranker";

    @TempDir Path dir;

    @Test
    void trainsInBatchesWritesSnapshotsWithOffsetsAndPublishes() throws Exception {
        Fixture f = new Fixture(dir, options());
        List<Sample> samples = SyntheticSamples.learnable(1_000, 1);
        for (int i = 0; i < samples.size(); i++) {
            f.source.append(i % 2, samples.get(i));
        }

        OnlineLearner.Status status = f.learner().run();

        assertThat(status.state()).isEqualTo("stopped");
        assertThat(status.samplesTrained()).isEqualTo(1_000);
        assertThat(status.version()).isEqualTo(3);
        assertThat(status.skipped()).isZero();
        assertThat(f.store().manifests())
                .extracting(ModelSnapshot::getVersion, ModelSnapshot::getSamplesTrained)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(3L, 1_000L),
                        org.assertj.core.groups.Tuple.tuple(2L, 800L),
                        org.assertj.core.groups.Tuple.tuple(1L, 400L));
        ModelSnapshot v1 = f.store().manifests().get(2);
        assertThat(v1.getConsumerOffsets())
                .containsExactly(
                        new PartitionOffset(TestingSampleSource.TOPIC, 0, 200L),
                        new PartitionOffset(TestingSampleSource.TOPIC, 1, 200L));
        ModelSnapshot last = f.store().latestValid().orElseThrow();
        assertThat(last.getConsumerOffsets())
                .containsExactly(
                        new PartitionOffset(TestingSampleSource.TOPIC, 0, 500L),
                        new PartitionOffset(TestingSampleSource.TOPIC, 1, 500L));
        assertThat(last.getCreatedAt()).isEqualTo(f.clock.now());

        // The model trained the ten batches of 100 in stream order, and nothing else.
        TestingRankingModel reference = reference(f, samples, 100, b -> false);
        assertThat(f.models.last.state()).isEqualTo(reference.state());
        assertThat(f.models.created.get(0).startedAtBaseRates).isTrue();
        TestingRankingModel saved =
                TestingRankingModel.load(f.store().modelFile(3), f.settings.model(), b -> false);
        assertThat(saved.state()).isEqualTo(reference.state());

        assertThat(f.out.announced)
                .extracting(ModelSnapshot::getVersion)
                .containsExactly(1L, 2L, 3L);
        assertThat(f.out.announced.get(2)).isEqualTo(last);
        // class-loss-every-batches 2: after batches 2, 4, 6, 8 and 10.
        assertThat(f.out.classLosses).hasSize(5);
        assertThat(f.out.classLosses.get(4).getSamples()).isEqualTo(1_000);
        assertThat(f.out.classLosses.get(4).getWindowEnd())
                .isEqualTo(samples.get(999).getExposureTime());
        assertThat(f.source.committed()).isEqualTo(Map.of(0, 500L, 1, 500L));
        assertThat(f.source.seekedTo()).isEmpty();
        assertThat(f.source.closed()).isTrue();
        // max-idle 2 s: the loop stops after the first idle poll past 2 s.
        assertThat(f.clock.elapsed()).isEqualTo(Duration.ofMillis(2_100));
    }

    @Test
    void resumesFromTheNewestSnapshotExactlyAsAnUninterruptedRun() throws Exception {
        List<Sample> samples = SyntheticSamples.learnable(1_000, 2);
        Fixture uninterrupted = new Fixture(dir.resolve("a"), options());
        samples.forEach(s -> uninterrupted.source.append(0, s));
        uninterrupted.learner().run();

        Fixture first = new Fixture(dir.resolve("b"), options());
        samples.subList(0, 600).forEach(s -> first.source.append(0, s));
        assertThat(first.learner().run().version()).isEqualTo(2);

        Fixture second = new Fixture(dir.resolve("b"), options());
        samples.forEach(s -> second.source.append(0, s));
        OnlineLearner.Status resumed = second.learner().run();

        assertThat(second.source.seekedTo()).isEqualTo(Map.of(0, 600L));
        assertThat(second.models.loaded)
                .containsExactly(dir.resolve("b").resolve(MODEL + "-v2.model"));
        assertThat(second.models.last.startedAtBaseRates).isFalse();
        assertThat(resumed.samplesTrained()).isEqualTo(1_000);
        assertThat(resumed.version()).isEqualTo(3);
        assertThat(second.models.last.state()).isEqualTo(uninterrupted.models.last.state());
        assertThat(second.store().latestValid().orElseThrow().getConsumerOffsets())
                .isEqualTo(uninterrupted.store().latestValid().orElseThrow().getConsumerOffsets());
        Set<Long> read = new HashSet<>();
        first.source.delivered().forEach(r -> read.add(r.offset()));
        for (SampleSource.Record r : second.source.delivered()) {
            assertThat(read.add(r.offset())).as("offset %d read twice", r.offset()).isTrue();
        }
        assertThat(read).hasSize(1_000);
    }

    @Test
    void deadLettersBadRecordsAndFlushesThemBeforeTheSnapshotThatPassesThem() throws Exception {
        Map<String, String> o = options();
        o.put("learner.snapshot-every-samples", "200");
        TestingPublishers out = new TestingPublishers();
        Fixture f = new Fixture(dir, o, out, b -> false);
        List<Sample> good = SyntheticSamples.learnable(448, 3);
        byte[] garbage = {1, 2, 3};
        for (int i = 0; i < good.size(); i++) {
            if (i == 5) {
                f.source.append(0, garbage);
            }
            f.source.append(0, good.get(i));
        }
        SampleSource.Record tombstone = f.source.append(0, (byte[]) null);

        OnlineLearner.Status status = f.learner().run();

        assertThat(status.samplesTrained()).isEqualTo(448);
        assertThat(status.skipped()).isEqualTo(2);
        assertThat(out.deadLetters)
                .extracting(DeadLetter::getTopic, DeadLetter::getPartition, DeadLetter::getOffset)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(TestingSampleSource.TOPIC, 0, 5L),
                        org.assertj.core.groups.Tuple.tuple(
                                TestingSampleSource.TOPIC, 0, tombstone.offset()));
        DeadLetter first = out.deadLetters.get(0);
        assertThat(first.getRawValue()).isEqualTo(ByteBuffer.wrap(garbage));
        assertThat(first.getReasonCode()).isNotBlank();
        assertThat(first.getRecordTimestamp()).isNotNull();
        assertThat(out.deadLetters.get(1).getRawValue()).isNull();
        // Each dead letter is flushed before the snapshot whose offsets pass it is written.
        assertThat(out.events)
                .containsExactly(
                        "dead-letter 0@5",
                        "flush",
                        "write v1",
                        "announce v1",
                        "write v2",
                        "announce v2",
                        "dead-letter 0@449",
                        "flush",
                        "write v3",
                        "announce v3");
        assertThat(f.store().latestValid().orElseThrow().getConsumerOffsets())
                .containsExactly(new PartitionOffset(TestingSampleSource.TOPIC, 0, 450L));
        assertThat(f.models.last.state()).isEqualTo(reference(f, good, 100, b -> false).state());

        // A restart reads nothing again and writes no snapshot.
        Fixture again = new Fixture(dir, o, new TestingPublishers(), b -> false);
        again.source = f.source.copy(again.clock);
        OnlineLearner.Status restarted = again.learner().run();
        assertThat(again.source.delivered()).isEmpty();
        assertThat(restarted.skipped()).isZero();
        assertThat(restarted.version()).isEqualTo(3);
    }

    @Test
    void aBatchWithANonFiniteStepIsNotAppliedAndItsOffsetsCountAsConsumed() throws Exception {
        List<Sample> samples = new ArrayList<>(SyntheticSamples.learnable(300, 4));
        samples.set(150, Sample.newBuilder(samples.get(150)).setWeight(3.0).build());
        Predicate<Batch> diverges =
                b -> {
                    for (float w : b.weight()) {
                        if (w == 3.0f) {
                            return true;
                        }
                    }
                    return false;
                };
        Fixture f = new Fixture(dir, options(), new TestingPublishers(), diverges);
        samples.forEach(s -> f.source.append(0, s));

        OnlineLearner.Status status = f.learner().run();

        assertThat(status.batchesRejected()).isEqualTo(1);
        assertThat(status.samplesTrained()).isEqualTo(200);
        assertThat(status.state()).isEqualTo("stopped");
        List<Sample> applied = new ArrayList<>(samples.subList(0, 100));
        applied.addAll(samples.subList(200, 300));
        assertThat(f.models.last.state()).isEqualTo(reference(f, applied, 100, b -> false).state());
        assertThat(f.store().latestValid().orElseThrow().getConsumerOffsets())
                .containsExactly(new PartitionOffset(TestingSampleSource.TOPIC, 0, 300L));
    }

    @Test
    void aPartialBatchIsTrainedAfterTheBatchTimeoutAndFinishWhenIdleStops() throws Exception {
        Map<String, String> o = options();
        o.put("learner.batch-timeout", "1 s");
        o.put("learner.max-idle", "0 s");
        Fixture f = new Fixture(dir, o);
        List<Sample> samples = SyntheticSamples.learnable(30, 5);
        samples.forEach(s -> f.source.append(0, s));
        OnlineLearner learner = f.learner();
        learner.finishWhenIdle(Duration.ofSeconds(5));

        OnlineLearner.Status status = learner.run();

        assertThat(status.samplesTrained()).isEqualTo(30);
        assertThat(f.models.last.iterations()).as("one batch of 30, not 30 batches").isEqualTo(1);
        assertThat(status.version()).isEqualTo(1);
        // Idle from the first poll on: stops at the first poll more than 5 s later.
        assertThat(f.clock.elapsed()).isEqualTo(Duration.ofMillis(5_100));
    }

    @Test
    void aFailedAnnouncementKeepsTheSnapshotAndTraining() throws Exception {
        TestingPublishers out = new TestingPublishers();
        out.failAnnouncements = 1;
        Fixture f = new Fixture(dir, options(), out, b -> false);
        SyntheticSamples.learnable(1_000, 6).forEach(s -> f.source.append(0, s));

        OnlineLearner.Status status = f.learner().run();

        assertThat(status.samplesTrained()).isEqualTo(1_000);
        assertThat(out.announced).extracting(ModelSnapshot::getVersion).containsExactly(2L, 3L);
        assertThat(f.store().manifests()).hasSize(3);
    }

    /** Trains a fresh testing model on {@code samples} in batches, as the learner should have. */
    static TestingRankingModel reference(
            Fixture f, List<Sample> samples, int batchSize, Predicate<Batch> diverges) {
        TestingRankingModel m = new TestingRankingModel(f.settings.model(), diverges);
        SampleEncoder encoder = new SampleEncoder(f.settings.model());
        for (int i = 0; i < samples.size(); i += batchSize) {
            m.train(encoder.encode(samples.subList(i, Math.min(samples.size(), i + batchSize))));
        }
        return m;
    }

    static Map<String, String> options() {
        Map<String, String> m = new HashMap<>();
        m.put("learner.bootstrap-servers", "unused:9092");
        m.put("learner.samples-topic", TestingSampleSource.TOPIC);
        m.put("learner.model-name", MODEL);
        m.put("learner.snapshot-every-samples", "400");
        m.put("learner.snapshot-interval", "0 s");
        m.put("learner.snapshot-retention", "100");
        m.put("learner.batch-size", "100");
        m.put("learner.batch-timeout", "0 s");
        m.put("learner.max-idle", "2 s");
        m.put("learner.class-loss-every-batches", "2");
        m.put("learner.eval-window", "2000");
        // The gate is not under test here: announce every snapshot.
        m.put("learner.gate.max-auc-drop", "1.0");
        m.put("learner.gate.max-ne-rise", "1000");
        m.put("learner.gate.max-calibration-ratio", "1000");
        m.put("learner.gate.min-samples", "1");
        m.put("model.user-vocab", "1000");
        m.put("model.item-vocab", "1000");
        m.put("model.category-vocab", "100");
        m.put("model.embedding-dim", "4");
        m.put("model.dense-features", "4");
        m.put("model.bottom-layers", "16");
        m.put("model.tower-width", "8");
        return m;
    }

    /** A learner on testing ports over one snapshot directory. */
    static final class Fixture {
        final LearnerSettings settings;
        final TestingClock clock = new TestingClock();
        final TestingPublishers out;
        final TestingModelFactory models;
        final Path snapshots;
        TestingSampleSource source;
        SnapshotStore.WriteHook hook = SnapshotStore.WriteHook.NONE;

        Fixture(Path snapshots, Map<String, String> options) {
            this(snapshots, options, new TestingPublishers(), b -> false);
        }

        Fixture(
                Path snapshots,
                Map<String, String> options,
                TestingPublishers out,
                Predicate<Batch> diverges) {
            Map<String, String> o = new HashMap<>(options);
            o.put("learner.snapshot-dir", snapshots.toString());
            this.settings = LearnerSettings.from(Configuration.fromMap(o));
            this.snapshots = snapshots;
            this.out = out;
            this.models = new TestingModelFactory(settings.model(), diverges);
            this.source = new TestingSampleSource(clock, 64);
        }

        OnlineLearner learner() {
            SnapshotStore.WriteHook logged =
                    (point, version, temporary) -> {
                        hook.reached(point, version, temporary);
                        if (point == SnapshotStore.WriteHook.Point.MANIFEST_WRITTEN) {
                            out.events.add("write v" + version);
                        }
                    };
            return new OnlineLearner(
                    settings,
                    new LearnerPorts(source, out, out, out, clock, models),
                    new SnapshotStore(snapshots, MODEL, settings.snapshotRetention(), logged));
        }

        SnapshotStore store() {
            return new SnapshotStore(snapshots, MODEL, 100, SnapshotStore.WriteHook.NONE);
        }
    }
}
