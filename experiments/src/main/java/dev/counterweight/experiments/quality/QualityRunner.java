package dev.counterweight.experiments.quality;

import dev.counterweight.avro.Sample;
import dev.counterweight.connectors.dataset.KnownAnswerGenerator.ExposureTruth;
import dev.counterweight.connectors.features.FeatureLayout;
import dev.counterweight.core.attribution.ClassKeyMode;
import dev.counterweight.core.decay.DecayedCount;
import dev.counterweight.core.decay.HalfLife;
import dev.counterweight.core.defaults.PipelineDefaults;
import dev.counterweight.core.metrics.LogisticRegression;
import dev.counterweight.core.metrics.SampleImportance;
import dev.counterweight.core.sampling.DownSamplingConfig;
import dev.counterweight.core.sampling.MinorityInterpolation;
import dev.counterweight.core.sampling.NegativeDownSampler;
import dev.counterweight.core.sampling.PlattScaling;
import dev.counterweight.core.sampling.Recalibration;
import dev.counterweight.core.weighting.ClassCounting;
import dev.counterweight.core.weighting.ClassWeight;
import dev.counterweight.core.weighting.EffectiveSampleSize;
import dev.counterweight.core.weighting.LossAwareConfig;
import dev.counterweight.core.weighting.LossAwareMultiplier;
import dev.counterweight.core.weighting.WeightTable;
import dev.counterweight.core.weighting.WeightingConfig;
import dev.counterweight.experiments.offline.OfflineAttribution.AttributedSample;
import dev.counterweight.learner.model.Batch;
import dev.counterweight.learner.model.Dl4jRankingModel;
import dev.counterweight.learner.model.ModelConfig;
import dev.counterweight.learner.model.Scores;
import dev.counterweight.learner.scoring.CalibrationWindow;
import dev.counterweight.learner.service.LearnerOptions;
import dev.counterweight.learner.service.LearnerSettings;
import dev.counterweight.learner.service.ProgressiveEvaluator;
import dev.counterweight.learner.service.SampleEncoder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.configuration.Configuration;

/**
 * The in-JVM reweighting experiment: streams attributed samples through the job's weighting
 * (decayed class counts folded into a {@link WeightTable} at each update boundary, each sample
 * stamped with the newest table's weight of its class, negatives down-sampled) and trains the
 * learner's model test-then-train; the last part of the stream by event time is held out and scored
 * by the final model only.
 *
 * <p>Loss-aware configurations do what the job does with {@code weights.loss-aware.enabled} and the
 * learner's class-loss topic: every training batch is scored before it is trained on into a sliding
 * window of the learner's size ({@code learner.eval-window}), every {@code
 * learner.class-loss-every-batches} batches its per-class loss is folded into a {@link
 * LossAwareMultiplier} with the job's default {@code weights.loss-aware.*} settings, and the next
 * table is computed with it. Here a loss window reaches the table immediately (a learner that keeps
 * up with the job); in the pipeline it arrives after the learner's consumer lag.
 */
public final class QualityRunner {

    /** The job's default loss-aware settings ({@code weights.loss-aware.*}). */
    static final LossAwareConfig LOSS_AWARE =
            new LossAwareConfig(
                    PipelineDefaults.LOSS_AWARE_STRENGTH,
                    PipelineDefaults.LOSS_AWARE_SMOOTHING,
                    PipelineDefaults.LOSS_AWARE_MIN,
                    PipelineDefaults.LOSS_AWARE_MAX,
                    PipelineDefaults.LOSS_AWARE_MIN_SAMPLES,
                    PipelineDefaults.LOSS_AWARE_PRESERVE_MEAN);

    /** The learner's class-loss cadence and window ({@code learner.*} defaults). */
    static final int CLASS_LOSS_EVERY_BATCHES =
            LearnerOptions.CLASS_LOSS_EVERY_BATCHES.defaultValue();

    static final int LOSS_WINDOW = LearnerOptions.EVAL_WINDOW.defaultValue();

    /** Earlier real samples per class that a SMOTE-style synthetic sample may pair with. */
    static final int SMOTE_POOL = 16;

