package dev.counterweight.learner.service;

import dev.counterweight.learner.model.Batch;
import dev.counterweight.learner.model.ModelConfig;
import dev.counterweight.learner.model.RankingModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Makes {@link TestingRankingModel}s and remembers them. */
final class TestingModelFactory implements ModelFactory {

    private final ModelConfig config;
    private final Predicate<Batch> diverges;
    final List<TestingRankingModel> created = new ArrayList<>();
    final List<Path> loaded = new ArrayList<>();
    TestingRankingModel last;

    TestingModelFactory(ModelConfig config, Predicate<Batch> diverges) {
        this.config = config;
        this.diverges = diverges;
    }

    @Override
    public RankingModel create() {
        last = new TestingRankingModel(config, diverges);
        created.add(last);
        return last;
    }

    @Override
    public RankingModel load(Path file) throws IOException {
        last = TestingRankingModel.load(file, config, diverges);
        loaded.add(file);
        return last;
    }
}
