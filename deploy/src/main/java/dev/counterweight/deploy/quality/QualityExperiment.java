package dev.counterweight.deploy.quality;

import dev.counterweight.avro.UserEvent;
import dev.counterweight.connectors.dataset.DataSets;
import dev.counterweight.connectors.dataset.SyntheticEventGenerator;
import dev.counterweight.connectors.dataset.TaobaoUserBehaviorReader;
import dev.counterweight.core.weighting.WeightingStrategy;
import dev.counterweight.deploy.offline.OfflineAttribution;
import dev.counterweight.deploy.offline.OfflineAttribution.AttributedSample;
import dev.counterweight.deploy.quality.QualityRunner.Result;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The "does reweighting help?" experiment end to end: loads the shared Taobao slice (or the seeded
 * synthetic stream), attributes labels offline with the job's rules, and runs every configuration
 * and the offline baseline through {@link QualityRunner}.
 */
public final class QualityExperiment {

    private static final Logger LOG = LoggerFactory.getLogger(QualityExperiment.class);

    /**
     * Events of the {@code --quick} slice: about 48 minutes of the Taobao stream, so that windows
     * of the job's default 30-minute attribution window close inside it (the first 18 minutes of
     * exposures).
     */
    public static final int QUICK_EVENTS = 40_000;

    /**
     * Adam learning rate of the experiment's models (every configuration and the offline baseline).
     * One streamed pass over a two-hour slice is about 100 batches; at the live learner's default
     * 0.001 the network stays near its random initialisation (see
     * deploy/quality-report/LEARNABILITY.md), so the experiment uses a larger rate. The live
     * learner's default is unchanged.
     */
    public static final double DEFAULT_LEARNING_RATE = 0.01;

    /**
     * What was run and what came out.
     *
     * @param source where the events came from
     * @param events events read
     * @param samples attributed samples (corrections included) whose window closed inside the data
     * @param openWindows samples left out because only the end of the data closed their window
     * @param corrections correction samples among them
     * @param trainingSamples samples in the streamed training prefix
     * @param holdOutSamples samples in the held-out tail
     * @param classes distinct class keys
     * @param groups distinct evaluation groups (categories)
     * @param seed the seed
     * @param codeVersion git commit of the code, "unknown" outside a checkout
     * @param quick whether this was the quick run
     * @param settings the runner settings
     * @param results one per configuration, then the seed-noise reference (full run only), then the
     *     offline baseline
     * @param seedNoise the NONE configuration with seed + 1, or null (quick run)
     */
    public record Outcome(
            String source,
            int events,
            int samples,
            int openWindows,
            long corrections,
            int trainingSamples,
            int holdOutSamples,
            int classes,
            int groups,
            long seed,
            String codeVersion,
            boolean quick,
            QualityRunner.Settings settings,
            List<Result> results,
            Result seedNoise,
            Result offline) {}

    private QualityExperiment() {}

    /** Every configuration of the full run. */
    public static List<ExperimentConfig> fullConfigs() {
        List<ExperimentConfig> c = new ArrayList<>();
        c.add(ExperimentConfig.of(WeightingStrategy.NONE));
        c.add(ExperimentConfig.of(WeightingStrategy.INVERSE));
        c.add(ExperimentConfig.of(WeightingStrategy.SQRT_INVERSE));
        for (double beta : new double[] {0.99, 0.999, 0.9999}) {
            c.add(ExperimentConfig.effectiveNumber(beta));
        }
        for (double rate : new double[] {0.1, 0.3}) {
            for (WeightingStrategy s :
                    List.of(
                            WeightingStrategy.NONE,
                            WeightingStrategy.INVERSE,
                            WeightingStrategy.SQRT_INVERSE)) {
                c.add(ExperimentConfig.of(s).downSampled(rate));
            }
        }
        c.add(ExperimentConfig.of(WeightingStrategy.NONE).oversampled());
        c.add(ExperimentConfig.of(WeightingStrategy.NONE).withSmote());
        c.add(ExperimentConfig.of(WeightingStrategy.NONE).withLossAware());
        c.add(ExperimentConfig.of(WeightingStrategy.SQRT_INVERSE).withLossAware());
        return c;
    }

    /** The three configurations of {@code --quick}. */
    public static List<ExperimentConfig> quickConfigs() {
        return List.of(
                ExperimentConfig.of(WeightingStrategy.NONE),
                ExperimentConfig.of(WeightingStrategy.INVERSE),
                ExperimentConfig.of(WeightingStrategy.SQRT_INVERSE).downSampled(0.3));
    }

