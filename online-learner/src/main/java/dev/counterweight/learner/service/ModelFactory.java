package dev.counterweight.learner.service;

import dev.counterweight.learner.model.RankingModel;
import java.io.IOException;
import java.nio.file.Path;

/** Port: makes the learner's model, new or from a snapshot's model file. */
public interface ModelFactory {

    /** A new model for the configured architecture and loss. */
    RankingModel create();

    /** The model saved in {@code file}, ready to continue training. */
    RankingModel load(Path file) throws IOException;

    /**
     * Why a loaded model cannot continue with the configured settings even though its feature
     * schema matches (for example another loss), or null if it can.
     *
     * @param loaded a model from {@link #load}
     * @param fresh a model from {@link #create}
     */
    default String incompatibility(RankingModel loaded, RankingModel fresh) {
        return null;
    }
}
