/*
 * Diagnostic probe for LEARNABILITY.md (not part of the build): runs QualityRunner's NONE
 * configuration on the Taobao slice (complete windows only) with the learner's default model and
 * with variants named in the first argument (comma-separated; "default", "lr01" = Adam 0.01,
 * "lr003" = Adam 0.003, "noid" = id vocabularies of size 1, "b128" = batch 128, combinable as
 * "noid-lr01"), for the number of seeds in the second argument (42, 43, ...).
 *
 *   flock /tmp/mvn.lock mvn -B -q install -Dmaven.test.skip=true -Dspotless.check.skip=true -pl cli -am
 *   CP=experiments/target/classes:$(cat cli/target/runtime-classpath.txt)
 *   javac -d /tmp/probe -cp "$CP" experiments/quality-report/probe/Probe.java
 *   flock /tmp/mvn.lock java -cp "$CP:/tmp/probe" Probe default,lr003,lr01,noid-lr01 3
 *   flock /tmp/mvn.lock java -cp "$CP:/tmp/probe" Probe b128 2
 *   flock /tmp/mvn.lock java -cp "$CP:/tmp/probe" Probe default,lr01,noid,noid-lr01,b128 2
 */
import dev.counterweight.connectors.dataset.TaobaoUserBehaviorReader;
import dev.counterweight.core.weighting.WeightingStrategy;
import dev.counterweight.experiments.offline.OfflineAttribution;
import dev.counterweight.experiments.quality.ExperimentConfig;
import dev.counterweight.experiments.quality.QualityRunner;
import dev.counterweight.learner.model.ModelConfig;
import java.nio.file.Path;

public class Probe {
    public static void main(String[] a) {
        var events = TaobaoUserBehaviorReader.read(Path.of("/work/shared/data/taobao_userbehavior_timesorted_96k.csv"), -1);
        var samples = OfflineAttribution.completeWindows(
                OfflineAttribution.attribute(events, OfflineAttribution.Settings.jobDefaults()),
                OfflineAttribution.lastEventTime(events));
        for (String variant : a[0].split(",")) {
            for (long seed = 42; seed < 42 + Integer.parseInt(a[1]); seed++) {
                var d = QualityRunner.Settings.defaults(seed);
                var m = d.model();
                int uv = m.userVocab(), iv = m.itemVocab(), cv = m.categoryVocab();
                double lr = m.learningRate();
                int batch = d.batchSize();
                if (variant.contains("noid")) { uv = 1; iv = 1; cv = 1; }
                if (variant.contains("lr01")) lr = 0.01;
                if (variant.contains("lr003")) lr = 0.003;
                if (variant.contains("b128")) batch = 128;
                var mc = new ModelConfig(uv, iv, cv, m.embeddingDim(), m.denseFeatures(), m.bottomLayers(), m.towerWidth(), lr, seed, m.mmoe(), m.experts());
                var s = new QualityRunner.Settings(d.classKey(), d.weightHalfLife(), d.updateIntervalMillis(), d.minWeight(), d.maxWeight(), batch, d.holdOutFraction(), d.offlineEpochs(), seed, mc);
                var r = new QualityRunner(samples, s).run(ExperimentConfig.of(WeightingStrategy.NONE));
                System.out.printf("%-14s seed %d  held-out CTR AUC %.4f  CTCVR AUC %.4f  logloss %.4f | progressive CTR AUC %.4f  %.1f s%n",
                        variant, seed, r.holdOut().ctrAuc(), r.holdOut().ctcvrAuc(), r.holdOut().ctrLogLoss(), r.progressive().ctrAuc(), r.seconds());
            }
        }
    }
}
