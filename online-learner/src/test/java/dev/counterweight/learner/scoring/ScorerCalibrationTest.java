package dev.counterweight.learner.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.counterweight.avro.ModelSnapshot;
import dev.counterweight.avro.Sample;
import dev.counterweight.connectors.features.FeatureLayout;
import dev.counterweight.core.attribution.ClassKeyMode;
import dev.counterweight.core.weighting.DelayedFeedback;
import dev.counterweight.learner.model.Batch;
import dev.counterweight.learner.model.Dl4jRankingModel;
import dev.counterweight.learner.model.ModelConfig;
import dev.counterweight.learner.model.Scores;
import dev.counterweight.learner.service.OnlineLearner;
import dev.counterweight.learner.service.SampleEncoder;
import dev.counterweight.learner.snapshot.CalibrationLedger;
import dev.counterweight.learner.snapshot.SnapshotStore;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A class-weighted model's calibrated output against the truth and against an unweighted model
 * trained on the same known stream.
 *
 * <p>Two categories with known click and click-and-purchase probabilities; {@code CATEGORY_LABEL}
 * weights differ per label by up to 20x, so the raw weighted CTR is several times the truth. Both
 * models see only the category (one user, one item, no dense features), so each converges to its
 * stream's per-category rates. The check is statistical consistency, not quality: every calibrated
 * rate must lie within 4 standard errors {@code sqrt(p (1 − p) / n)} of the true rate {@code p}
 * ({@code n} exposures of the category; a false alarm has probability about 6e-5 per check with a
 * fixed seed), and so must the unweighted model's; the raw weighted output lies far outside, so the
 * check can fail.
 *
 * <p>The snapshots carry the calibration maps the learner fits ({@link CalibrationWindow}), here on
 * the model's scores of its own stream. With two categories the two-parameter map can meet both
 * categories' click rates in the stream exactly, so the calibrated output must also equal those
 * empirical rates (a check computed from the labels, not from the fit); a map fitted before the
 * prior correction, or applied twice, would miss them.
 */
class ScorerCalibrationTest {

    private static final int PER_CATEGORY = 4000;
    private static final String[] CATEGORIES = {"a", "b"};
    private static final double[] CTR = {0.1, 0.3};
    private static final double[] CTCVR = {0.03, 0.06};
    // none, click, purchase weights per category.
    private static final double[][] WEIGHTS = {{1.0, 5.0, 20.0}, {0.8, 2.0, 6.0}};

    private static final ModelConfig CONFIG =
            new ModelConfig(4, 4, 16, 4, 0, new int[] {8}, 4, 0.05, 11L, false, 0);

    @Test
    void calibratedOutputOfAClassWeightedModelMatchesTheTruthAndAnUnweightedModel(@TempDir Path dir)
            throws Exception {
        List<Sample> weighted = stream(true);
        List<Sample> unweighted = stream(false);
        ScorerPair weightedScorer = train(dir.resolve("w"), weighted);
        ScorerPair unweightedScorer = train(dir.resolve("u"), unweighted);
        assertThat(weightedScorer.manifest().getCalibration().getClassKeyMode())
                .isEqualTo(ClassKeyMode.CATEGORY_LABEL.name());
        assertThat(weightedScorer.manifest().getCalibration().getCtrMap()).isNotNull();
        assertThat(weightedScorer.manifest().getCalibration().getCtcvrMap()).isNotNull();

        for (int c = 0; c < CATEGORIES.length; c++) {
            List<Candidate> one = List.of(new Candidate("u", "i", CATEGORIES[c], List.of(), 1.0));
            Scores cal = weightedScorer.scorer().score(one);
            Scores raw = weightedScorer.scorer().scoreRaw(one);
            Scores plain = unweightedScorer.scorer().score(one);
            double seCtr = Math.sqrt(CTR[c] * (1 - CTR[c]) / PER_CATEGORY);
            double seCtcvr = Math.sqrt(CTCVR[c] * (1 - CTCVR[c]) / PER_CATEGORY);
            double cvr = CTCVR[c] / CTR[c];
            // The CVR is measured on the clicks: about n·ctr of them.
            double seCvr = Math.sqrt(cvr * (1 - cvr) / (PER_CATEGORY * CTR[c]));

            assertThat(cal.ctr()[0])
                    .as("calibrated CTR %s", c)
                    .isCloseTo(CTR[c], within(4 * seCtr));
            assertThat(cal.ctr()[0])
                    .as("calibrated CTR %s against the stream's click rate", c)
                    .isCloseTo(rate(weighted, CATEGORIES[c], false), within(2e-3));
            assertThat(cal.ctcvr()[0])
                    .as("calibrated CTCVR %s against the stream's purchase rate", c)
                    .isCloseTo(rate(weighted, CATEGORIES[c], true), within(2e-3));
            assertThat(cal.ctcvr()[0])
                    .as("calibrated CTCVR %s", c)
                    .isCloseTo(CTCVR[c], within(4 * seCtcvr));
            assertThat(cal.cvr()[0]).as("calibrated CVR %s", c).isCloseTo(cvr, within(4 * seCvr));
            assertThat(plain.ctr()[0])
                    .as("unweighted CTR %s", c)
                    .isCloseTo(CTR[c], within(4 * seCtr));
            assertThat(plain.ctcvr()[0])
                    .as("unweighted CTCVR %s", c)
                    .isCloseTo(CTCVR[c], within(4 * seCtcvr));
            // Weighted vs unweighted model: each within 4 SE of the truth, so within 8 of each
            // other.
            assertThat(cal.ctr()[0]).isCloseTo(plain.ctr()[0], within(8 * seCtr));
            assertThat(Math.abs(raw.ctr()[0] - CTR[c]))
                    .as("raw weighted CTR is far off")
                    .isGreaterThan(10 * seCtr);
            assertThat(Math.abs(raw.ctcvr()[0] - CTCVR[c]))
                    .as("raw weighted CTCVR is far off")
                    .isGreaterThan(10 * seCtcvr);
        }
    }

