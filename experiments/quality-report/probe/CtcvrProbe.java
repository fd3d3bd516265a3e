/*
 * Diagnostic probe (not part of the build) for the progressive ctcvr.auc below chance on the
 * README's Taobao run: streams the Taobao slice's samples (the job's attribution; unweighted)
 * test-then-train through the learner's default model (Adam 0.001, batch 512) for several seeds,
 * and prints the CTCVR AUC of the pre-training scores over consecutive windows of 20,000 samples
 * (the learner's evaluation window), with the window's positives and 2 Hanley-McNeil standard
 * errors. Variants: "train" (as the learner), "frozen" (the model set to the first batch's base
 * rates and never trained: a fixed random function of the features), "nocorr" (train, but
 * correction samples are neither trained nor evaluated), "lr01" (Adam 0.01), "sqrtinv" (trained
 * with the job's default weights, SQRT_INVERSE class weights of CATEGORY_LABEL classes stamped as
 * the job does), "sqrtinv-frozen" (those weights only set the starting base rates), "catsqrtinv"
 * (SQRT_INVERSE weights of CATEGORY classes, which do not depend on the label); "features" prints
 * each dense feature's AUC against the labels instead.
 * In package dev.counterweight.experiments.quality to reach QualityRunner.StreamWeighting.
 *
 *   flock /tmp/cw-mvn.lock mvn -B -o -q -pl experiments -am compile dependency:build-classpath -Dmdep.outputFile=cp.txt
 *   CP=experiments/target/classes:$(cat experiments/cp.txt)
 *   javac -d /tmp/probe -cp "$CP" experiments/quality-report/probe/CtcvrProbe.java
 *   flock /tmp/cw-mvn.lock java -cp "$CP:/tmp/probe" dev.counterweight.experiments.quality.CtcvrProbe train,frozen,nocorr,sqrtinv,catsqrtinv 3
 *   flock /tmp/cw-mvn.lock java -cp "$CP:/tmp/probe" dev.counterweight.experiments.quality.CtcvrProbe features 1
 *   rm cp.txt */cp.txt
 */
package dev.counterweight.experiments.quality;

import dev.counterweight.avro.Sample;
import dev.counterweight.core.attribution.ClassKeyMode;
import dev.counterweight.core.defaults.PipelineDefaults;
import dev.counterweight.connectors.dataset.TaobaoUserBehaviorReader;
import dev.counterweight.core.metrics.AucStandardError;
import dev.counterweight.core.metrics.WindowedBinaryMetrics;
import dev.counterweight.experiments.offline.OfflineAttribution;
import dev.counterweight.learner.model.Batch;
import dev.counterweight.learner.model.Dl4jRankingModel;
import dev.counterweight.learner.model.ModelConfig;
import dev.counterweight.learner.model.Scores;
import dev.counterweight.learner.service.SampleEncoder;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

public class CtcvrProbe {
    static final int WINDOW = 20_000;