    /**
     * Experiment settings.
     *
     * @param classKey the class key of the weight table
     * @param weightHalfLife half-life of the decayed class counts
     * @param updateIntervalMillis event-time interval between weight-table updates
     * @param minWeight clip bound of the weights
     * @param maxWeight clip bound of the weights
     * @param batchSize training rows per batch
     * @param holdOutFraction the held-out tail, by event time
     * @param offlineEpochs epochs of the offline baseline
     * @param seed seed of the model, the down-sampler and the baseline's shuffling
     * @param model the network
     */
    public record Settings(
            ClassKeyMode classKey,
            HalfLife weightHalfLife,
            long updateIntervalMillis,
            double minWeight,
            double maxWeight,
            int batchSize,
            double holdOutFraction,
            int offlineEpochs,
            long seed,
            ModelConfig model) {

        /** The job's weighting defaults and the learner's default model, with {@code seed}. */
        public static Settings defaults(long seed) {
            return defaults(seed, defaultModel().learningRate());
        }

        /**
         * The job's weighting defaults and the learner's default model, with {@code seed} and the
         * Adam learning rate {@code learningRate} in place of the learner's default.
         *
         * @throws IllegalArgumentException if {@code learningRate} is not finite and positive
         */
        public static Settings defaults(long seed, double learningRate) {
            ModelConfig m = defaultModel();
            return new Settings(
                    PipelineDefaults.CLASS_KEY,
                    HalfLife.of(PipelineDefaults.WEIGHT_HALF_LIFE),
                    PipelineDefaults.UPDATE_INTERVAL.toMillis(),
                    PipelineDefaults.MIN_WEIGHT,
                    PipelineDefaults.MAX_WEIGHT,
                    512,
                    0.15,
                    3,
                    seed,
                    new ModelConfig(
                            m.userVocab(),
                            m.itemVocab(),
                            m.categoryVocab(),
                            m.embeddingDim(),
                            m.denseFeatures(),
                            m.bottomLayers(),
                            m.towerWidth(),
                            learningRate,
                            seed,
                            m.mmoe(),
                            m.experts()));
        }

        WeightingConfig weighting(ExperimentConfig c) {
            return new WeightingConfig(
                    c.strategy(), c.beta(), minWeight, maxWeight, PipelineDefaults.NORMALISE);
        }
    }

    /** The learner's default model configuration (the options' defaults). */
    static ModelConfig defaultModel() {
        Map<String, String> m = new HashMap<>();
        m.put("learner.bootstrap-servers", "unused");
        m.put("learner.snapshot-dir", "unused");
        return LearnerSettings.from(Configuration.fromMap(m)).model();
    }

    /**
     * Unweighted metrics of one evaluation pass; NaN where undefined.
     *
     * @param count samples evaluated
     */
    public record Metrics(
            long count,
            double ctrAuc,
            double ctcvrAuc,
            double ctrMacroAuc,
            double ctcvrMacroAuc,
            double ctrTailAuc,
            double ctcvrTailAuc,
            double ctrLogLoss,
            double ctcvrLogLoss,
            double ctrEce,
            double ctcvrEce) {

        static Metrics of(ProgressiveEvaluator e) {
            Map<String, Double> m = e.metrics();
            return new Metrics(
                    e.evaluated(),
                    get(m, "ctr.auc"),
                    get(m, "ctcvr.auc"),
                    get(m, "ctr.macro-auc"),
                    get(m, "ctcvr.macro-auc"),
                    get(m, "ctr.tail-macro-auc"),
                    get(m, "ctcvr.tail-macro-auc"),
                    get(m, "ctr.logloss"),
                    get(m, "ctcvr.logloss"),
                    get(m, "ctr.ece"),
                    get(m, "ctcvr.ece"));
        }

        private static double get(Map<String, Double> m, String key) {
            return m.getOrDefault(key, Double.NaN);
        }
    }

    /**
     * The outcome of one configuration.
     *
     * @param name the configuration's name
     * @param config the configuration; null for the offline baseline
     * @param progressive test-then-train metrics over the training prefix (recalibrated scores);
     *     null for the offline baseline
     * @param holdOut the final model on the held-out tail, recalibrated scores
     * @param holdOutRaw the same without recalibration
     * @param trainedRows rows trained on (synthetic copies included)
     * @param syntheticRows synthetic copies among them
     * @param effectiveSampleSize (Σw)²/Σw² of the trained rows' weights
     * @param minWeight smallest trained weight
     * @param maxWeight largest trained weight
     * @param tables weight tables computed
     * @param seconds wall time of the configuration
     * @param lossWindows class-loss windows folded into the loss-aware multiplier (0 unless
     *     loss-aware)
     * @param knownAnswer the final model on the held-out tail against the truth, after prior
     *     correction ({@link PriorCorrection}); null unless the stream's answers are known
     */
    public record Result(
            String name,
            ExperimentConfig config,
            Metrics progressive,
            Metrics holdOut,
            Metrics holdOutRaw,
            long trainedRows,
            long syntheticRows,
            double effectiveSampleSize,
            double minWeight,
            double maxWeight,
            long tables,
            double seconds,
            long lossWindows,
            KnownAnswerHoldOut.Metrics knownAnswer) {

        /** ESS as a fraction of the trained rows. */
        public double essFraction() {
            return trainedRows == 0 ? Double.NaN : effectiveSampleSize / trainedRows;
        }
    }

