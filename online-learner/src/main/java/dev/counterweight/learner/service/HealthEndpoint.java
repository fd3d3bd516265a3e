package dev.counterweight.learner.service;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * A tiny HTTP endpoint for Kubernetes probes and Prometheus: {@code /health} answers 200 unless the
 * learner has stopped, {@code /ready} answers 200 once it is running (both bodies one line of
 * status), {@code /metrics} gives the status and the newest announced snapshot's metrics in the
 * Prometheus text format.
 */
final class HealthEndpoint implements AutoCloseable {

    private final HttpServer server;

    private HealthEndpoint(HttpServer server) {
        this.server = server;
    }

    /** Starts the endpoint on all interfaces at {@code port} (0 picks a free one). */
    static HealthEndpoint start(int port, Supplier<OnlineLearner.Status> status) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
            server.createContext(
                    "/health",
                    ex -> answer(ex, status.get(), !"stopped".equals(status.get().state())));
            server.createContext(
                    "/ready",
                    ex -> answer(ex, status.get(), "running".equals(status.get().state())));
            server.createContext("/metrics", ex -> metrics(ex, status.get()));
            server.start();
            return new HealthEndpoint(server);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the health endpoint on port " + port, e);
        }
    }

    int port() {
        return server.getAddress().getPort();
    }

    private static void answer(HttpExchange ex, OnlineLearner.Status s, boolean ok)
            throws IOException {
        byte[] body =
                String.format(
                                Locale.ROOT,
                                "state=%s version=%d samplesTrained=%d skipped=%d%n",
                                s.state(),
                                s.version(),
                                s.samplesTrained(),
                                s.skipped())
                        .getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        ex.sendResponseHeaders(ok ? 200 : 503, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    /** Metric names, also read by the Grafana dashboard. */
    static final String SAMPLES_TRAINED = "counterweight_learner_samples_trained";

    static final String SAMPLES_SKIPPED = "counterweight_learner_samples_skipped";
    static final String BATCHES_REJECTED = "counterweight_learner_batches_rejected";
    static final String SNAPSHOT_VERSION = "counterweight_learner_snapshot_version";
    static final String RUNNING = "counterweight_learner_running";
    static final String SNAPSHOT_METRIC = "counterweight_learner_snapshot_metric";
    static final String HELD_BACK_SECONDS = "counterweight_learner_publishing_held_back_seconds";
    static final String HELD_BACK_SNAPSHOTS =
            "counterweight_learner_publishing_held_back_snapshots";

    private static void metrics(HttpExchange ex, OnlineLearner.Status s) throws IOException {
        StringBuilder b = new StringBuilder();
        b.append("# TYPE ").append(SAMPLES_TRAINED).append(" counter\n");
        b.append(SAMPLES_TRAINED).append(' ').append(s.samplesTrained()).append('\n');
        b.append("# TYPE ").append(SAMPLES_SKIPPED).append(" counter\n");
        b.append(SAMPLES_SKIPPED).append(' ').append(s.skipped()).append('\n');
        b.append("# TYPE ").append(BATCHES_REJECTED).append(" counter\n");
        b.append(BATCHES_REJECTED).append(' ').append(s.batchesRejected()).append('\n');
        b.append("# TYPE ").append(SNAPSHOT_VERSION).append(" gauge\n");
        b.append(SNAPSHOT_VERSION).append(' ').append(s.version()).append('\n');
        b.append("# TYPE ").append(RUNNING).append(" gauge\n");
        b.append(RUNNING).append(' ').append("running".equals(s.state()) ? 1 : 0).append('\n');
        b.append("# TYPE ").append(HELD_BACK_SECONDS).append(" gauge\n");
        b.append(HELD_BACK_SECONDS).append(' ').append(s.heldBackMillis() / 1000.0).append('\n');
        b.append("# TYPE ").append(HELD_BACK_SNAPSHOTS).append(" gauge\n");
        b.append(HELD_BACK_SNAPSHOTS).append(' ').append(s.heldBackSnapshots()).append('\n');
        b.append("# TYPE ").append(SNAPSHOT_METRIC).append(" gauge\n");
        new java.util.TreeMap<>(s.metrics())
                .forEach(
                        (name, value) ->
                                b.append(SNAPSHOT_METRIC)
                                        .append("{name=\"")
                                        .append(name.replace("\\", "\\\\").replace("\"", "\\\""))
                                        .append("\"} ")
                                        .append(value)
                                        .append('\n'));
        byte[] body = b.toString().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
