package dev.counterweight.learner.service;

import dev.counterweight.learner.model.Batch;
import dev.counterweight.learner.model.ModelConfig;
import dev.counterweight.learner.model.NonFiniteStepException;
import dev.counterweight.learner.model.RankingModel;
import dev.counterweight.learner.model.Scores;
import dev.counterweight.learner.snapshot.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/**
 * A stand-in for the network whose whole state is a few running sums over what it trained on, in
 * training order, so two runs agree bit for bit exactly when they trained the same batches in the
 * same order. It predicts the (smoothed) weighted click and conversion rates seen so far, refuses
 * the batches a predicate picks as non-finite, and saves its state as exact doubles.
 */
final class TestingRankingModel implements RankingModel {

    private static final String HEADER = "testing-ranking-model";

    private final ModelConfig config;
    private final Predicate<Batch> diverges;
    long iterations;
    double weightSum;
    double clickSum;
    double conversionSum;
    double featureSum;
    boolean startedAtBaseRates;

    TestingRankingModel(ModelConfig config, Predicate<Batch> diverges) {
        this.config = config;
        this.diverges = diverges;
    }

    static TestingRankingModel load(Path file, ModelConfig config, Predicate<Batch> diverges)
            throws IOException {
        List<String> lines = Files.readAllLines(file);
        if (lines.size() != 6 || !lines.get(0).equals(HEADER)) {
            throw new IOException(file + " is not a testing model file");
        }
        TestingRankingModel m = new TestingRankingModel(config, diverges);
        m.iterations = Long.parseLong(lines.get(1));
        m.weightSum = Double.longBitsToDouble(Long.parseUnsignedLong(lines.get(2), 16));
        m.clickSum = Double.longBitsToDouble(Long.parseUnsignedLong(lines.get(3), 16));
        m.conversionSum = Double.longBitsToDouble(Long.parseUnsignedLong(lines.get(4), 16));
        m.featureSum = Double.longBitsToDouble(Long.parseUnsignedLong(lines.get(5), 16));
        return m;
    }

    /** The state, for exact comparisons. */
    String state() {
        return iterations
                + " "
                + Double.toHexString(weightSum)
                + " "
                + Double.toHexString(clickSum)
                + " "
                + Double.toHexString(conversionSum)
                + " "
                + Double.toHexString(featureSum);
    }

    @Override
    public void train(Batch batch) {
        if (diverges.test(batch)) {
            throw new NonFiniteStepException("the test's predicate says this batch diverges");
        }
        for (int i = 0; i < batch.size(); i++) {
            double w = batch.weight()[i];
            weightSum += w;
            clickSum += w * batch.clickLabel()[i];
            conversionSum += w * batch.conversionLabel()[i];
            featureSum += batch.dense()[i][0];
        }
        iterations++;
    }

    @Override
    public Scores score(Batch batch) {
        double ctr = (clickSum + 0.5) / (weightSum + 1);
        double cvr = (conversionSum + 0.5) / (clickSum + 1);
        double[] a = new double[batch.size()];
        double[] b = new double[batch.size()];
        double[] c = new double[batch.size()];
        Arrays.fill(a, ctr);
        Arrays.fill(b, cvr);
        Arrays.fill(c, ctr * cvr);
        return new Scores(a, b, c);
    }

    @Override
    public void startAtBaseRates(Batch batch) {
        startedAtBaseRates = true;
    }

    @Override
    public void save(Path file) throws IOException {
        AtomicFiles.write(
                file,
                t ->
                        Files.write(
                                t,
                                List.of(
                                        HEADER,
                                        Long.toString(iterations),
                                        Long.toHexString(Double.doubleToRawLongBits(weightSum)),
                                        Long.toHexString(Double.doubleToRawLongBits(clickSum)),
                                        Long.toHexString(Double.doubleToRawLongBits(conversionSum)),
                                        Long.toHexString(Double.doubleToRawLongBits(featureSum)))));
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    @Override
    public long iterations() {
        return iterations;
    }

    @Override
    public String featureFingerprint() {
        return config.featureFingerprint();
    }
}
