package dev.counterweight.deploy.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Checks the deployment files without a cluster: every YAML parses, the FlinkDeployment matches the
 * operator CRD's openAPIV3Schema, and the dashboard only charts metrics the code registers.
 */
class DeployManifestsTest {

    private static final Path DEPLOY = Path.of("").toAbsolutePath();
    private static final String CRD = "/crd/flinkdeployments.flink.apache.org-v1.yml";
    private static final String OPERATOR_SCOPE = "flink_taskmanager_job_task_operator_";

    @Test
    void everyYamlUnderDeployParses() throws IOException {
        List<Path> files = yamlFiles();
        assertThat(files).hasSizeGreaterThanOrEqualTo(15);
        for (Path f : files) {
            List<Object> docs = loadAll(f);
            assertThat(docs).as(f.toString()).isNotEmpty().allMatch(d -> d instanceof Map);
        }
        new ObjectMapper().readTree(DEPLOY.resolve("monitoring/grafana-dashboard.json").toFile());
    }

    @Test
    void flinkDeploymentMatchesTheOperatorCrdSchema() throws IOException {
        Map<String, Object> schema = crdSchema();
        Map<String, Object> base = single(DEPLOY.resolve("k8s/base/flink-deployment.yaml"));
        assertThat(base)
                .containsEntry("apiVersion", "flink.apache.org/v1beta1")
                .containsEntry("kind", "FlinkDeployment");
        List<String> errors = new ArrayList<>();
        SchemaCheck.validate(base, schema, "", true, errors);
        assertThat(errors).isEmpty();
        Map<String, Object> job = map(map(base.get("spec")).get("job"));
        assertThat(job)
                .containsEntry("jarURI", "local:///opt/flink/usrlib/counterweight-job.jar")
                .containsEntry("entryClass", "dev.counterweight.jobs.weighting.SampleWeightingJob")
                .containsEntry("upgradeMode", "savepoint");
        for (String overlay : List.of("dev/flink-dev.yaml", "prod/flink-prod.yaml")) {
            List<String> patchErrors = new ArrayList<>();
            SchemaCheck.validate(
                    single(DEPLOY.resolve("k8s/overlays/" + overlay)),
                    schema,
                    "",
                    false,
                    patchErrors);
            assertThat(patchErrors).as(overlay).isEmpty();
        }
    }

    @Test
    void schemaCheckCatchesAMisspeltFieldAndAWrongType() throws IOException {
        Map<String, Object> doc =
                Map.of(
                        "spec",
                        Map.of("job", Map.of("jarUri", "local:///x.jar", "parallelism", "two")));
        List<String> errors = new ArrayList<>();
        SchemaCheck.validate(doc, crdSchema(), "", false, errors);
        assertThat(errors)
                .anyMatch(e -> e.startsWith("/spec/job/jarUri: unknown field"))
                .anyMatch(e -> e.startsWith("/spec/job/parallelism: expected an integer"));
    }

    @Test
    void dashboardChartsOnlyMetricsTheCodeRegisters() throws IOException {
        JsonNode dashboard =
                new ObjectMapper()
                        .readTree(DEPLOY.resolve("monitoring/grafana-dashboard.json").toFile());
        Set<String> metrics = new LinkedHashSet<>();
        Pattern name = Pattern.compile("\\b(flink_[a-z_]+_[A-Za-z_]+|counterweight_[a-z_]+)\\b");
        for (JsonNode panel : dashboard.get("panels")) {
            for (JsonNode target : panel.get("targets")) {
                Matcher m = name.matcher(target.get("expr").asText());
                while (m.find()) {
                    metrics.add(m.group(1));
                }
            }
        }
        assertThat(metrics).hasSizeGreaterThanOrEqualTo(15);
        String jobSources = sources(DEPLOY.resolveSibling("flink-jobs/src/main/java"));
        String learnerSources = sources(DEPLOY.resolveSibling("online-learner/src/main/java"));
        for (String metric : metrics) {
            if (metric.startsWith(OPERATOR_SCOPE)) {
                String user = metric.substring(OPERATOR_SCOPE.length());
                if (user.startsWith("class_")) {
                    // addGroup("class", key).gauge("count"|"weight")
                    assertThat(jobSources).contains("addGroup(\"class\"");
                    user = user.substring("class_".length());
                }
                assertThat(jobSources)
                        .as("metric %s registered in flink-jobs", metric)
                        .containsPattern("(counter|gauge)\\(\\s*\"" + Pattern.quote(user) + "\"");
            } else {
                assertThat(learnerSources)
                        .as("metric %s defined in online-learner", metric)
                        .contains("\"" + metric + "\"");
            }
        }
    }

    private static List<Path> yamlFiles() throws IOException {
        List<Path> out = new ArrayList<>();
        for (String dir : List.of("k8s", "monitoring")) {
            try (Stream<Path> s = Files.walk(DEPLOY.resolve(dir))) {
                s.filter(p -> p.toString().matches(".*\\.ya?ml$")).sorted().forEach(out::add);
            }
        }
        return out;
    }

    private static List<Object> loadAll(Path f) throws IOException {
        List<Object> docs = new ArrayList<>();
        new Load(LoadSettings.builder().build())
                .loadAllFromString(Files.readString(f))
                .forEach(
                        d -> {
                            if (d != null) {
                                docs.add(d);
                            }
                        });
        return docs;
    }

    private static Map<String, Object> single(Path f) throws IOException {
        List<Object> docs = loadAll(f);
        assertThat(docs).as(f.toString()).hasSize(1);
        return map(docs.get(0));
    }

    private static Map<String, Object> crdSchema() throws IOException {
        try (InputStream in = DeployManifestsTest.class.getResourceAsStream(CRD)) {
            assertThat(in).as(CRD).isNotNull();
            Map<String, Object> crd =
                    map(
                            new Load(LoadSettings.builder().setCodePointLimit(16 << 20).build())
                                    .loadFromString(
                                            new String(in.readAllBytes(), StandardCharsets.UTF_8)));
            for (Object v : (List<?>) map(crd.get("spec")).get("versions")) {
                Map<String, Object> version = map(v);
                if ("v1beta1".equals(version.get("name"))) {
                    return map(map(version.get("schema")).get("openAPIV3Schema"));
                }
            }
            throw new AssertionError("no v1beta1 in " + CRD);
        }
    }

    private static String sources(Path root) throws IOException {
        StringBuilder b = new StringBuilder();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(p -> p.toString().endsWith(".java")).toList()) {
                b.append(Files.readString(p)).append('\n');
            }
        }
        return b.toString();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }
}
