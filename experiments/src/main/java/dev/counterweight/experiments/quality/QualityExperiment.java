package dev.counterweight.experiments.quality;

import dev.counterweight.avro.UserEvent;
import dev.counterweight.connectors.dataset.DataSets;
import dev.counterweight.connectors.dataset.KnownAnswerConfig;
import dev.counterweight.connectors.dataset.KnownAnswerGenerator;
import dev.counterweight.connectors.dataset.SyntheticEventGenerator;
import dev.counterweight.connectors.dataset.TaobaoUserBehaviorReader;
import dev.counterweight.core.defaults.PipelineDefaults;
import dev.counterweight.core.metrics.KnownAnswerEvaluation;
import dev.counterweight.core.metrics.SampleImportance;
import dev.counterweight.core.weighting.WeightingStrategy;
import dev.counterweight.experiments.offline.OfflineAttribution;
import dev.counterweight.experiments.offline.OfflineAttribution.AttributedSample;
import dev.counterweight.experiments.quality.QualityRunner.Result;
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
     * experiments/quality-report/LEARNABILITY.md), so the experiment uses a larger rate. The live
     * learner's default is unchanged.
     */
    public static final double DEFAULT_LEARNING_RATE = 0.01;

    /** The seeds of a full run. */
    public static final List<Long> DEFAULT_SEEDS = List.of(42L, 43L, 44L);

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
     * @param holdOutClicks held-out samples with a click
     * @param holdOutCtcvrPositives held-out samples with a click and a conversion
     * @param baseRateCtrLogLoss held-out CTR log loss of a constant prediction of the prefix's CTR
     * @param classes distinct class keys
     * @param groups distinct evaluation groups (categories)
     * @param seeds the seeds, each configuration run once with each
     * @param codeVersion git commit of the code, "unknown" outside a checkout
     * @param quick whether this was the quick run
     * @param settings the runner settings of the first seed
     * @param results one per configuration
     * @param offline the offline baseline, with every seed
     * @param reference the logistic-regression reference ({@link
     *     QualityRunner#runLogisticReference()}), deterministic: one run
     * @param importance the trained rows of {@link #importanceConfig()}'s first-seed run
     */
    public record Outcome(
            String source,
            int events,
            int samples,
            int openWindows,
            long corrections,
            int trainingSamples,
            int holdOutSamples,
            long holdOutClicks,
            long holdOutCtcvrPositives,
            double baseRateCtrLogLoss,
            int classes,
            int groups,
            List<Long> seeds,
            String codeVersion,
            boolean quick,
            QualityRunner.Settings settings,
            List<SeededResult> results,
            SeededResult offline,
            SeededResult reference,
            Importance importance) {}

    /**
     * The sample-importance report's run.
     *
     * @param config the configuration
     * @param seed its seed
     * @param rows what its trained rows carried
     */
    public record Importance(ExperimentConfig config, long seed, SampleImportance rows) {}

    /** Top rows kept for the importance report. */
    static final int IMPORTANCE_TOP_ROWS = 20;

    /** Trained rows per point of the importance report's ESS and loss series. */
    static final int IMPORTANCE_WINDOW_ROWS = 2_048;

    private QualityExperiment() {}

    /** The class weightings of the full run: none, the two inverses, three effective numbers. */
    static List<ExperimentConfig> weightings() {
        List<ExperimentConfig> c = new ArrayList<>();
        c.add(ExperimentConfig.of(WeightingStrategy.NONE));
        c.add(ExperimentConfig.of(WeightingStrategy.INVERSE));
        c.add(ExperimentConfig.of(WeightingStrategy.SQRT_INVERSE));
        for (double beta : new double[] {0.99, 0.999, 0.9999}) {
            c.add(ExperimentConfig.effectiveNumber(beta));
        }
        return c;
    }

    /**
     * Every configuration of the full run: each class weighting of {@link #weightings()} crossed
     * with negative down-sampling (none, r = 0.1, r = 0.3) and minority augmentation (none,
     * oversampling, SMOTE), then NONE and the job's default strategy with loss-aware weights.
     */
    public static List<ExperimentConfig> fullConfigs() {
        List<ExperimentConfig> c = new ArrayList<>();
        for (ExperimentConfig w : weightings()) {
            for (double rate : new double[] {1.0, 0.1, 0.3}) {
                ExperimentConfig sampled = rate == 1.0 ? w : w.downSampled(rate);
                c.add(sampled);
                c.add(sampled.oversampled());
                c.add(sampled.withSmote());
            }
        }
        c.add(ExperimentConfig.of(WeightingStrategy.NONE).withLossAware());
        c.add(importanceConfig().withLossAware());
        return c;
    }

    /**
     * The configuration whose first-seed run feeds the sample-importance report: the job's default
     * strategy ({@code weights.strategy}), no down-sampling, no augmentation.
     */
    public static ExperimentConfig importanceConfig() {
        return ExperimentConfig.of(PipelineDefaults.STRATEGY);
    }

    /**
     * The configurations of {@code --quick}: NONE, INVERSE, the job's default strategy (which feeds
     * the importance report), SQRT_INVERSE with negatives kept at 0.3, NONE with SMOTE and
     * SQRT_INVERSE loss-aware.
     */
    public static List<ExperimentConfig> quickConfigs() {
        return List.of(
                ExperimentConfig.of(WeightingStrategy.NONE),
                ExperimentConfig.of(WeightingStrategy.INVERSE),
                importanceConfig(),
                ExperimentConfig.of(WeightingStrategy.SQRT_INVERSE).downSampled(0.3),
                ExperimentConfig.of(WeightingStrategy.NONE).withSmote(),
                ExperimentConfig.of(WeightingStrategy.SQRT_INVERSE).withLossAware());
    }

    /**
     * Runs the experiment.
     *
     * @param limit events to read, -1 for all
     * @param seeds seeds of the model, the down-sampler and the baseline; every configuration runs
     *     once with each (the synthetic fallback data uses the first)
     * @param learningRate Adam learning rate of every model of the run
     * @param quick {@link #quickConfigs()} and {@link #QUICK_EVENTS} events unless {@code limit}
     *     says otherwise
     * @param progress receives one line per finished run
     */
    public static Outcome run(
            int limit,
            List<Long> seeds,
            double learningRate,
            boolean quick,
            Consumer<String> progress) {
        if (seeds.isEmpty()) {
            throw new IllegalArgumentException("seeds must not be empty");
        }
        long seed = seeds.get(0);
        // The code that runs is the code of now: a tree edited during a long run must not mark it.
        String codeVersion = codeVersion();
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
        List<QualityRunner> runners = new ArrayList<>();
        for (long s : seeds) {
            runners.add(
                    new QualityRunner(samples, QualityRunner.Settings.defaults(s, learningRate)));
        }
        QualityRunner runner = runners.get(0);
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
        List<SeededResult> results = new ArrayList<>();
        List<ExperimentConfig> configs = quick ? quickConfigs() : fullConfigs();
        ExperimentConfig importanceConfig = importanceConfig();
        SampleImportance importance =
                new SampleImportance(IMPORTANCE_TOP_ROWS, IMPORTANCE_WINDOW_ROWS);
        boolean importanceRun = false;
        for (ExperimentConfig c : configs) {
            List<Result> perSeed = new ArrayList<>();
            for (int i = 0; i < runners.size(); i++) {
                boolean track = i == 0 && c.equals(importanceConfig);
                importanceRun |= track;
                Result r = runners.get(i).run(c, track ? importance : null);
                progress.accept("seed " + seeds.get(i) + ": " + line(r));
                perSeed.add(r);
            }
            results.add(new SeededResult(c.name(), c, perSeed));
        }
        List<Result> offline = new ArrayList<>();
        for (int i = 0; i < runners.size(); i++) {
            Result r = runners.get(i).runOfflineBaseline();
            progress.accept("seed " + seeds.get(i) + ": " + line(r));
            offline.add(r);
        }
        Result reference = runner.runLogisticReference();
        progress.accept("reference: " + line(reference));
        int[] cg = runner.classesAndGroups();
        long[] positives = runner.holdOutPositives();
        return new Outcome(
                source,
                events.size(),
                samples.size(),
                openWindows,
                corrections,
                runner.trainingSamples(),
                runner.holdOutSamples(),
                positives[0],
                positives[1],
                runner.baseRateCtrLogLoss(),
                cg[0],
                cg[1],
                List.copyOf(seeds),
                codeVersion,
                quick,
                runner.settings(),
                results,
                new SeededResult(offline.get(0).name(), null, offline),
                new SeededResult(reference.name(), null, List.of(reference)),
                importanceRun ? new Importance(importanceConfig, seed, importance) : null);
    }

    /**
     * Exposures of {@code --quick} on the known-answer stream (in place of the configured number):
     * a stream small enough for CI.
     */
    public static final int QUICK_KNOWN_ANSWER_EXPOSURES = 20_000;

    /**
     * The configurations of the known-answer run: NONE, SQRT_INVERSE and EFFECTIVE_NUMBER β = 0.999
     * without down-sampling, and SQRT_INVERSE with negatives kept at 0.3. Sized by a measurement on
     * this 2-core machine: one plain configuration over the default 300,000 exposures takes about
     * 2–3 minutes, a down-sampled one about half, so four configurations × 3 seeds fit the
     * 30-minute budget; INVERSE, the other effective numbers, NONE with down-sampling, augmentation
     * and loss-aware weights do not (the Taobao run keeps its full grid).
     */
    public static List<ExperimentConfig> knownAnswerConfigs() {
        return List.of(
                ExperimentConfig.of(WeightingStrategy.NONE),
                ExperimentConfig.of(WeightingStrategy.SQRT_INVERSE),
                ExperimentConfig.effectiveNumber(0.999),
                ExperimentConfig.of(WeightingStrategy.SQRT_INVERSE).downSampled(0.3));
    }

    /** The configurations of {@code --quick} on the known-answer stream. */
    public static List<ExperimentConfig> quickKnownAnswerConfigs() {
        return List.of(
                ExperimentConfig.of(WeightingStrategy.NONE),
                ExperimentConfig.of(WeightingStrategy.INVERSE),
                ExperimentConfig.of(WeightingStrategy.SQRT_INVERSE).downSampled(0.3));
    }

    /**
     * What a known-answer run did and found.
     *
     * @param config the generator's configuration (exposures as run)
     * @param events events generated
     * @param samples attributed samples with complete windows (corrections included)
     * @param openWindows samples left out because only the end of the data closed their window
     * @param corrections correction samples among them
     * @param trainingSamples samples in the streamed training prefix
     * @param holdOutSamples samples in the held-out tail (corrections included)
     * @param evaluated held-out exposures evaluated against the truth
     * @param evaluatedClicks of those, clicked by their final label
     * @param evaluatedPurchases of those, purchased by their final label
     * @param seeds model seeds
     * @param codeVersion git commit of the code
     * @param quick whether this was {@code --quick}
     * @param settings the runner settings of the first seed
     * @param results one per configuration
     * @param reference the logistic-regression reference
     * @param seconds wall time of the whole run, generation included
     */
    public record KnownAnswerOutcome(
            KnownAnswerConfig config,
            int events,
            int samples,
            int openWindows,
            long corrections,
            int trainingSamples,
            int holdOutSamples,
            int evaluated,
            long evaluatedClicks,
            long evaluatedPurchases,
            List<Long> seeds,
            String codeVersion,
            boolean quick,
            QualityRunner.Settings settings,
            List<SeededResult> results,
            SeededResult reference,
            double seconds) {}

    /**
     * Runs the experiment on a known-answer stream: the generator's events go through the job's
     * attribution ({@link OfflineAttribution}) like the Taobao events, every configuration of
     * {@code configs} runs once per seed, and each result carries the held-out evaluation against
     * the truth ({@link KnownAnswerHoldOut}).
     *
     * @param config the generator's configuration
     * @param seeds model and down-sampler seeds (the stream is the same for all)
     * @param learningRate Adam learning rate
     * @param quick marks the outcome as {@code --quick}
     * @param configs the configurations to run
     * @param progress receives one line per finished run
     */
    public static KnownAnswerOutcome runKnownAnswer(
            KnownAnswerConfig config,
            List<Long> seeds,
            double learningRate,
            boolean quick,
            List<ExperimentConfig> configs,
            Consumer<String> progress) {
        if (seeds.isEmpty()) {
            throw new IllegalArgumentException("seeds must not be empty");
        }
        long start = System.nanoTime();
        String codeVersion = codeVersion();
        KnownAnswerGenerator.Generated g = KnownAnswerGenerator.generate(config);
        List<UserEvent> events = g.events();
        List<AttributedSample> attributed =
                OfflineAttribution.attribute(events, OfflineAttribution.Settings.jobDefaults());
        List<AttributedSample> samples = completeWindows(attributed, events);
        int openWindows = attributed.size() - samples.size();
        long corrections = samples.stream().filter(AttributedSample::correction).count();
        List<QualityRunner> runners = new ArrayList<>();
        for (long s : seeds) {
            runners.add(
                    new QualityRunner(
                            samples, QualityRunner.Settings.defaults(s, learningRate), g.truths()));
        }
        QualityRunner runner = runners.get(0);
        KnownAnswerHoldOut hold = runner.knownAnswer();
        progress.accept(
                String.format(
                        "known-answer stream: %,d events -> %,d samples (%,d corrections; %,d open"
                                + " windows left out); training %,d, held out %,d (%,d exposures"
                                + " evaluated against the truth); %.1f s",
                        events.size(),
                        samples.size(),
                        corrections,
                        openWindows,
                        runner.trainingSamples(),
                        runner.holdOutSamples(),
                        hold.size(),
                        (System.nanoTime() - start) / 1e9));
        Result reference = runner.runLogisticReference();
        progress.accept("reference: " + knownAnswerLine(reference));
        List<SeededResult> results = new ArrayList<>();
        for (ExperimentConfig c : configs) {
            List<Result> perSeed = new ArrayList<>();
            for (int i = 0; i < runners.size(); i++) {
                Result r = runners.get(i).run(c);
                progress.accept("seed " + seeds.get(i) + ": " + knownAnswerLine(r));
                perSeed.add(r);
            }
            results.add(new SeededResult(c.name(), c, perSeed));
        }
        return new KnownAnswerOutcome(
                config,
                events.size(),
                samples.size(),
                openWindows,
                corrections,
                runner.trainingSamples(),
                runner.holdOutSamples(),
                hold.size(),
                hold.clicks(),
                hold.purchases(),
                List.copyOf(seeds),
                codeVersion,
                quick,
                runner.settings(),
                results,
                new SeededResult(reference.name(), null, List.of(reference)),
                (System.nanoTime() - start) / 1e9);
    }

    private static String knownAnswerLine(Result r) {
        var k = r.knownAnswer();
        return String.format(
                "%-32s CTR AUC %.4f (ceiling %.4f, tail %.4f/%.4f)  CTCVR AUC %.4f (ceiling %.4f)"
                        + "  ECE %.4f / %.4f  ESS %5.1f%%  %.1f s",
                r.name(),
                k.ctr().overall().auc(),
                k.ctr().overall().ceilingAuc(),
                k.ctr(KnownAnswerEvaluation.Group.TAIL).auc(),
                k.ctr(KnownAnswerEvaluation.Group.TAIL).ceilingAuc(),
                k.ctcvr().overall().auc(),
                k.ctcvr().overall().ceilingAuc(),
                k.ctr().overall().ece(),
                k.ctcvr().overall().ece(),
                100 * r.essFraction(),
                r.seconds());
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
