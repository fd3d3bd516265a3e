package dev.counterweight.it.harness;

import dev.counterweight.testing.Await;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The Flink REST API of a cluster (standalone or MiniCluster): submit a jar, watch a job's state,
 * checkpoints and restarts, cancel it or stop it with a savepoint.
 */
public final class FlinkRestClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String baseUrl;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** A client of the REST API at {@code baseUrl}, e.g. {@code http://127.0.0.1:8081}. */
    public FlinkRestClient(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    public String baseUrl() {
        return baseUrl;
    }

    /** Uploads {@code jar} and runs its main class with {@code args}; returns the job id. */
    public String submit(Path jar, List<String> args) {
        JsonNode upload = uploadJar(jar);
        String file = upload.path("filename").asText();
        if (!"success".equals(upload.path("status").asText()) || file.isEmpty()) {
            throw new IllegalStateException("jar upload failed: " + upload);
        }
        String jarId = Path.of(file).getFileName().toString();
        ObjectNode body = JSON.createObjectNode();
        args.forEach(body.putArray("programArgsList")::add);
        JsonNode run = post("/jars/" + jarId + "/run", body, Duration.ofMinutes(3));
        String jobId = run.path("jobid").asText();
        if (jobId.isEmpty()) {
            throw new IllegalStateException("job submission failed: " + run);
        }
        return jobId;
    }

    /** The job's state, e.g. RUNNING, RESTARTING, FINISHED. */
    public String jobStatus(String jobId) {
        JsonNode job = get("/jobs/" + jobId);
        return job.has("state") ? job.path("state").asText() : job.path("status").asText();
    }

    /**
     * Waits until the job has {@code status}; fails at once if it reaches a different end state.
     */
    public void waitForStatus(String jobId, String status, Duration timeout) {
        Await.until(
                "job " + jobId + " is " + status,
                () -> {
                    String s = jobStatus(jobId);
                    if (!s.equals(status) && isTerminal(s)) {
                        throw new AssertionError(
                                "job "
                                        + jobId
                                        + " ended "
                                        + s
                                        + ", expected "
                                        + status
                                        + ": "
                                        + rootException(jobId));
                    }
                    return s.equals(status);
                },
                timeout);
    }

    /** True when the job is RUNNING and so is every task of every vertex. */
    public boolean allTasksRunning(String jobId) {
        JsonNode job = get("/jobs/" + jobId);
        String state = job.has("state") ? job.path("state").asText() : job.path("status").asText();
        if (isTerminal(state)) {
            throw new AssertionError(
                    "job " + jobId + " ended " + state + ": " + rootException(jobId));
        }
        if (!"RUNNING".equals(state)) {
            return false;
        }
        for (JsonNode v : job.path("vertices")) {
            if (!"RUNNING".equals(v.path("status").asText())) {
                return false;
            }
        }
        return job.path("vertices").size() > 0;
    }

    /** Task slots not in use, over all registered TaskManagers. */
    public int availableSlots() {
        return get("/overview").path("slots-available").asInt(-1);
    }

    /** Completed checkpoints of the job so far. */
    public long completedCheckpoints(String jobId) {
        return get("/jobs/" + jobId + "/checkpoints").path("counts").path("completed").asLong();
    }

    /** Restarts of the job so far (the {@code numRestarts} job metric). */
    public long numRestarts(String jobId) {
        long[] value = {-1};
        // The REST metric fetcher fills its cache asynchronously: the first answers may be empty.
        Await.until(
                "the numRestarts metric of job " + jobId + " is reported",
                () -> {
                    for (JsonNode m : get("/jobs/" + jobId + "/metrics?get=numRestarts")) {
                        if ("numRestarts".equals(m.path("id").asText())) {
                            value[0] = Long.parseLong(m.path("value").asText());
                            return true;
                        }
                    }
                    return false;
                },
                Duration.ofSeconds(30));
        return value[0];
    }

    /** The job's exception history, newest first, as root exception texts. */
    public List<String> exceptions(String jobId) {
        JsonNode ex = get("/jobs/" + jobId + "/exceptions");
        List<String> out = new ArrayList<>();
        for (JsonNode e : ex.path("exceptionHistory").path("entries")) {
            out.add(
                    e.path("exceptionName").asText()
                            + ": "
                            + e.path("stacktrace").asText().lines().findFirst().orElse(""));
        }
        return out;
    }

    /** Cancels the job and waits until it is CANCELED. */
    public void cancel(String jobId) {
        send(
                HttpRequest.newBuilder(URI.create(baseUrl + "/jobs/" + jobId + "?mode=cancel"))
                        .method("PATCH", HttpRequest.BodyPublishers.noBody()),
                Duration.ofSeconds(30));
        waitForStatus(jobId, "CANCELED", Duration.ofMinutes(2));
    }

    /**
     * Stops the job with a savepoint in {@code dir}; with {@code drain} the sources first advance
     * event time to the end, so every window and timer fires. Returns the savepoint location.
     */
    public String stopWithSavepoint(String jobId, Path dir, boolean drain, Duration timeout) {
        ObjectNode body = JSON.createObjectNode();
        body.put("targetDirectory", dir.toUri().toString());
        body.put("drain", drain);
        String trigger =
                post("/jobs/" + jobId + "/stop", body, Duration.ofSeconds(30))
                        .path("request-id")
                        .asText();
        if (trigger.isEmpty()) {
            throw new IllegalStateException("stop-with-savepoint was not accepted for " + jobId);
        }
        String[] location = new String[1];
        Await.until(
                "the stop-with-savepoint of job " + jobId + " completes",
                () -> {
                    JsonNode r = get("/jobs/" + jobId + "/savepoints/" + trigger);
                    if (!"COMPLETED".equals(r.path("status").path("id").asText())) {
                        return false;
                    }
                    JsonNode op = r.path("operation");
                    if (op.has("failure-cause")) {
                        throw new AssertionError(
                                "stop-with-savepoint failed: " + op.path("failure-cause"));
                    }
                    location[0] = op.path("location").asText();
                    return true;
                },
                timeout);
        return location[0];
    }

    private static boolean isTerminal(String state) {
        return List.of("FAILED", "CANCELED", "FINISHED", "SUSPENDED").contains(state);
    }

    private String rootException(String jobId) {
        try {
            JsonNode ex = get("/jobs/" + jobId + "/exceptions");
            String root = ex.path("root-exception").asText();
            if (root.isEmpty()) {
                JsonNode entries = ex.path("exceptionHistory").path("entries");
                root = entries.size() > 0 ? entries.get(0).path("stacktrace").asText() : "(none)";
            }
            return ChildJvm.tail(root, 3_000);
        } catch (RuntimeException e) {
            return "(exceptions unavailable: " + e + ")";
        }
    }

    private JsonNode uploadJar(Path jar) {
        String boundary = "----counterweight" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        try {
            body.write(
                    ("--"
                                    + boundary
                                    + "\r\n"
                                    + "Content-Disposition: form-data; name=\"jarfile\"; filename=\""
                                    + jar.getFileName()
                                    + "\"\r\n"
                                    + "Content-Type: application/x-java-archive\r\n\r\n")
                            .getBytes(StandardCharsets.UTF_8));
            body.write(Files.readAllBytes(jar));
            body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return send(
                HttpRequest.newBuilder(URI.create(baseUrl + "/jars/upload"))
                        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())),
                Duration.ofMinutes(2));
    }

    JsonNode get(String path) {
        return send(
                HttpRequest.newBuilder(URI.create(baseUrl + path)).GET(), Duration.ofSeconds(30));
    }

    private JsonNode post(String path, JsonNode body, Duration timeout) {
        return send(
                HttpRequest.newBuilder(URI.create(baseUrl + path))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body.toString())),
                timeout);
    }

    private JsonNode send(HttpRequest.Builder request, Duration timeout) {
        try {
            HttpResponse<String> response =
                    http.send(
                            request.timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() >= 300) {
                throw new IllegalStateException(
                        "Flink REST "
                                + response.request().method()
                                + " "
                                + response.request().uri()
                                + " answered "
                                + response.statusCode()
                                + ": "
                                + ChildJvm.tail(response.body(), 3_000));
            }
            String text = response.body();
            return text.isBlank() ? JSON.createObjectNode() : JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException("Flink REST call failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