    private final Settings settings;
    private final List<AttributedSample> samples;
    private final List<Sample> records;
    private final List<String> classKeys;
    private final int trainEnd;
    private final KnownAnswerHoldOut knownAnswer;

    /**
     * Prepares a run over {@code samples}, which must be in sample-time order.
     *
     * @throws IllegalArgumentException if there are too few samples to split
     */
    public QualityRunner(List<AttributedSample> samples, Settings settings) {
        this(samples, settings, null);
    }

    /**
     * Prepares a run over the samples of a known-answer stream: every result also carries the
     * held-out evaluation against {@code truths} ({@link KnownAnswerHoldOut}).
     *
     * @param truths the generator's truths, one per exposure; null for a stream without them
     * @throws IllegalArgumentException if there are too few samples to split, or a held-out sample
     *     has no truth
     */
    public QualityRunner(
            List<AttributedSample> samples, Settings settings, List<ExposureTruth> truths) {
        this.settings = settings;
        this.samples = List.copyOf(samples);
        this.records = new ArrayList<>(samples.size());
        this.classKeys = new ArrayList<>(samples.size());
        for (AttributedSample s : samples) {
            String key = s.classKey(settings.classKey());
            classKeys.add(key);
            records.add(record(s, key));
        }
        this.trainEnd = (int) Math.floor(samples.size() * (1 - settings.holdOutFraction()));
        if (trainEnd < settings.batchSize() || trainEnd >= samples.size()) {
            throw new IllegalArgumentException(
                    "need at least "
                            + settings.batchSize()
                            + " training samples and a non-empty held-out tail, have "
                            + samples.size()
                            + " samples");
        }
        this.knownAnswer =
                truths == null ? null : new KnownAnswerHoldOut(this.samples, trainEnd, truths);
    }

    /** The known-answer hold-out, null for a stream without truths. */
    public KnownAnswerHoldOut knownAnswer() {
        return knownAnswer;
    }

    /** The settings of this runner. */
    public Settings settings() {
        return settings;
    }

    /** Samples in the training prefix. */
    public int trainingSamples() {
        return trainEnd;
    }

    /** Samples in the held-out tail. */
    public int holdOutSamples() {
        return samples.size() - trainEnd;
    }

    /** Held-out samples with a click, and with a click and a conversion (the CTCVR label). */
    public long[] holdOutPositives() {
        long clicks = 0;
        long ctcvr = 0;
        for (AttributedSample s : samples.subList(trainEnd, samples.size())) {
            clicks += s.click() ? 1 : 0;
            ctcvr += s.click() && s.conversion() ? 1 : 0;
        }
        return new long[] {clicks, ctcvr};
    }

    /**
     * Held-out CTR log loss of a constant prediction of the training prefix's click rate: what a
     * model must beat to have learned anything about who clicks.
     */
    public double baseRateCtrLogLoss() {
        long prefixClicks = 0;
        for (AttributedSample s : samples.subList(0, trainEnd)) {
            prefixClicks += s.click() ? 1 : 0;
        }
        double p = clamp((double) prefixClicks / trainEnd);
        p = Math.max(1e-7, Math.min(1 - 1e-7, p));
        long n = holdOutSamples();
        long k = holdOutPositives()[0];
        return -(k * Math.log(p) + (n - k) * Math.log(1 - p)) / n;
    }

    /** Event time of the first held-out sample. */
    public long holdOutStart() {
        return samples.get(trainEnd).closedAt();
    }

    /** Distinct classes and evaluation groups in the data. */
    public int[] classesAndGroups() {
        var classes = new java.util.HashSet<String>(classKeys);
        var groups = new java.util.HashSet<String>();
        for (String k : classes) {
            groups.add(ClassKeyMode.evaluationGroup(k));
        }
        return new int[] {classes.size(), groups.size()};
    }

    /** Streams the training prefix through weighting and test-then-train learning. */
    public Result run(ExperimentConfig config) {
        return run(config, null);
    }

