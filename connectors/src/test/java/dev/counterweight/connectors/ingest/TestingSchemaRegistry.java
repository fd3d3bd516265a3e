package dev.counterweight.connectors.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;

/**
 * An in-test HTTP server (JDK {@code com.sun.net.httpserver}) answering the one endpoint of the
 * Confluent schema registry REST API the client uses, as documented: {@code GET /schemas/ids/{id}}
 * returns {@code 200 {"schema": "<schema JSON as a string>"}}, an unknown id {@code 404
 * {"error_code": 40403, "message": "Schema not found"}}; with basic auth configured, a request
 * without the right credentials gets {@code 401 {"error_code": 401, ...}}. Ids are given out from
 * 1, as the registry does. Counts requests, and can fail the next ones with a 500.
 */
public final class TestingSchemaRegistry implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final Map<Integer, String> schemas = new ConcurrentHashMap<>();
    private final AtomicInteger nextId = new AtomicInteger(1);
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger failNext = new AtomicInteger();
    private volatile String userInfo;

    private TestingSchemaRegistry() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.start();
    }

    /** Starts a registry on a free loopback port. */
    public static TestingSchemaRegistry start() {
        return new TestingSchemaRegistry();
    }

    /** Requires HTTP basic auth with {@code user:password} from now on. */
    public TestingSchemaRegistry requireBasicAuth(String userInfo) {
        this.userInfo = userInfo;
        return this;
    }

    /** The base URL. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Registers a schema, returning its new id. */
    public int register(Schema schema) {
        int id = nextId.getAndIncrement();
        schemas.put(id, schema.toString());
        return id;
    }

    /** Registers raw schema text under an id (e.g. a non-Avro or broken schema). */
    public void put(int id, String schemaText) {
        schemas.put(id, schemaText);
    }

    /** Requests answered so far. */
    public int requests() {
        return requests.get();
    }

    /** Answers the next {@code n} requests with HTTP 500. */
    public void failNext(int n) {
        failNext.set(n);
    }

    private void handle(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        String path = exchange.getRequestURI().getPath();
        if (failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            respond(exchange, 500, Map.of("error_code", 50001, "message", "store error"));
            return;
        }
        String expected = userInfo;
        if (expected != null) {
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            String want =
                    "Basic "
                            + Base64.getEncoder()
                                    .encodeToString(expected.getBytes(StandardCharsets.UTF_8));
            if (!want.equals(auth)) {
                respond(exchange, 401, Map.of("error_code", 401, "message", "Unauthorized"));
                return;
            }
        }
        if (!"GET".equals(exchange.getRequestMethod()) || !path.startsWith("/schemas/ids/")) {
            respond(exchange, 404, Map.of("error_code", 404, "message", "HTTP 404 Not Found"));
            return;
        }
        String schema;
        try {
            schema = schemas.get(Integer.parseInt(path.substring("/schemas/ids/".length())));
        } catch (NumberFormatException e) {
            schema = null;
        }
        if (schema == null) {
            respond(exchange, 404, Map.of("error_code", 40403, "message", "Schema not found"));
            return;
        }
        respond(exchange, 200, Map.of("schema", schema));
    }

    private static void respond(HttpExchange exchange, int status, Map<String, Object> body)
            throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/vnd.schemaregistry.v1+json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