    public static void main(String[] a) {
        var events = TaobaoUserBehaviorReader.read(Path.of("/work/shared/data/taobao_userbehavior_timesorted_96k.csv"), -1);
        var attributed = OfflineAttribution.attribute(events, OfflineAttribution.Settings.jobDefaults());
        List<Sample> all = new ArrayList<>();
        for (var s : attributed) {
            List<Float> f = new ArrayList<>();
            for (float x : s.features()) f.add(x);
            all.add(Sample.newBuilder().setSampleId(s.sampleId()).setUserId(s.userId()).setItemId(s.itemId())
                    .setCategoryId(s.categoryId()).setExposureTime(Instant.ofEpochMilli(s.exposureTime()))
                    .setClosedAt(Instant.ofEpochMilli(s.closedAt())).setClick(s.click()).setConversion(s.conversion())
                    .setClassKey("c").setFeatures(f).setWeight(1.0).setCorrection(s.correction()).build());
        }
        long corr = all.stream().filter(Sample::getCorrection).count();
        long pos = all.stream().filter(s -> s.getClick() && s.getConversion()).count();
        System.out.printf("samples %d, CTCVR positives %d, corrections %d%n", all.size(), pos, corr);
        if (a[0].equals("features")) {
            int width = all.get(0).getFeatures().size();
            StringBuilder line = new StringBuilder("AUC of each feature against the CTCVR (CTR) label over all samples:");
            for (int f = 0; f < width; f++) {
                var ctcvr = new WindowedBinaryMetrics(all.size());
                var ctr = new WindowedBinaryMetrics(all.size());
                for (Sample s : all) {
                    ctcvr.add(s.getFeatures().get(f), s.getClick() && s.getConversion());
                    ctr.add(s.getFeatures().get(f), s.getClick());
                }
                line.append(String.format(" f%d %.3f (%.3f)", f, ctcvr.auc(false), ctr.auc(false)));
            }
            System.out.println(line);
            return;
        }
        for (String variant : a[0].split(",")) {
            for (long seed = 42; seed < 42 + Integer.parseInt(a[1]); seed++) {
                var m = QualityRunner.Settings.defaults(seed).model();
                double lr = variant.equals("lr01") ? 0.01 : m.learningRate();
                var mc = new ModelConfig(m.userVocab(), m.itemVocab(), m.categoryVocab(), m.embeddingDim(), m.denseFeatures(), m.bottomLayers(), m.towerWidth(), lr, seed, m.mmoe(), m.experts());
                var model = Dl4jRankingModel.create(mc);
                var enc = new SampleEncoder(mc);
                List<Sample> stream = variant.equals("nocorr") ? all.stream().filter(s -> !s.getCorrection()).toList() : all;
                if (variant.startsWith("sqrtinv") || variant.startsWith("catsqrtinv")) {
                    ClassKeyMode mode = variant.startsWith("cat") ? ClassKeyMode.CATEGORY : ClassKeyMode.CATEGORY_LABEL;
                    var settings = QualityRunner.Settings.defaults(seed);
                    var stamping = new QualityRunner.StreamWeighting(settings, settings.weighting(ExperimentConfig.of(PipelineDefaults.STRATEGY)), null);
                    List<Sample> weighted = new ArrayList<>();
                    for (Sample s : stream) {
                        String key = mode.keyOf(s.getCategoryId(), s.getClick(), s.getConversion(), 0);
                        double w = stamping.stamp(key, s.getClosedAt().toEpochMilli());
                        weighted.add(Sample.newBuilder(s).setClassKey(key).setWeight(w).setClassWeight(w).build());
                    }
                    stream = weighted;
                }
                List<double[]> scored = new ArrayList<>(); // ctcvr score, label, correction
                for (int from = 0; from < stream.size(); from += 512) {
                    List<Sample> batch = stream.subList(from, Math.min(stream.size(), from + 512));
                    Batch b = enc.encode(batch);
                    if (model.iterations() == 0) model.startAtBaseRates(b);
                    Scores sc = model.score(b);
                    for (int i = 0; i < batch.size(); i++) {
                        Sample s = batch.get(i);
                        scored.add(new double[] {sc.ctcvr()[i], s.getClick() && s.getConversion() ? 1 : 0, s.getCorrection() ? 1 : 0, sc.ctr()[i], s.getClick() ? 1 : 0});
                    }
                    if (!variant.endsWith("frozen")) model.train(b);
                }
                StringBuilder line = new StringBuilder(String.format("%-7s seed %d:", variant, seed));
                for (int w = 0; w + WINDOW <= scored.size(); w += WINDOW) {
                    var ctcvr = new WindowedBinaryMetrics(WINDOW);
                    var ctr = new WindowedBinaryMetrics(WINDOW);
                    int corrPos = 0;
                    for (int i = w; i < w + WINDOW; i++) {
                        double[] r = scored.get(i);
                        ctcvr.add(r[0], r[1] > 0);
                        ctr.add(r[3], r[4] > 0);
                        if (r[1] > 0 && r[2] > 0) corrPos++;
                    }
                    long p = ctcvr.positives();
                    double auc = ctcvr.auc(false);
                    line.append(String.format(" | CTCVR %.3f ±%.3f (%d pos, %d corr) CTR %.3f", auc,
                            2 * AucStandardError.hanleyMcNeil(auc, p, WINDOW - p), p, corrPos, ctr.auc(false)));
                }
                System.out.println(line);
            }
        }
    }
}