    /**
     * {@link #run(ExperimentConfig)}, also feeding every trained row, with its weight and the
     * model's scores from just before the batch was trained on, into {@code importance}.
     *
     * @param importance receives the trained rows; null for none
     */
    public Result run(ExperimentConfig config, SampleImportance importance) {
        long start = System.nanoTime();
        Dl4jRankingModel model = Dl4jRankingModel.create(settings.model());
        SampleEncoder encoder = new SampleEncoder(settings.model());
        WeightingConfig weighting = settings.weighting(config);
        NegativeDownSampler sampler =
                new NegativeDownSampler(
                        DownSamplingConfig.uniform(config.downSamplingRate(), settings.seed()));
        double rate = config.downSamplingRate();
        ProgressiveEvaluator progressive = new ProgressiveEvaluator(trainEnd + 1);
        ProgressiveTail tail = new ProgressiveTail(LOSS_WINDOW);
        EffectiveSampleSize ess = new EffectiveSampleSize();
        LossFeedback feedback = config.lossAware() ? new LossFeedback() : null;
        StreamWeighting stamping =
                new StreamWeighting(
                        settings, weighting, feedback == null ? null : feedback.multiplier);
        MinorityInterpolation<Sample> smote =
                config.smote() ? new MinorityInterpolation<>(SMOTE_POOL, settings.seed()) : null;
        long synthetic = 0;
        double minW = Double.POSITIVE_INFINITY;
        double maxW = Double.NEGATIVE_INFINITY;
        List<Sample> toScore = new ArrayList<>();
        List<Sample> batch = new ArrayList<>();
        List<Float> weights = new ArrayList<>();
        for (int i = 0; i < trainEnd; i++) {
            AttributedSample s = samples.get(i);
            String key = classKeys.get(i);
            double classWeight = stamping.stamp(key, s.closedAt());
            WeightTable table = stamping.table();
            toScore.add(records.get(i));
            NegativeDownSampler.Decision d =
                    sampler.decide(s.sampleId(), key, !s.click() && !s.conversion());
            if (d.keep()) {
                double w = classWeight * d.weightMultiplier();
                List<Sample> rows = augmented(config, table, key, records.get(i), smote);
                int copies = rows.size();
                for (Sample row : rows) {
                    // Copies are flagged synthetic: the learner never evaluates them.
                    batch.add(row);
                    weights.add((float) (w / copies));
                    ess.add(w / copies);
                    minW = Math.min(minW, w / copies);
                    maxW = Math.max(maxW, w / copies);
                }
                synthetic += copies - 1;
            }
            if (batch.size() >= settings.batchSize()) {
                step(
                        model,
                        encoder,
                        progressive,
                        tail,
                        rate,
                        toScore,
                        batch,
                        weights,
                        feedback,
                        importance);
            }
        }
        if (!batch.isEmpty() || !toScore.isEmpty()) {
            step(
                    model,
                    encoder,
                    progressive,
                    tail,
                    rate,
                    toScore,
                    batch,
                    weights,
                    feedback,
                    importance);
        }
        if (importance != null) {
            importance.flush();
        }
        Metrics[] heldOut = scoreHoldOut(model, encoder, rate);
        KnownAnswerHoldOut.Metrics known = null;
        if (knownAnswer != null) {
            PriorCorrection correction =
                    new PriorCorrection(settings.classKey(), stamping.table(), rate);
            known = knownAnswer(model, encoder, correction, tail.fit(correction));
        }
        return new Result(
                config.name(),
                config,
                Metrics.of(progressive),
                heldOut[0],
                heldOut[1],
                ess.count(),
                synthetic,
                ess.value(),
                minW,
                maxW,
                stamping.tables(),
                (System.nanoTime() - start) / 1e9,
                feedback == null ? 0 : feedback.multiplier.observations(),
                known);
    }

    /**
     * The job's weighting of a sample stream in {@code closedAt} order, with the job's rule (core's
     * {@link ClassCounting}) in event time: decayed class counts staged per update boundary, a new
     * table version once the stream passes a boundary, each sample stamped with the newest table
     * before it is counted.
     */
    static final class StreamWeighting {
        private final Settings settings;
        private final ClassCounting counting;
        private final WeightingConfig weighting;
        private final LossAwareMultiplier multiplier;
        private final Map<String, DecayedCount> counts = new HashMap<>();
        private final Map<String, DecayedCount> staged = new HashMap<>();
        private long pendingBoundary = Long.MIN_VALUE;
        private WeightTable table;
        private long tables;

        /**
         * @param multiplier the loss-aware multiplier each table is computed with; null for none
         */
        StreamWeighting(
                Settings settings, WeightingConfig weighting, LossAwareMultiplier multiplier) {
            this.settings = settings;
            this.counting =
                    new ClassCounting(settings.weightHalfLife(), settings.updateIntervalMillis());
            this.weighting = weighting;
            this.multiplier = multiplier;
        }

