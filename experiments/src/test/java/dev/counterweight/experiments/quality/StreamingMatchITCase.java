package dev.counterweight.experiments.quality;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.counterweight.avro.ClassWeight;
import dev.counterweight.avro.ClassWeights;
import dev.counterweight.avro.EventType;
import dev.counterweight.avro.Sample;
import dev.counterweight.avro.UserEvent;
import dev.counterweight.connectors.dataset.DataSets;
import dev.counterweight.connectors.dataset.SyntheticEventGenerator;
import dev.counterweight.connectors.dataset.TaobaoUserBehaviorReader;
import dev.counterweight.connectors.kafka.TopicReader;
import dev.counterweight.connectors.replay.ProgressListener;
import dev.counterweight.connectors.replay.ReplayPacing;
import dev.counterweight.connectors.replay.Replayer;
import dev.counterweight.core.weighting.WeightTable;
import dev.counterweight.experiments.offline.OfflineAttribution;
import dev.counterweight.experiments.offline.OfflineAttribution.AttributedSample;
import dev.counterweight.jobs.weighting.SampleWeightingJob;
import dev.counterweight.jobs.weighting.SampleWeightingSettings;
import dev.counterweight.testing.EmbeddedKafkaBroker;
import dev.counterweight.testing.LoopbackFlink;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The quality experiment's in-JVM path matches the streaming path on a slice: the same events go
 * through SampleWeightingJob (real broker, MiniCluster, RocksDB, exactly-once sinks, job defaults)
 * and through {@link OfflineAttribution} plus {@link QualityRunner.StreamWeighting}. The samples
 * (ids, labels, class keys, features) and every weight-table version must be the same; each stamped
 * weight must be its table's. Which table stamps a sample is the one thing the two paths may
 * legitimately differ on: the job stamps with the newest table that has reached the stamping
 * subtask (broadcast, processing time), the in-JVM path with the newest one in event time. The test
 * reports how often they agree.
 */
class StreamingMatchITCase {

    private static final Logger LOG = LoggerFactory.getLogger(StreamingMatchITCase.class);

    /** About 48 minutes of the Taobao stream: windows of the default 30 min close inside it. */
    private static final int EVENTS = QualityExperiment.QUICK_EVENTS;

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void inJvmSamplesAndTablesEqualTheJobsOnASlice(@TempDir Path dir) throws Exception {
        assertJobAndInJvmPathAgree(events(), dir);
    }

    /**
     * Same-millisecond ties everywhere, with event ids chosen against the tie rule: a click and a
     * purchase logged in the exposure's millisecond carry smaller ids than the exposure (ordering
     * by id alone would apply them first and lose them), new exposures land on the instant older
     * windows of the same user close, and late purchases (corrections) land on the instant another
     * window of the same user closes, so the order of a correction and a close at one time decides
     * the user features. Both paths must apply {@link
     * dev.counterweight.core.attribution.EventOrder} and give the same samples.
     */
    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void sameMillisecondTiesGiveTheSameSamplesOnBothPaths(@TempDir Path dir) throws Exception {
        List<UserEvent> events = tieEvents();
        List<AttributedSample> offline =
                OfflineAttribution.attribute(events, OfflineAttribution.Settings.jobDefaults());
        // The stream exercises what it claims: same-time clicks attributed, corrections present.
        List<String> clickedAtExposure = new ArrayList<>();
        for (UserEvent e : events) {
            if (e.getType() == EventType.CLICK) {
                clickedAtExposure.add(e.getEventId().replace("-a-click", "-z-exposure"));
            }
        }
        assertThat(clickedAtExposure).isNotEmpty();
        Map<String, Boolean> clicked = new HashMap<>();
        offline.forEach(s -> clicked.put(s.sampleId(), s.click()));
        for (String exposure : clickedAtExposure) {
            assertThat(clicked.get(exposure)).as("click label of %s", exposure).isTrue();
        }
        assertThat(offline).anyMatch(AttributedSample::correction);
        assertJobAndInJvmPathAgree(events, dir);
    }

    private static void assertJobAndInJvmPathAgree(List<UserEvent> events, Path dir)
            throws Exception {
        List<Sample> streamed;
        Map<Long, Map<String, ClassWeight>> jobTables;
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(dir.resolve("kafka"))) {
            String bootstrap = broker.bootstrapServers();
            broker.createTopics(
                    List.of(
                            new NewTopic("m-events", 2, (short) 1),
                            new NewTopic("m-samples", 2, (short) 1),
                            new NewTopic("m-weights", 1, (short) 1),
                            new NewTopic("m-dlq", 1, (short) 1)));
            Replayer.replayToKafka(
                    bootstrap,
                    "m-events",
                    events,
                    ReplayPacing.asFastAsPossible(),
                    ProgressListener.NONE);
            runJob(bootstrap, dir);
            streamed =
                    TopicReader.readAll(
                            bootstrap, "m-samples", Sample.class, Duration.ofSeconds(30));
            jobTables =
                    tables(
                            TopicReader.readAll(
                                    bootstrap,
                                    "m-weights",
                                    ClassWeights.class,
                                    Duration.ofSeconds(30)));
        }