    /** The share of a category's exposures that clicked (or clicked and purchased). */
    private static double rate(List<Sample> samples, String category, boolean purchase) {
        long n = 0;
        long k = 0;
        for (Sample s : samples) {
            if (s.getCategoryId().equals(category)) {
                n++;
                k += s.getClick() && (!purchase || s.getConversion()) ? 1 : 0;
            }
        }
        return (double) k / n;
    }

    private record ScorerPair(SnapshotScorer scorer, ModelSnapshot manifest) {}

    private static ScorerPair train(Path dir, List<Sample> samples) throws Exception {
        Dl4jRankingModel model = Dl4jRankingModel.create(CONFIG);
        Batch batch = new SampleEncoder(CONFIG).encode(merged(samples));
        for (int step = 0; step < 500; step++) {
            model.train(batch);
        }
        CalibrationLedger ledger = new CalibrationLedger();
        ledger.observe(samples);
        // The learner feeds its progressive window with raw scores; here the trained model's.
        CalibrationWindow window = new CalibrationWindow(samples.size());
        Scores raw = model.score(new SampleEncoder(CONFIG).encode(samples));
        for (int i = 0; i < samples.size(); i++) {
            window.add(samples.get(i), raw.ctr()[i], raw.ctcvr()[i]);
        }
        String fp = OnlineLearner.fingerprint(model);
        SnapshotStore store = new SnapshotStore(dir, "m", 3);
        store.write(
                ModelSnapshot.newBuilder()
                        .setModelName("m")
                        .setVersion(1)
                        .setParentVersion(null)
                        .setUri("")
                        .setSha256("")
                        .setCreatedAt(Instant.ofEpochMilli(1))
                        .setSamplesTrained(samples.size())
                        .setConsumerOffsets(List.of())
                        .setMetrics(Map.of())
                        .setFeatureSchemaFingerprint(fp)
                        .setCalibration(
                                window.withMaps(ledger.calibration(DelayedFeedback.NONE, 1.0)))
                        .build(),
                model::save);
        SnapshotScorer scorer = new SnapshotScorer(fp);
        // Through the JSON manifest on disk, as a downstream service reads it.
        ModelSnapshot loaded = scorer.loadLatest(dir, "m").orElseThrow();
        return new ScorerPair(scorer, loaded);
    }

    /** One sample per category and label, weighted by the rows it stands for. */
    private static List<Sample> merged(List<Sample> samples) {
        Map<String, Sample> byKey = new java.util.TreeMap<>();
        Map<String, Integer> counts = new java.util.HashMap<>();
        for (Sample s : samples) {
            byKey.putIfAbsent(s.getClassKey(), s);
            counts.merge(s.getClassKey(), 1, Integer::sum);
        }
        List<Sample> out = new ArrayList<>();
        byKey.forEach(
                (k, s) ->
                        out.add(
                                Sample.newBuilder(s)
                                        .setWeight(s.getWeight() * counts.get(k))
                                        .build()));
        return out;
    }

    /** The known stream: the same labels for both models, class weights only if asked. */
    private static List<Sample> stream(boolean classWeights) {
        SplittableRandom rnd = new SplittableRandom(20261204L);
        List<Sample> out = new ArrayList<>();
        for (int c = 0; c < CATEGORIES.length; c++) {
            for (int i = 0; i < PER_CATEGORY; i++) {
                double u = rnd.nextDouble();
                boolean conversion = u < CTCVR[c];
                boolean click = u < CTR[c];
                int label = conversion ? 2 : click ? 1 : 0;
                String key = ClassKeyMode.CATEGORY_LABEL.keyOf(CATEGORIES[c], click, conversion, 0);
                double w = classWeights ? WEIGHTS[c][label] : 1.0;
                out.add(
                        Sample.newBuilder()
                                .setSampleId(CATEGORIES[c] + i)
                                .setUserId("u")
                                .setItemId("i")
                                .setCategoryId(CATEGORIES[c])
                                .setExposureTime(Instant.ofEpochMilli(i))
                                .setClosedAt(Instant.ofEpochMilli(i))
                                .setClick(click)
                                .setConversion(conversion)
                                .setClassKey(key)
                                .setFeatures(List.of())
                                .setFeatureFingerprint(FeatureLayout.FINGERPRINT)
                                .setWeight(w)
                                .setClassWeight(w)
                                .setWeightTableVersion(classWeights ? 3 : 0)
                                .build());
            }
        }
        return out;
    }
}