    /**
     * Runs the experiment.
     *
     * @param limit events to read, -1 for all
     * @param seed the seed
     * @param learningRate Adam learning rate of every model of the run
     * @param quick three configurations, no seed-noise run, and {@link #QUICK_EVENTS} events unless
     *     {@code limit} says otherwise
     * @param progress receives one line per finished configuration
     */
    public static Outcome run(
            int limit, long seed, double learningRate, boolean quick, Consumer<String> progress) {
        int effectiveLimit = limit < 0 && quick ? QUICK_EVENTS : limit;
        List<UserEvent> events;
        String source;
        var file = DataSets.taobaoFile();
        if (file.isPresent()) {
            events = TaobaoUserBehaviorReader.read(file.get(), effectiveLimit);
            source = DataSets.TAOBAO_FILE;
        } else {
            LOG.warn(
                    "Shared data folder {} has no {}: using the seeded synthetic generator instead",
                    DataSets.dataDir(),
                    DataSets.TAOBAO_FILE);
            events =
                    SyntheticEventGenerator.generate(
                            SyntheticEventGenerator.Config.defaults(seed)
                                    .withExposures(effectiveLimit < 0 ? 20_000 : effectiveLimit));
            source = "synthetic generator (seed " + seed + ")";
        }
        List<AttributedSample> attributed =
                OfflineAttribution.attribute(events, OfflineAttribution.Settings.jobDefaults());
        List<AttributedSample> samples = completeWindows(attributed, events);
        int openWindows = attributed.size() - samples.size();
        long corrections = samples.stream().filter(AttributedSample::correction).count();
        QualityRunner.Settings settings = QualityRunner.Settings.defaults(seed, learningRate);
        QualityRunner runner = new QualityRunner(samples, settings);
        progress.accept(
                String.format(
                        "%,d events -> %,d samples (%,d corrections; %,d windows still open at the"
                                + " end of the data left out); training %,d, held out %,d",
                        events.size(),
                        samples.size(),
                        corrections,
                        openWindows,
                        runner.trainingSamples(),
                        runner.holdOutSamples()));
        List<Result> results = new ArrayList<>();
        List<ExperimentConfig> configs = quick ? quickConfigs() : fullConfigs();
        for (ExperimentConfig c : configs) {
            Result r = runner.run(c);
            progress.accept(line(r));
            results.add(r);
        }
        Result noise = null;
        if (!quick) {
            QualityRunner other =
                    new QualityRunner(
                            samples, QualityRunner.Settings.defaults(seed + 1, learningRate));
            noise = other.run(ExperimentConfig.of(WeightingStrategy.NONE));
            progress.accept("seed " + (seed + 1) + ": " + line(noise));
        }
        Result offline = runner.runOfflineBaseline();
        progress.accept(line(offline));
        int[] cg = runner.classesAndGroups();
        return new Outcome(
                source,
                events.size(),
                samples.size(),
                openWindows,
                corrections,
                runner.trainingSamples(),
                runner.holdOutSamples(),
                cg[0],
                cg[1],
                seed,
                codeVersion(),
                quick,
                settings,
                results,
                noise,
                offline);
    }

    /**
     * The samples the experiment trains and evaluates on: the job's attribution, without the
     * windows that only the end of the data closed. Their labels are censored (a return or a
     * purchase after the data ends cannot be seen), and since the held-out tail is the end of the
     * stream, keeping them made the tail consist of such samples only.
     */
    static List<AttributedSample> samples(List<UserEvent> events) {
        return completeWindows(
                OfflineAttribution.attribute(events, OfflineAttribution.Settings.jobDefaults()),
                events);
    }

    private static List<AttributedSample> completeWindows(
            List<AttributedSample> attributed, List<UserEvent> events) {
        return OfflineAttribution.completeWindows(
                attributed, OfflineAttribution.lastEventTime(events));
    }

    private static String line(Result r) {
        return String.format(
                "%-36s held-out CTR AUC %.4f  CTCVR AUC %.4f  CTR tail AUC %.4f  ESS %5.1f%%  %.1f s",
                r.name(),
                r.holdOut().ctrAuc(),
                r.holdOut().ctcvrAuc(),
                r.holdOut().ctrTailAuc(),
                100 * r.essFraction(),
                r.seconds());
    }

    /** {@code git rev-parse HEAD} (with "-dirty" if the tree has changes), else "unknown". */
    static String codeVersion() {
        String head = git("rev-parse", "HEAD");
        if (head == null || head.isBlank()) {
            return "unknown";
        }
        String status = git("status", "--porcelain", "--untracked-files=no");
        return head.strip() + (status != null && !status.isBlank() ? "-dirty" : "");
    }

    private static String git(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("git");
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out;
            try (InputStream in = p.getInputStream()) {
                out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return null;
            }
            return out;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