        /**
         * Advances the stream to a sample of class {@code key} closed at {@code t}: computes the
         * table of a boundary the stream has passed, returns the class weight the sample is stamped
         * with (1 before the first table), then counts the sample.
         */
        double stamp(String key, long t) {
            if (pendingBoundary != Long.MIN_VALUE && t > pendingBoundary) {
                // The watermark passed the boundary: the job folds its counts into a new table.
                staged.forEach((k, v) -> counts.put(k, counting.fold(counts.get(k), v)));
                staged.clear();
                table =
                        ClassCounting.tableAt(
                                ++tables,
                                pendingBoundary,
                                counts.entrySet(),
                                settings.weightHalfLife(),
                                weighting,
                                multiplier);
                pendingBoundary = Long.MIN_VALUE;
            }
            double classWeight = table == null ? 1.0 : table.weightOf(key);
            staged.put(key, counting.count(staged.get(key), t));
            pendingBoundary = counting.boundaryOf(t);
            return classWeight;
        }

        /** The newest table, null before the first. */
        WeightTable table() {
            return table;
        }

        /** Tables computed so far. */
        long tables() {
            return tables;
        }
    }

    /**
     * The learner's side of loss-aware weights: its progressive window over the trained rows and
     * the multiplier the job builds from the class-loss windows it publishes.
     */
    private static final class LossFeedback {
        final ProgressiveEvaluator window = new ProgressiveEvaluator(LOSS_WINDOW);
        final LossAwareMultiplier multiplier = new LossAwareMultiplier(LOSS_AWARE);
        long batches;

        /** Before training: the batch's scores, as the learner evaluates it. */
        void scored(List<Sample> batch, Scores raw) {
            window.add(batch, raw);
        }

        /** After training: every so many batches, one class-loss window reaches the job. */
        void trained() {
            batches++;
            if (batches % CLASS_LOSS_EVERY_BATCHES != 0) {
                return;
            }
            double overall = window.overallLoss();
            for (var e : window.classLoss()) {
                multiplier.observe(
                        e.getClassKey().toString(), e.getMeanLoss(), e.getCount(), overall);
            }
            multiplier.windowObserved();
        }
    }

    /**
     * The rows a kept sample trains as: itself, plus for one of the smallest classes (see {@link
     * #copies}) either plain copies (oversampling) or SMOTE-style synthetic samples interpolated
     * with earlier samples of its class (none while the class has no earlier sample).
     */
    private List<Sample> augmented(
            ExperimentConfig config,
            WeightTable table,
            String key,
            Sample real,
            MinorityInterpolation<Sample> smote) {
        if (smote != null) {
            int extra = copies(table, key) - 1;
            List<Sample> rows = new ArrayList<>(extra + 1);
            rows.add(real);
            int n = 0;
            for (var s : smote.synthesise(key, real, dense(real), QualityRunner::dense, extra)) {
                rows.add(synthetic(s, n++));
            }
            return rows;
        }
        int copies = config.oversample() ? copies(table, key) : 1;
        List<Sample> rows = new ArrayList<>(copies);
        rows.add(real);
        for (int c = 1; c < copies; c++) {
            rows.add(syntheticCopy(real));
        }
        return rows;
    }

    static float[] dense(Sample s) {
        List<Float> f = s.getFeatures();
        float[] out = new float[f.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = f.get(i);
        }
        return out;
    }

    /**
     * A SMOTE-style sample: the interpolated dense features; ids, labels and class from the nearer
     * parent; flagged synthetic.
     */
    static Sample synthetic(MinorityInterpolation.Synthetic<Sample> s, int n) {
        List<Float> features = new ArrayList<>(s.dense().length);
        for (float f : s.dense()) {
            features.add(f);
        }
        return Sample.newBuilder(s.nearer())
                .setSampleId(s.first().getSampleId() + "#smote" + n)
                .setFeatures(features)
                .setSynthetic(true)
                .build();
    }

