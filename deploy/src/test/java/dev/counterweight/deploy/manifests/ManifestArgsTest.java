package dev.counterweight.deploy.manifests;

import static dev.counterweight.deploy.manifests.DeployManifestsTest.map;
import static org.assertj.core.api.Assertions.assertThat;

import dev.counterweight.connectors.config.CommandLineArgs;
import dev.counterweight.core.weighting.WeightingStrategy;
import dev.counterweight.jobs.weighting.SampleWeightingSettings;
import dev.counterweight.learner.backend.Device;
import dev.counterweight.learner.service.LearnerSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The job and learner arguments of the Kubernetes manifests go through the services' own option
 * parsing and validation (closed key space included), so a renamed or misspelt key in a manifest
 * fails here rather than in a pod.
 */
class ManifestArgsTest {

    private static final Path K8S = Path.of("").toAbsolutePath().resolve("k8s");

    @Test
    void flinkDeploymentArgsAreValidJobOptions() throws IOException {
        for (String file : List.of("base/flink-deployment.yaml", "overlays/prod/flink-prod.yaml")) {
            Map<String, Object> doc = firstOfKind(K8S.resolve(file), "FlinkDeployment");
            List<String> args = strings(map(map(doc.get("spec")).get("job")).get("args"));
            SampleWeightingSettings s = SampleWeightingSettings.from(configuration(args));
            assertThat(s.weighting().strategy()).as(file).isEqualTo(WeightingStrategy.SQRT_INVERSE);
            assertThat(s.transactionalIdPrefix()).as(file).isEqualTo("counterweight-weighting");
        }
    }

    @Test
    void learnerDeploymentArgsAreValidLearnerOptions() throws IOException {
        for (String file :
                List.of("base/learner-deployment.yaml", "overlays/gpu/learner-gpu.yaml")) {
            Map<String, Object> doc = firstOfKind(K8S.resolve(file), "Deployment");
            Map<String, Object> container =
                    map(
                            ((List<?>)
                                            map(map(map(doc.get("spec")).get("template"))
                                                            .get("spec"))
                                                    .get("containers"))
                                    .get(0));
            LearnerSettings s = LearnerSettings.from(configuration(strings(container.get("args"))));
            assertThat(s.bootstrapServers()).as(file).isEqualTo("$(KAFKA_BOOTSTRAP_SERVERS)");
            assertThat(s.snapshotDir()).as(file).hasToString("/var/lib/counterweight/snapshots");
            assertThat(s.healthPort()).as(file).isEqualTo(8080);
            assertThat(s.kafkaProperties()).as(file).containsKey("sasl.jaas.config");
            assertThat(s.backend().device())
                    .as(file)
                    .isEqualTo(file.contains("gpu") ? Device.GPU : Device.CPU);
        }
    }

    private static Configuration configuration(List<String> args) {
        return Configuration.fromMap(CommandLineArgs.parse(args.toArray(String[]::new)));
    }

    private static List<String> strings(Object list) {
        return ((List<?>) list).stream().map(String::valueOf).toList();
    }

    private static Map<String, Object> firstOfKind(Path file, String kind) throws IOException {
        for (Object d :
                new Load(LoadSettings.builder().build())
                        .loadAllFromString(Files.readString(file))) {
            if (d != null && kind.equals(map(d).get("kind"))) {
                return map(d);
            }
        }
        throw new AssertionError("no " + kind + " in " + file);
    }
}
