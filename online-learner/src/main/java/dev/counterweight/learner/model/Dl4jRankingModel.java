package dev.counterweight.learner.model;

import dev.counterweight.learner.snapshot.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.SubsetVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * The {@link RankingModel} on a Deeplearning4j {@link ComputationGraph}: an ESMM multi-task
 * network.
 *
 * <pre>
 * user, item, category ─ EmbeddingLayer each ─┐
 * dense ──────────────────────────────────────┴─ merge ─ shared bottom MLP (or MMoE)
 *   ├─ CTR tower ─ ctr_logit ─┬─ loss "ctr" (sigmoid inside the loss; click label)
 *   │                         └─ sigmoid ─ ctr_prob ─┐
 *   └─ CVR tower ─ cvr_logit ─── sigmoid ─ cvr_prob ─┴─ product ─ ctcvr_prob ─ loss "ctcvr"
 *                                                        (identity; conversion label)
 * </pre>
 *
 * <p>The CTR loss sees the logit (sigmoid activation inside the loss, numerically exact); the CTCVR
 * loss sees the probability product (identity activation, clipped). CVR itself has no label of its
 * own: as in ESMM it is learned over all exposures through CTCVR = CTR × CVR. Both losses are
 * {@link WeightedBinaryCrossEntropy} in {@link LossLayer}s, with the per-example weights in the
 * label masks, scaled per batch to {@code w_i * n / sum(w)}: DL4J divides gradients by the batch
 * size {@code n}, so the objective becomes the weighted mean {@code sum(w_i * loss_i) / sum(w)},
 * which is invariant under replacing a weight-2 example by two copies. The optimiser is Adam.
 * Created with fake-negative weighting ({@link #create(ModelConfig, boolean, double)}), the CTCVR
 * loss also multiplies each example by its FNW weight (see {@link WeightedBinaryCrossEntropy}); the
 * CTR loss never does, and the setting is saved with the model.
 *
 * <p>A step whose loss or gradient is not finite is refused before the optimiser sees it: a
 * listener checks both between the backward pass and the updater (DL4J calls {@code
 * onGradientCalculation} there) and aborts the step with {@link NonFiniteStepException}, so the
 * parameters, the Adam moments and the iteration count stay as they were. The gradient counts as
 * finite only if its L2 norm is, which also refuses gradients whose squares would overflow Adam's
 * second moment.
 *
 * <p>The network's floating-point type is ND4J's default at creation time ({@code float} unless a
 * caller changed it, as the double-precision tests do) and is stored in the model file. Embedding
 * layers are configured with explicit {@code nIn}; the graph deliberately does not use {@code
 * setInputTypes}, which in 1.0.0-M2.1 resets embedding vocabulary sizes to 1.
 *
 * <p>Not thread-safe.
 */
public final class Dl4jRankingModel implements RankingModel {

    /** Names of the graph's outputs (loss layers), in order, and of its probability vertices. */
    static final String CTR_OUTPUT = "ctr";

    static final String CTCVR_OUTPUT = "ctcvr";
    static final String CTR_PROB = "ctr_prob";
    static final String CTR_LOGIT = "ctr_logit";
    static final String CVR_LOGIT = "cvr_logit";
    static final String CVR_PROB = "cvr_prob";
    static final String CTCVR_PROB = "ctcvr_prob";

    private static final String CONFIG_KEY = "counterweight-model-config";

    private final ModelConfig config;
    private final ComputationGraph graph;
    private final ForwardPassCapture capture = new ForwardPassCapture();
    private final FiniteStepGuard guard = new FiniteStepGuard();

    private Dl4jRankingModel(ModelConfig config, ComputationGraph graph) {
        this.config = config;
        this.graph = graph;
        // Listeners are not part of the model file, so a loaded graph gets one here too.
        graph.addListeners(capture, guard);
    }

    /**
     * Creates a freshly initialised model trained with Adam at {@link ModelConfig#learningRate()}.
     *
     * @param config the network configuration
     * @return the model
     */
    public static Dl4jRankingModel create(ModelConfig config) {
        return create(config, new Adam(config.learningRate()));
    }

    /**
     * Creates a freshly initialised model trained with Adam whose CTCVR loss (the conversion task,
     * the label that delayed-feedback corrections change) applies fake-negative weighting with late
     * share {@code lateShare} when {@code fnw} is true (see {@link WeightedBinaryCrossEntropy}).
     * The setting is part of the model file.
     *
     * @param config the network configuration
     * @param fnw whether the CTCVR loss applies fake-negative weighting
     * @param lateShare the share of conversions that arrive after the window, in [0, 1]
     * @return the model
     */
    public static Dl4jRankingModel create(ModelConfig config, boolean fnw, double lateShare) {
        return create(config, new Adam(config.learningRate()), conversionLoss(fnw, lateShare));
    }

    /**
     * Creates a freshly initialised model with another optimiser (tests use plain SGD, whose single
     * step is an exact function of the gradient).
     */
    static Dl4jRankingModel create(ModelConfig config, IUpdater updater) {
        return create(config, updater, new WeightedBinaryCrossEntropy());
    }

    /** As {@link #create(ModelConfig, IUpdater)} with the given CTCVR loss. */
    static Dl4jRankingModel create(
            ModelConfig config, IUpdater updater, WeightedBinaryCrossEntropy conversionLoss) {
        Objects.requireNonNull(config, "config must not be null");
        Objects.requireNonNull(updater, "updater must not be null");
        ComputationGraph graph = new ComputationGraph(buildGraph(config, updater, conversionLoss));
        graph.init();
        return new Dl4jRankingModel(config, graph);
    }

    /**
     * Loads a model written by {@link #save(Path)}, with its optimiser state.
     *
     * @param file the model file
     * @return the model
     * @throws IOException if the file cannot be read or lacks the model configuration
     */
    public static Dl4jRankingModel load(Path file) throws IOException {
        Objects.requireNonNull(file, "file must not be null");
        try {
            ComputationGraph graph = ModelSerializer.restoreComputationGraph(file.toFile(), true);
            String encoded = ModelSerializer.getObjectFromFile(file.toFile(), CONFIG_KEY);
            return new Dl4jRankingModel(ModelConfig.decode(encoded), graph);
        } catch (RuntimeException e) {
            throw new IOException(
                    file + " is not a Counterweight model file: " + e.getMessage(), e);
        }
    }

    /** A copy of every parameter, flattened (for bitwise comparisons of training runs). */
    public double[] parameterVector() {
        return graph.params().toDoubleVector();
    }

    /** A copy of the optimiser (updater) state, flattened; empty before the first step. */
    public double[] updaterStateVector() {
        var state = graph.getUpdater().getStateViewArray();
        return state == null ? new double[0] : state.toDoubleVector();
    }

    /** Returns the configuration this model was built from. */
    @Override
    public ModelConfig config() {
        return config;
    }

    /**
     * Returns the loss of the CTCVR output, which carries the fake-negative weighting setting the
     * model was created (or saved) with.
     */
    public WeightedBinaryCrossEntropy conversionLoss() {
        var vertex =
                (org.deeplearning4j.nn.conf.graph.LayerVertex)
                        graph.getConfiguration().getVertices().get(CTCVR_OUTPUT);
        return (WeightedBinaryCrossEntropy)
                ((LossLayer) vertex.getLayerConf().getLayer()).getLossFn();
    }

    /** Returns the underlying graph, for tests and diagnostics. */
    ComputationGraph graph() {
        return graph;
    }

    @Override
    public void train(Batch batch) {
        MultiDataSet data = toDataSet(batch);
        if (batch.totalWeight() == 0) {
            return;
        }
        graph.fit(data);
    }

    /**
     * Takes the scores from the training step's forward pass, which runs on the pre-step
     * parameters: one forward pass per batch instead of two. The network has no dropout, batch
     * normalisation or other layer that behaves differently in training, so these are the values
     * {@link #score} computes (the tests compare them bit for bit).
     */
    @Override
    public Scores scoreAndTrain(Batch batch) {
        MultiDataSet data = toDataSet(batch);
        if (batch.totalWeight() == 0) {
            // No step, hence no training forward pass to take the scores from.
            return score(batch);
        }
        capture.arm();
        try {
            graph.fit(data);
        } finally {
            capture.disarm();
        }
        return capture.take();
    }

    /**
     * Builds the graph's inputs, labels and label masks; the masks hold the weights scaled to
     * {@code w_i * n / sum(w)} (all 0 if the total weight is 0).
     */
    MultiDataSet toDataSet(Batch batch) {
        INDArray[] features = features(batch);
        int n = batch.size();
        double total = batch.totalWeight();
        // Scaled so that DL4J's division by n turns sum(mask_i * grad_i) into the weighted mean.
        double scale = total > 0 ? n / total : 0.0;
        double[] mask = new double[n];
        for (int i = 0; i < n; i++) {
            mask[i] = batch.weight()[i] * scale;
        }
        DataType type = dataType();
        INDArray maskArray = column(mask, type);
        INDArray[] labels = {
            column(batch.clickLabel(), type), column(batch.conversionLabel(), type)
        };
        return new MultiDataSet(
                features, labels, null, new INDArray[] {maskArray, maskArray.dup()});
    }

    @Override
    public Scores score(Batch batch) {
        Map<String, INDArray> activations = graph.feedForward(features(batch), false);
        return new Scores(
                activations.get(CTR_PROB).toDoubleVector(),
                activations.get(CVR_PROB).toDoubleVector(),
                activations.get(CTCVR_PROB).toDoubleVector());
    }

    @Override
    public void startAtBaseRates(Batch batch) {
        Scores scores = score(batch);
        int n = batch.size();
        double[] ctrWeight = new double[n];
        double[] cvrWeight = new double[n];
        double weight = 0;
        double clicks = 0;
        double purchases = 0;
        for (int i = 0; i < n; i++) {
            double w = batch.weight()[i];
            ctrWeight[i] = w;
            cvrWeight[i] = w * batch.clickLabel()[i];
            weight += w;
            clicks += w * batch.clickLabel()[i];
            purchases += w * batch.conversionLabel()[i];
        }
        // Jeffreys-smoothed rates: a first batch with a handful of clicks and no purchase must
        // not start the CVR head at "never" (a run on the Taobao slice did: CTCVR 1000x too low).
        if (weight > 0) {
            shiftBias(CTR_LOGIT, scores.ctr(), ctrWeight, (clicks + 0.5) / (weight + 1));
        }
        if (clicks > 0) {
            shiftBias(CVR_LOGIT, scores.cvr(), cvrWeight, (purchases + 0.5) / (clicks + 1));
        }
    }

    /**
     * Moves a head's bias by the shift {@code d} that solves {@code Σ w·σ(z + d) / Σ w = rate} over
     * the batch's current logits {@code z} (bisection: the left side increases in {@code d}).
     */
    private void shiftBias(String layer, double[] probabilities, double[] weights, double rate) {
        double target = Math.min(1 - 1e-4, Math.max(1e-4, rate));
        double[] logits = new double[probabilities.length];
        for (int i = 0; i < logits.length; i++) {
            double p = Math.min(1 - 1e-12, Math.max(1e-12, probabilities[i]));
            logits[i] = Math.log(p / (1 - p));
        }
        double lo = -60;
        double hi = 60;
        for (int iteration = 0; iteration < 200 && hi - lo > 1e-12; iteration++) {
            double mid = (lo + hi) / 2;
            if (weightedMeanSigmoid(logits, weights, mid) < target) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        INDArray bias = graph.getLayer(layer).getParam("b");
        bias.assign(bias.getDouble(0) + (lo + hi) / 2);
    }

    private static double weightedMeanSigmoid(double[] logits, double[] weights, double shift) {
        double sum = 0;
        double total = 0;
        for (int i = 0; i < logits.length; i++) {
            sum += weights[i] / (1 + Math.exp(-(logits[i] + shift)));
            total += weights[i];
        }
        return sum / total;
    }

    /** The output bias of a head's logit layer ({@code ctr_logit}, {@code cvr_logit}). */
    double outputBias(String layer) {
        return graph.getLayer(layer).getParam("b").getDouble(0);
    }

    @Override
    public void save(Path file) throws IOException {
        Objects.requireNonNull(file, "file must not be null");
        AtomicFiles.write(
                file,
                temporary -> {
                    ModelSerializer.writeModel(graph, temporary.toFile(), true);
                    ModelSerializer.addObjectToFile(
                            temporary.toFile(), CONFIG_KEY, config.encode());
                });
    }

    @Override
    public long iterations() {
        return graph.getIterationCount();
    }

    @Override
    public String featureFingerprint() {
        return config.featureFingerprint();
    }

    @Override
    public String toString() {
        return "Dl4jRankingModel[" + config + ", iterations=" + iterations() + "]";
    }

    private DataType dataType() {
        return graph.getConfiguration().getDataType();
    }

    /** Validates the batch against the feature schema and builds the graph inputs. */
    private INDArray[] features(Batch batch) {
        Objects.requireNonNull(batch, "batch must not be null");
        checkRange(batch.userIdx(), config.userVocab(), "userIdx", "userVocab");
        checkRange(batch.itemIdx(), config.itemVocab(), "itemIdx", "itemVocab");
        checkRange(batch.categoryIdx(), config.categoryVocab(), "categoryIdx", "categoryVocab");
        if (batch.denseFeatures() != config.denseFeatures()) {
            throw new IllegalArgumentException(
                    "batch has "
                            + batch.denseFeatures()
                            + " dense features but the model expects denseFeatures = "
                            + config.denseFeatures());
        }
        DataType type = dataType();
        List<INDArray> inputs = new ArrayList<>(4);
        inputs.add(indexColumn(batch.userIdx(), type));
        inputs.add(indexColumn(batch.itemIdx(), type));
        inputs.add(indexColumn(batch.categoryIdx(), type));
        if (config.denseFeatures() > 0) {
            inputs.add(Nd4j.createFromArray(batch.dense()).castTo(type));
        }
        return inputs.toArray(new INDArray[0]);
    }

    private static void checkRange(int[] indices, int vocabulary, String field, String key) {
        for (int i = 0; i < indices.length; i++) {
            if (indices[i] >= vocabulary) {
                throw new IllegalArgumentException(
                        field
                                + "["
                                + i
                                + "] = "
                                + indices[i]
                                + " is outside the vocabulary ("
                                + key
                                + " = "
                                + vocabulary
                                + ")");
            }
        }
    }

    private static INDArray indexColumn(int[] indices, DataType type) {
        double[] values = new double[indices.length];
        for (int i = 0; i < indices.length; i++) {
            values[i] = indices[i];
        }
        return column(values, type);
    }

    private static INDArray column(float[] values, DataType type) {
        return Nd4j.createFromArray(values).reshape(values.length, 1).castTo(type);
    }

    private static INDArray column(double[] values, DataType type) {
        return Nd4j.createFromArray(values).reshape(values.length, 1).castTo(type);
    }

    /**
     * Copies the three probability vertices out of the next training forward pass after {@link
     * #arm()}. DL4J hands the activations to listeners inside its workspaces; {@code
     * toDoubleVector} copies them to the heap before the workspace is reused.
     */
    private static final class ForwardPassCapture extends BaseTrainingListener {
        private boolean armed;
        private Scores scores;

        void arm() {
            armed = true;
            scores = null;
        }

        void disarm() {
            armed = false;
        }

        Scores take() {
            if (scores == null) {
                throw new IllegalStateException(
                        "the training step did not report its forward pass to the listener");
            }
            Scores out = scores;
            scores = null;
            return out;
        }

        @Override
        public void onForwardPass(Model model, Map<String, INDArray> activations) {
            if (!armed) {
                return;
            }
            armed = false;
            scores =
                    new Scores(
                            activations.get(CTR_PROB).toDoubleVector(),
                            activations.get(CVR_PROB).toDoubleVector(),
                            activations.get(CTCVR_PROB).toDoubleVector());
        }
    }

    /**
     * Refuses a step with a non-finite loss or gradient; it runs after the backward pass and before
     * the updater changes the optimiser state or the parameters.
     */
    private static final class FiniteStepGuard extends BaseTrainingListener {
        @Override
        public void onGradientCalculation(Model model) {
            double loss = model.score();
            if (!Double.isFinite(loss)) {
                throw new NonFiniteStepException("loss is " + loss);
            }
            INDArray gradient = model.gradient().gradient();
            double norm = gradient.norm2Number().doubleValue();
            if (!Double.isFinite(norm)) {
                throw new NonFiniteStepException("gradient L2 norm is " + norm);
            }
        }
    }

    /** Builds the graph configuration; every layer gets its {@code nIn} explicitly. */
    static ComputationGraphConfiguration buildGraph(ModelConfig config, IUpdater updater) {
        return buildGraph(config, updater, new WeightedBinaryCrossEntropy());
    }

    private static WeightedBinaryCrossEntropy conversionLoss(boolean fnw, double lateShare) {
        return fnw
                ? WeightedBinaryCrossEntropy.withFakeNegativeWeighting(lateShare)
                : new WeightedBinaryCrossEntropy();
    }

    /** As {@link #buildGraph(ModelConfig, IUpdater)} with the given CTCVR loss. */
    static ComputationGraphConfiguration buildGraph(
            ModelConfig config, IUpdater updater, WeightedBinaryCrossEntropy conversionLoss) {
        Objects.requireNonNull(conversionLoss, "conversionLoss must not be null");
        int dim = config.embeddingDim();
        ComputationGraphConfiguration.GraphBuilder g =
                new NeuralNetConfiguration.Builder()
                        .seed(config.seed())
                        .dataType(Nd4j.defaultFloatingPointType())
                        .updater(updater)
                        .weightInit(WeightInit.XAVIER)
                        .graphBuilder();
        List<String> inputs = new ArrayList<>(List.of("user", "item", "category"));
        if (config.denseFeatures() > 0) {
            inputs.add("dense");
        }
        g.addInputs(inputs);
        g.addLayer("user_emb", embedding(config.userVocab(), dim), "user");
        g.addLayer("item_emb", embedding(config.itemVocab(), dim), "item");
        g.addLayer("category_emb", embedding(config.categoryVocab(), dim), "category");
        List<String> merged = new ArrayList<>(List.of("user_emb", "item_emb", "category_emb"));
        if (config.denseFeatures() > 0) {
            merged.add("dense");
        }
        g.addVertex("merged", new MergeVertex(), merged.toArray(new String[0]));
        int mergedWidth = 3 * dim + config.denseFeatures();

        int[] bottom = config.bottomLayers();
        int bottomWidth = bottom[bottom.length - 1];
        String ctrInput;
        String cvrInput;
        if (config.mmoe()) {
            List<String> experts = new ArrayList<>();
            for (int e = 0; e < config.experts(); e++) {
                experts.add(mlp(g, "expert" + e, "merged", mergedWidth, bottom));
            }
            ctrInput = mixture(g, "ctr", experts, mergedWidth);
            cvrInput = mixture(g, "cvr", experts, mergedWidth);
        } else {
            ctrInput = mlp(g, "bottom", "merged", mergedWidth, bottom);
            cvrInput = ctrInput;
        }

        tower(g, "ctr", ctrInput, bottomWidth, config.towerWidth());
        tower(g, "cvr", cvrInput, bottomWidth, config.towerWidth());
        g.addVertex(
                CTCVR_PROB,
                new ElementWiseVertex(ElementWiseVertex.Op.Product),
                CTR_PROB,
                CVR_PROB);
        g.addLayer(
                CTR_OUTPUT,
                new LossLayer.Builder()
                        .lossFunction(new WeightedBinaryCrossEntropy())
                        .activation(Activation.SIGMOID)
                        .build(),
                "ctr_logit");
        g.addLayer(
                CTCVR_OUTPUT,
                new LossLayer.Builder()
                        .lossFunction(conversionLoss)
                        .activation(Activation.IDENTITY)
                        .build(),
                CTCVR_PROB);
        g.setOutputs(CTR_OUTPUT, CTCVR_OUTPUT);
        return g.build();
    }

    private static EmbeddingLayer embedding(int vocabulary, int dim) {
        return new EmbeddingLayer.Builder()
                .nIn(vocabulary)
                .nOut(dim)
                .activation(Activation.IDENTITY)
                .hasBias(false)
                .build();
    }

    /** Adds a ReLU MLP and returns the name of its last layer. */
    private static String mlp(
            ComputationGraphConfiguration.GraphBuilder g,
            String prefix,
            String input,
            int inputWidth,
            int[] widths) {
        String previous = input;
        int nIn = inputWidth;
        for (int l = 0; l < widths.length; l++) {
            String name = prefix + "_" + l;
            g.addLayer(
                    name,
                    new DenseLayer.Builder()
                            .nIn(nIn)
                            .nOut(widths[l])
                            .activation(Activation.RELU)
                            .build(),
                    previous);
            previous = name;
            nIn = widths[l];
        }
        return previous;
    }

    /**
     * Adds the MMoE gate of one task, {@code sum_e softmax(W x)_e * expert_e(x)}, and returns the
     * name of the mixed output.
     */
    private static String mixture(
            ComputationGraphConfiguration.GraphBuilder g,
            String task,
            List<String> experts,
            int mergedWidth) {
        String gate = task + "_gate";
        g.addLayer(
                gate,
                new DenseLayer.Builder()
                        .nIn(mergedWidth)
                        .nOut(experts.size())
                        .activation(Activation.SOFTMAX)
                        .build(),
                "merged");
        String[] weighted = new String[experts.size()];
        for (int e = 0; e < experts.size(); e++) {
            String share = gate + "_" + e;
            g.addVertex(share, new SubsetVertex(e, e), gate);
            weighted[e] = task + "_expert" + e;
            // The [batch, 1] gate share broadcasts over the expert's columns.
            g.addVertex(
                    weighted[e],
                    new ElementWiseVertex(ElementWiseVertex.Op.Product),
                    experts.get(e),
                    share);
        }
        String mixed = task + "_mixture";
        g.addVertex(mixed, new ElementWiseVertex(ElementWiseVertex.Op.Add), weighted);
        return mixed;
    }

    /** Adds a task tower: ReLU hidden layer, logit, sigmoid probability. */
    private static void tower(
            ComputationGraphConfiguration.GraphBuilder g,
            String task,
            String input,
            int inputWidth,
            int width) {
        g.addLayer(
                task + "_tower",
                new DenseLayer.Builder()
                        .nIn(inputWidth)
                        .nOut(width)
                        .activation(Activation.RELU)
                        .build(),
                input);
        g.addLayer(
                task + "_logit",
                new DenseLayer.Builder().nIn(width).nOut(1).activation(Activation.IDENTITY).build(),
                task + "_tower");
        g.addLayer(
                task + "_prob",
                new ActivationLayer.Builder().activation(Activation.SIGMOID).build(),
                task + "_logit");
    }
}