    /**
     * The offline baseline: the same model trained for {@link Settings#offlineEpochs()} shuffled
     * epochs on the whole training prefix (weight 1), scored on the held-out tail.
     */
    public Result runOfflineBaseline() {
        long start = System.nanoTime();
        Dl4jRankingModel model = Dl4jRankingModel.create(settings.model());
        SampleEncoder encoder = new SampleEncoder(settings.model());
        List<Sample> train = new ArrayList<>(records.subList(0, trainEnd));
        Random random = new Random(settings.seed());
        for (int epoch = 0; epoch < settings.offlineEpochs(); epoch++) {
            Collections.shuffle(train, random);
            for (int from = 0; from < train.size(); from += settings.batchSize()) {
                Batch b =
                        encoder.encode(
                                train.subList(
                                        from, Math.min(train.size(), from + settings.batchSize())));
                if (model.iterations() == 0) {
                    model.startAtBaseRates(b);
                }
                model.train(b);
            }
        }
        Metrics[] tail = scoreHoldOut(model, encoder, 1.0);
        KnownAnswerHoldOut.Metrics known =
                knownAnswer(
                        model,
                        encoder,
                        new PriorCorrection(settings.classKey(), null, 1.0),
                        // No progressive pass, so no window to fit calibration maps on.
                        new PlattScaling[] {PlattScaling.IDENTITY, PlattScaling.IDENTITY});
        return new Result(
                "offline baseline (" + settings.offlineEpochs() + " epochs, no weighting)",
                null,
                null,
                tail[0],
                tail[1],
                (long) train.size() * settings.offlineEpochs(),
                0,
                (double) train.size() * settings.offlineEpochs(),
                1.0,
                1.0,
                0,
                (System.nanoTime() - start) / 1e9,
                0,
                known);
    }

    /** The name of {@link #runLogisticReference()}'s result. */
    public static final String REFERENCE_NAME = "logistic-regression reference";

    /**
     * The logistic-regression reference ({@link LogisticRegression}, Newton, no weighting): one
     * model for CTR and one for CTCVR, each on the sample's dense features as the learner sees them
     * (user, item and category activity, log price, position, the producer's dense features; no ids
     * and no one-hot category), fitted on the training prefix's rows (corrections included, as the
     * learner trains them) and scored on the held-out tail. Deterministic: the same for every seed.
     */
    public Result runLogisticReference() {
        long start = System.nanoTime();
        float[][] x = new float[trainEnd][];
        boolean[] clicks = new boolean[trainEnd];
        boolean[] purchases = new boolean[trainEnd];
        for (int i = 0; i < trainEnd; i++) {
            AttributedSample s = samples.get(i);
            x[i] = s.features();
            clicks[i] = s.click();
            purchases[i] = s.click() && s.conversion();
        }
        LogisticRegression ctr = LogisticRegression.fit(x, clicks);
        LogisticRegression ctcvr = LogisticRegression.fit(x, purchases);
        ReferenceScorer scorer = new ReferenceScorer(ctr, ctcvr);
        int n = samples.size() - trainEnd;
        ProgressiveEvaluator eval = new ProgressiveEvaluator(n + 1);
        eval.add(records.subList(trainEnd, samples.size()), scorer.score(trainEnd, samples.size()));
        Metrics tail = Metrics.of(eval);
        KnownAnswerHoldOut.Metrics known = null;
        if (knownAnswer != null) {
            int[] idx = knownAnswer.indices();
            double[] c = new double[idx.length];
            double[] v = new double[idx.length];
            for (int k = 0; k < idx.length; k++) {
                float[] f = samples.get(idx[k]).features();
                c[k] = ctr.predict(f);
                v[k] = ctcvr.predict(f);
            }
            known = knownAnswer.evaluate(c, v, c, v);
        }
        return new Result(
                REFERENCE_NAME,
                null,
                null,
                tail,
                tail,
                trainEnd,
                0,
                trainEnd,
                1.0,
                1.0,
                0,
                (System.nanoTime() - start) / 1e9,
                0,
                known);
    }

    private final class ReferenceScorer {
        final LogisticRegression ctr;
        final LogisticRegression ctcvr;

        ReferenceScorer(LogisticRegression ctr, LogisticRegression ctcvr) {
            this.ctr = ctr;
            this.ctcvr = ctcvr;
        }

        Scores score(int from, int to) {
            double[] c = new double[to - from];
            double[] v = new double[to - from];
            double[] cvr = new double[to - from];
            for (int i = from; i < to; i++) {
                float[] f = samples.get(i).features();
                c[i - from] = ctr.predict(f);
                v[i - from] = ctcvr.predict(f);
                cvr[i - from] = c[i - from] > 0 ? Math.min(1, v[i - from] / c[i - from]) : 0;
            }
            return new Scores(c, cvr, v);
        }
    }

    /**
     * The final model against the truth on the known-answer hold-out, its scores prior-corrected
     * with {@code correction}; null without a known-answer hold-out.
     */
    /**
     * The last {@code capacity} samples of the training prefix with the model's raw progressive
     * scores (taken before each batch was trained on), on which the calibration maps are fitted as
     * the learner fits them on its progressive window ({@link CalibrationWindow}): after the prior
     * correction, Platt scaling of CTR and CTCVR with the learner's ridge and minimum positives.
     * The experiment scores every sample of the stream, dropped negatives included, so every sample
     * weighs 1 (the learner's {@code 1 / samplingRate} restores the same population). Never fitted
     * on held-out samples.
     */
    static final class ProgressiveTail {
        private final int capacity;
        private final double[] ctr;
        private final double[] ctcvr;
        private final String[] category;
        private final double[] itemExposures;
        private final boolean[] click;
        private final boolean[] purchase;
        private int size;
        private int next;

