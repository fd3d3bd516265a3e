package dev.counterweight.learner.model;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A multi-task CTR/CVR ranking model that is fine-tuned continuously on weighted mini-batches.
 *
 * <p>The contract is engine-neutral: callers (trainer, evaluator, snapshot publisher, scoring
 * library) see only primitive {@link Batch batches} and {@link Scores}, so the engine behind it can
 * be replaced. Implementations are not thread-safe; confine each instance to one thread or
 * synchronise externally.
 */
public interface RankingModel {

    /**
     * Performs one optimisation step on {@code batch}. The objective is the weighted mean of the
     * per-example losses, {@code sum(w_i * loss_i) / sum(w_i)}, of the CTR task (click label) plus
     * the CTCVR task (conversion label); an example with weight {@code k} counts exactly like
     * {@code k} copies with weight 1. A batch whose weights are all 0 carries no information and
     * performs no step ({@link #iterations()} does not advance).
     *
     * @param batch the examples
     * @throws IllegalArgumentException if the batch does not fit this model's feature schema
     * @throws NonFiniteStepException if the step's loss or gradient is not finite; the step is then
     *     not applied and the model is unchanged
     */
    void train(Batch batch);

    /**
     * Scores {@code batch} without training; labels and weights are ignored.
     *
     * @param batch the examples
     * @return the probabilities, row for row
     * @throws IllegalArgumentException if the batch does not fit this model's feature schema
     */
    Scores score(Batch batch);

    /**
     * Scores {@code batch} with the current parameters, then performs one optimisation step on it:
     * the result is what {@link #score} returns before {@link #train}, and the model ends as after
     * {@link #train}. Progressive validation uses it; an engine may take the scores from the
     * training step's own forward pass instead of running a second one.
     *
     * @param batch the examples
     * @return the pre-step probabilities, row for row
     * @throws IllegalArgumentException if the batch does not fit this model's feature schema
     * @throws NonFiniteStepException as {@link #train}; the model is then unchanged
     */
    default Scores scoreAndTrain(Batch batch) {
        Scores scores = score(batch);
        train(batch);
        return scores;
    }

    /**
     * Starts a freshly created model at the base rates of {@code batch}: shifts the CTR head's
     * output bias so that the batch's weighted mean predicted CTR equals its weighted click rate,
     * and the CVR head's so that the weighted mean predicted CVR over the clicked rows equals their
     * weighted purchase rate (both Jeffreys-smoothed, {@code (k + 1/2) / (n + 1)}, so a batch with
     * no purchase does not start the CVR head at zero; clipped to [1e-4, 1 − 1e-4]). An untrained
     * network predicts about 0.5 for events that happen a few times in a hundred, and at a small
     * learning rate it stays far off for thousands of samples; starting at the base rate is the
     * usual cure (Karpathy, "A recipe for training neural networks": initialise the final bias
     * well). The weights are what the weighted loss trains towards, so the start is calibrated in
     * the large for the loss's own target. A batch without weight or without clicks leaves the
     * respective bias alone. Call once, before the first training step; never on a model loaded
     * from a snapshot. The learner calls it with its first batch before scoring that batch, so that
     * batch's progressive scores see its own base rate (one batch of the stream).
     *
     * @param batch the first batch the model will train on
     */
    void startAtBaseRates(Batch batch);

    /**
     * Writes the model, including the optimiser state, to {@code file}, replacing it atomically
     * ({@link dev.counterweight.learner.snapshot.AtomicFiles}; a file system without atomic renames
     * is refused). A model loaded from the file continues training bit-exactly as this one would.
     *
     * @param file the target file; its parent directory must exist
     * @throws IOException if writing fails; {@code file} is then unchanged
     */
    void save(Path file) throws IOException;

    /** Returns the architecture and vocabulary sizes this model was built with. */
    ModelConfig config();

    /** Returns the number of optimisation steps taken since the model was created. */
    long iterations();

    /**
     * Returns the fingerprint of the feature schema (vocabularies, hashing scheme, dense width)
     * this model was built for; a snapshot may only replace a model with the same fingerprint.
     */
    String featureFingerprint();

    /**
     * Loads a model written by {@link #save(Path)}. Only the Deeplearning4j engine exists today.
     *
     * @param file the model file
     * @return the model, ready to score and to continue training
     * @throws IOException if the file cannot be read or is not a model file
     */
    static RankingModel load(Path file) throws IOException {
        return Dl4jRankingModel.load(file);
    }
}