        // The in-JVM path over the same events, with the same (default) settings.
        List<AttributedSample> offline =
                OfflineAttribution.attribute(events, OfflineAttribution.Settings.jobDefaults());
        QualityRunner.Settings settings = QualityRunner.Settings.defaults(42);
        QualityRunner.StreamWeighting stamping =
                new QualityRunner.StreamWeighting(
                        settings, settings.weighting(QualityExperiment.importanceConfig()), null);
        Map<String, AttributedSample> byId = new HashMap<>();
        Map<String, Long> inJvmVersion = new HashMap<>();
        Map<Long, WeightTable> inJvmTables = new TreeMap<>();
        for (AttributedSample s : offline) {
            String key = s.classKey(settings.classKey());
            stamping.stamp(key, s.closedAt());
            WeightTable t = stamping.table();
            if (t != null) {
                inJvmTables.putIfAbsent(t.version(), t);
            }
            byId.put(s.sampleId(), s);
            inJvmVersion.put(s.sampleId(), t == null ? 0L : t.version());
        }

        // Samples: the same set, labels, class keys and features.
        assertThat(streamed).hasSize(offline.size());
        int featureMismatches = 0;
        Map<Integer, Integer> mismatchesByFeature = new TreeMap<>();
        List<String> examples = new ArrayList<>();
        for (Sample s : streamed) {
            AttributedSample o = byId.get(s.getSampleId());
            assertThat(o).as("in-JVM sample %s", s.getSampleId()).isNotNull();
            assertThat(s.getClick()).as(s.getSampleId()).isEqualTo(o.click());
            assertThat(s.getConversion()).as(s.getSampleId()).isEqualTo(o.conversion());
            assertThat(s.getCorrection()).as(s.getSampleId()).isEqualTo(o.correction());
            assertThat(s.getClosedAt().toEpochMilli()).isEqualTo(o.closedAt());
            assertThat(s.getClassKey())
                    .as(s.getSampleId())
                    .isEqualTo(o.classKey(settings.classKey()));
            boolean differs = false;
            for (int i = 0; i < o.features().length; i++) {
                if (Math.abs(s.getFeatures().get(i) - o.features()[i]) > 1e-5f) {
                    differs = true;
                    mismatchesByFeature.merge(i, 1, Integer::sum);
                    if (examples.size() < 5) {
                        examples.add(
                                s.getSampleId()
                                        + "["
                                        + i
                                        + "]: job "
                                        + s.getFeatures().get(i)
                                        + ", in-JVM "
                                        + o.features()[i]);
                    }
                }
            }
            featureMismatches += differs ? 1 : 0;
        }
        assertThat(featureMismatches)
                .as(
                        "samples whose features differ; per feature %s; e.g. %s",
                        mismatchesByFeature, examples)
                .isZero();

        // Tables: every version the in-JVM path computed is the job's, class by class. The job
        // also publishes the last boundary's table at the end of the input, which the in-JVM
        // path only computes when a later sample arrives.
        assertThat(inJvmTables).isNotEmpty();
        assertThat(jobTables.size()).isBetween(inJvmTables.size(), inJvmTables.size() + 1);
        for (WeightTable t : inJvmTables.values()) {
            Map<String, ClassWeight> job = jobTables.get(t.version());
            assertThat(job).as("job table v%d", t.version()).isNotNull();
            assertThat(job.keySet()).isEqualTo(t.entries().keySet());
            t.entries()
                    .forEach(
                            (k, e) -> {
                                assertThat(job.get(k).getCount())
                                        .isCloseTo(e.count(), within(1e-9));
                                assertThat(job.get(k).getWeight())
                                        .isCloseTo(e.weight(), within(1e-9));
                            });
        }