        ProgressiveTail(int capacity) {
            this.capacity = capacity;
            ctr = new double[capacity];
            ctcvr = new double[capacity];
            category = new String[capacity];
            itemExposures = new double[capacity];
            click = new boolean[capacity];
            purchase = new boolean[capacity];
        }

        void add(List<Sample> samples, Scores raw) {
            for (int i = 0; i < samples.size(); i++) {
                Sample s = samples.get(i);
                int slot = next;
                next = (next + 1) % capacity;
                size = Math.min(capacity, size + 1);
                ctr[slot] = clamp(raw.ctr()[i]);
                ctcvr[slot] = clamp(raw.ctcvr()[i]);
                category[slot] = s.getCategoryId();
                itemExposures[slot] = s.getFeatures().get(FeatureLayout.ITEM);
                click[slot] = s.getClick();
                purchase[slot] = s.getClick() && s.getConversion();
            }
        }

        /** {CTR map, CTCVR map} fitted after {@code correction}; identity where too few labels. */
        PlattScaling[] fit(PriorCorrection correction) {
            double[] a = new double[size];
            double[] b = new double[size];
            double[] w = new double[size];
            for (int i = 0; i < size; i++) {
                double[] p = correction.calibrate(category[i], itemExposures[i], ctr[i], ctcvr[i]);
                a[i] = p[0];
                // As the scorer: CTCVR never above CTR.
                b[i] = Math.min(p[0], p[1]);
                w[i] = 1;
            }
            return new PlattScaling[] {fit(a, click, w), fit(b, purchase, w)};
        }

        private PlattScaling fit(double[] p, boolean[] label, double[] w) {
            long positives = 0;
            for (int i = 0; i < size; i++) {
                positives += label[i] ? 1 : 0;
            }
            if (positives < CalibrationWindow.MIN_POSITIVES
                    || size - positives < CalibrationWindow.MIN_POSITIVES) {
                return PlattScaling.IDENTITY;
            }
            return PlattScaling.fit(p, label, w, size, CalibrationWindow.RIDGE);
        }
    }

    private KnownAnswerHoldOut.Metrics knownAnswer(
            Dl4jRankingModel model,
            SampleEncoder encoder,
            PriorCorrection correction,
            PlattScaling[] maps) {
        if (knownAnswer == null) {
            return null;
        }
        int[] idx = knownAnswer.indices();
        int n = idx.length;
        double[] rawCtr = new double[n];
        double[] rawCtcvr = new double[n];
        double[] ctr = new double[n];
        double[] ctcvr = new double[n];
        for (int from = 0; from < n; from += 4096) {
            int to = Math.min(n, from + 4096);
            List<Sample> chunk = new ArrayList<>(to - from);
            for (int k = from; k < to; k++) {
                chunk.add(records.get(idx[k]));
            }
            Scores s = model.score(encoder.encode(chunk));
            for (int k = from; k < to; k++) {
                AttributedSample a = samples.get(idx[k]);
                rawCtr[k] = clamp(s.ctr()[k - from]);
                rawCtcvr[k] = clamp(s.ctcvr()[k - from]);
                double[] cal =
                        correction.calibrate(
                                a.categoryId(),
                                a.features()[FeatureLayout.ITEM],
                                rawCtr[k],
                                rawCtcvr[k]);
                // The scorer's order: prior correction, then the fitted maps, then CTCVR <= CTR.
                ctr[k] = maps[0].apply(cal[0]);
                ctcvr[k] = Math.min(ctr[k], maps[1].apply(Math.min(cal[0], cal[1])));
            }
        }
        return knownAnswer.evaluate(ctr, ctcvr, rawCtr, rawCtcvr);
    }

