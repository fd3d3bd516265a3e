package dev.counterweight.learner.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.counterweight.avro.ModelSnapshot;
import dev.counterweight.learner.model.Dl4jRankingModel;
import dev.counterweight.learner.model.ModelConfig;
import dev.counterweight.learner.service.OnlineLearner;
import dev.counterweight.learner.snapshot.SnapshotStore;
import dev.counterweight.learner.snapshot.SnapshotVerificationException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scoring library refuses bad snapshots and keeps serving the previous one. */
class SnapshotScorerTest {

    private static final ModelConfig CONFIG =
            ModelConfig.sharedBottom(100, 100, 10, 4, 4, new int[] {8}, 4);

    @Test
    void corruptTruncatedOrForeignSnapshotsAreRefusedAndThePreviousKeepsServing(@TempDir Path dir)
            throws Exception {
        SnapshotStore store = new SnapshotStore(dir, "m", 10);
        Dl4jRankingModel model = Dl4jRankingModel.create(CONFIG);
        String fp = OnlineLearner.fingerprint(model);
        ModelSnapshot v1 = store.write(manifest(1, fp), model::save);
        ModelSnapshot v2 = store.write(manifest(2, fp), model::save);
        ModelSnapshot v3 = store.write(manifest(3, fp), model::save);
        ModelSnapshot v4 = store.write(manifest(4, "fs1-0000000000000000|other"), model::save);

        SnapshotScorer scorer = new SnapshotScorer(fp);
        scorer.load(v1);
        double before = score(scorer);

        // Corrupt: flip bytes in the middle.
        byte[] bytes = Files.readAllBytes(store.modelFile(2));
        bytes[bytes.length / 2] ^= 0x5A;
        Files.write(store.modelFile(2), bytes);
        assertThatThrownBy(() -> scorer.load(v2))
                .isInstanceOf(SnapshotVerificationException.class)
                .hasMessageContaining("corrupt")
                .hasMessageContaining("sha256");
        // Truncated.
        Files.write(store.modelFile(3), new byte[0], StandardOpenOption.TRUNCATE_EXISTING);
        assertThatThrownBy(() -> scorer.load(v3)).hasMessageContaining("corrupt");
        // Wrong feature schema.
        assertThatThrownBy(() -> scorer.load(v4)).hasMessageContaining("feature schema");

        assertThat(scorer.current().orElseThrow().getVersion()).isEqualTo(1);
        assertThat(score(scorer)).isEqualTo(before);
        // loadLatest skips the refused ones and lands on v1.
        SnapshotScorer fresh = new SnapshotScorer(fp);
        assertThat(fresh.loadLatest(dir, "m").orElseThrow().getVersion()).isEqualTo(1);
    }

    @Test
    void recalibratesForTheSamplingRate(@TempDir Path dir) throws Exception {
        SnapshotStore store = new SnapshotStore(dir, "m", 10);
        Dl4jRankingModel model = Dl4jRankingModel.create(CONFIG);
        String fp = OnlineLearner.fingerprint(model);
        SnapshotScorer scorer = new SnapshotScorer(fp);
        scorer.load(store.write(manifest(1, fp), model::save));
        var c = new Candidate("u", "i", "c", List.of(1f), 1.0);
        double p = scorer.score(List.of(c)).ctr()[0];
        double q = scorer.score(List.of(new Candidate("u", "i", "c", List.of(1f), 0.25))).ctr()[0];
        assertThat(q)
                .isCloseTo(p / (p + (1 - p) / 0.25), org.assertj.core.api.Assertions.within(1e-12));
    }

    private static double score(SnapshotScorer scorer) {
        return scorer.score(List.of(new Candidate("u", "i", "c", List.of(0.5f, 1f), 1.0))).ctr()[0];
    }

    private static ModelSnapshot manifest(long version, String fingerprint) {
        return ModelSnapshot.newBuilder()
                .setModelName("m")
                .setVersion(version)
                .setParentVersion(null)
                .setUri("")
                .setSha256("")
                .setCreatedAt(Instant.ofEpochMilli(version))
                .setSamplesTrained(version * 10)
                .setConsumerOffsets(List.of())
                .setMetrics(Map.of())
                .setFeatureSchemaFingerprint(fingerprint)
                .build();
    }
}