        // Stamping: each sample carries its table's weight of its class.
        long sameVersion = 0;
        long older = 0;
        long lagSum = 0;
        for (Sample s : streamed) {
            long v = s.getWeightTableVersion();
            double expected =
                    v == 0 ? 1.0 : weightOf(jobTables.get(v), s.getClassKey(), inJvmTables.get(v));
            assertThat(s.getWeight()).as(s.getSampleId()).isCloseTo(expected, within(1e-9));
            long ideal = inJvmVersion.get(s.getSampleId());
            sameVersion += v == ideal ? 1 : 0;
            older += v < ideal ? 1 : 0;
            lagSum += Math.abs(ideal - v);
        }
        LOG.info(
                "{} samples, {} table versions; {} ({} %) stamped with the same version on both"
                        + " paths, {} with an older one in the job; mean |version difference| {}",
                streamed.size(),
                jobTables.size(),
                sameVersion,
                String.format("%.1f", 100.0 * sameVersion / streamed.size()),
                older,
                String.format("%.2f", (double) lagSum / streamed.size()));
    }

    private static double weightOf(
            Map<String, ClassWeight> job, String classKey, WeightTable inJvm) {
        assertThat(job).isNotNull();
        ClassWeight e = job.get(classKey);
        // A class the table does not know gets the table's fallback weight.
        return e != null ? e.getWeight() : inJvm.weightOf(classKey);
    }

    private static List<UserEvent> events() {
        var file = DataSets.taobaoFile();
        if (file.isPresent()) {
            return TaobaoUserBehaviorReader.read(file.get(), EVENTS);
        }
        LOG.warn("no shared Taobao file: matching on the seeded synthetic generator instead");
        return SyntheticEventGenerator.generate(
                SyntheticEventGenerator.Config.defaults(42).withExposures(EVENTS / 2));
    }

    /** Whole-second times, 10 minutes apart per user, so windows close on others' instants. */
    static List<UserEvent> tieEvents() {
        long base = Instant.parse("2026-01-05T08:00:00Z").toEpochMilli();
        long step = Duration.ofMinutes(10).toMillis();
        long window = Duration.ofMinutes(30).toMillis();
        Random random = new Random(7);
        List<UserEvent> events = new ArrayList<>();
        for (int u = 0; u < 40; u++) {
            String user = "u" + u;
            for (int k = 0; k < 12; k++) {
                long t = base + k * step;
                String item = "i" + (u * 31 + k) % 50;
                String category = "c" + (u + k) % 7;
                // Ids count down, so a correction of an earlier exposure sorts after a later close.
                String id = String.format("e%02d-%02d", u, 99 - k);
                events.add(
                        SyntheticEventGenerator.event(
                                id + "-z-exposure", user, item, category, EventType.IMPRESSION, t));
                int r = random.nextInt(4);
                if (r == 0) {
                    events.add(
                            SyntheticEventGenerator.event(
                                    id + "-a-click", user, item, category, EventType.CLICK, t));
                } else if (r == 1) {
                    events.add(
                            SyntheticEventGenerator.event(
                                    id + "-a-click", user, item, category, EventType.CLICK, t));
                    events.add(
                            SyntheticEventGenerator.event(
                                    id + "-b-buy", user, item, category, EventType.PURCHASE, t));
                } else if (r == 2 && k > 0) {
                    // A late purchase of the previous exposure's item, at the instant the window
                    // of this exposure closes: a correction and a close at one time.
                    String previous = "i" + (u * 31 + k - 1) % 50;
                    String previousCategory = "c" + (u + k - 1) % 7;
                    events.add(
                            SyntheticEventGenerator.event(
                                    id + "-late-buy",
                                    user,
                                    previous,
                                    previousCategory,
                                    EventType.PURCHASE,
                                    t + window));
                }
            }
        }
        events.sort(Comparator.comparing(UserEvent::getEventTime));
        return events;
    }

    private static void runJob(String bootstrap, Path dir) throws Exception {
        Map<String, String> m = new HashMap<>();
        m.put("kafka.bootstrap-servers", bootstrap);
        m.put("kafka.events-topic", "m-events");
        m.put("kafka.samples-topic", "m-samples");
        m.put("kafka.weights-topic", "m-weights");
        m.put("kafka.dlq-topic", "m-dlq");
        m.put("kafka.bounded", "true");
        m.put("kafka.group-id", "match");
        m.put("kafka.transactional-id-prefix", "match");
        m.put("job.checkpoint-interval", "1 s");
        m.put("job.checkpoint-dir", dir.resolve("checkpoints").toUri().toString());
        m.put("job.restart-attempts", "0");
        m.put("job.parallelism", "2");
        SampleWeightingSettings settings = SampleWeightingSettings.from(Configuration.fromMap(m));
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(
                        2,
                        SampleWeightingJob.flinkConfiguration(
                                settings, LoopbackFlink.configuration()));
        new SampleWeightingJob(settings).buildWithKafka(env);
        env.execute("streaming-match");
    }

    /** Table versions with their classes, parts merged. */
    private static Map<Long, Map<String, ClassWeight>> tables(List<ClassWeights> records) {
        Map<Long, Map<String, ClassWeight>> out = new TreeMap<>();
        for (ClassWeights r : records) {
            Map<String, ClassWeight> t = out.computeIfAbsent(r.getVersion(), v -> new HashMap<>());
            for (ClassWeight c : r.getClasses()) {
                t.put(c.getClassKey().toString(), c);
            }
        }
        return out;
    }
}