    private void step(
            Dl4jRankingModel model,
            SampleEncoder encoder,
            ProgressiveEvaluator progressive,
            ProgressiveTail tail,
            double rate,
            List<Sample> toScore,
            List<Sample> batch,
            List<Float> weights,
            LossFeedback feedback,
            SampleImportance importance) {
        // A new model starts at its first trained batch's base rates, as the learner's does.
        if (model.iterations() == 0 && !batch.isEmpty()) {
            model.startAtBaseRates(weighted(encoder.encode(batch), weights));
        }
        // Test then train: every sample of the stream (dropped negatives too) is scored by the
        // model before any batch containing it is trained on.
        if (!toScore.isEmpty()) {
            Scores raw = model.score(encoder.encode(toScore));
            tail.add(toScore, raw);
            progressive.add(toScore, recalibrated(raw, rate));
            toScore.clear();
        }
        if (!batch.isEmpty()) {
            Batch b = encoder.encode(batch);
            Scores before = feedback != null || importance != null ? model.score(b) : null;
            if (feedback != null) {
                feedback.scored(batch, before);
            }
            if (importance != null) {
                for (int i = 0; i < batch.size(); i++) {
                    Sample row = batch.get(i);
                    importance.add(
                            row.getSampleId(),
                            row.getClassKey(),
                            weights.get(i),
                            row.getSynthetic(),
                            clamp(before.ctr()[i]),
                            row.getClick(),
                            clamp(before.ctcvr()[i]),
                            row.getClick() && row.getConversion());
                }
            }
            model.train(weighted(b, weights));
            batch.clear();
            weights.clear();
            if (feedback != null) {
                feedback.trained();
            }
        }
    }

    private static Batch weighted(Batch b, List<Float> weights) {
        float[] w = new float[weights.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = weights.get(i);
        }
        return new Batch(
                b.userIdx(),
                b.itemIdx(),
                b.categoryIdx(),
                b.dense(),
                b.clickLabel(),
                b.conversionLabel(),
                w);
    }

    /** [recalibrated, raw] metrics of the model on the held-out tail. */
    private Metrics[] scoreHoldOut(Dl4jRankingModel model, SampleEncoder encoder, double rate) {
        int n = samples.size() - trainEnd;
        ProgressiveEvaluator recal = new ProgressiveEvaluator(n + 1);
        ProgressiveEvaluator raw = new ProgressiveEvaluator(n + 1);
        for (int from = trainEnd; from < samples.size(); from += 4096) {
            List<Sample> chunk = records.subList(from, Math.min(samples.size(), from + 4096));
            Scores scores = model.score(encoder.encode(chunk));
            raw.add(chunk, scores);
            recal.add(chunk, recalibrated(scores, rate));
        }
        return new Metrics[] {Metrics.of(recal), Metrics.of(raw)};
    }

    /**
     * Scores mapped back to the true distribution after negative (non-click) down-sampling: the CTR
     * with {@link Recalibration#recalibrate}; the CVR is conditional on a click and therefore
     * unaffected, so CTCVR = recalibrated CTR × CVR.
     */
    static Scores recalibrated(Scores s, double rate) {
        if (rate == 1) {
            return s;
        }
        double[] ctr = new double[s.size()];
        double[] ctcvr = new double[s.size()];
        for (int i = 0; i < ctr.length; i++) {
            ctr[i] = Recalibration.recalibrate(clamp(s.ctr()[i]), rate);
            ctcvr[i] = ctr[i] * clamp(s.cvr()[i]);
        }
        return new Scores(ctr, s.cvr(), ctcvr);
    }

    private static double clamp(double p) {
        return Math.max(0, Math.min(1, p));
    }

    /**
     * Copies of a sample under minority oversampling: {@link ExperimentConfig#OVERSAMPLE_COPIES}
     * for a class whose decayed count is at most a quarter of the mean class count (or that the
     * table does not know yet), otherwise 1.
     */
    static int copies(WeightTable table, String key) {
        if (table == null || table.size() == 0) {
            return 1;
        }
        ClassWeight cw = table.entries().get(key);
        double mean = table.totalCount() / table.size();
        return cw == null || cw.count() <= mean / 4 ? ExperimentConfig.OVERSAMPLE_COPIES : 1;
    }

    private static Sample syntheticCopy(Sample s) {
        return Sample.newBuilder(s)
                .setSampleId(s.getSampleId() + "#copy")
                .setSynthetic(true)
                .build();
    }

    private static Sample record(AttributedSample s, String classKey) {
        List<Float> features = new ArrayList<>(s.features().length);
        for (float f : s.features()) {
            features.add(f);
        }
        return Sample.newBuilder()
                .setSampleId(s.sampleId())
                .setUserId(s.userId())
                .setItemId(s.itemId())
                .setCategoryId(s.categoryId())
                .setRequestId(s.requestId())
                .setExposureTime(Instant.ofEpochMilli(s.exposureTime()))
                .setClosedAt(Instant.ofEpochMilli(s.closedAt()))
                .setClick(s.click())
                .setConversion(s.conversion())
                .setClassKey(classKey)
                .setFeatures(features)
                .setFeatureFingerprint(FeatureLayout.FINGERPRINT)
                .setWeight(1.0)
                .setCorrection(s.correction())
                .build();
    }
}
