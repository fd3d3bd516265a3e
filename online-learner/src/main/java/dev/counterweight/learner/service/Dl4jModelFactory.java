package dev.counterweight.learner.service;

import dev.counterweight.core.weighting.DelayedFeedback;
import dev.counterweight.learner.backend.BackendSelector;
import dev.counterweight.learner.model.Dl4jRankingModel;
import dev.counterweight.learner.model.RankingModel;
import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Deeplearning4j model of the learner's settings ({@code model.*}, delayed feedback). Selects
 * the ND4J backend ({@code learner.device}, {@code learner.omp-threads}) before the first model is
 * made.
 */
public final class Dl4jModelFactory implements ModelFactory {

    private static final Logger LOG = LoggerFactory.getLogger(Dl4jModelFactory.class);

    private final LearnerSettings settings;
    private boolean backendSelected;

    public Dl4jModelFactory(LearnerSettings settings) {
        this.settings = settings;
    }

    @Override
    public RankingModel create() {
        selectBackend();
        return Dl4jRankingModel.create(
                settings.model(),
                settings.delayedFeedback() == DelayedFeedback.FNW,
                settings.lateShare());
    }

    @Override
    public RankingModel load(Path file) throws IOException {
        selectBackend();
        return Dl4jRankingModel.load(file);
    }

    @Override
    public String incompatibility(RankingModel loaded, RankingModel fresh) {
        if (loaded instanceof Dl4jRankingModel l
                && fresh instanceof Dl4jRankingModel f
                && !l.conversionLoss().equals(f.conversionLoss())) {
            return "was trained with "
                    + l.conversionLoss()
                    + " but "
                    + LearnerOptions.DELAYED_FEEDBACK.key()
                    + " and "
                    + LearnerOptions.DELAYED_FEEDBACK_LATE_SHARE.key()
                    + " ask for "
                    + f.conversionLoss();
        }
        return null;
    }

    private synchronized void selectBackend() {
        if (!backendSelected) {
            LOG.info("learner backend: {}", BackendSelector.select(settings.backend()));
            backendSelected = true;
        }
    }
}
