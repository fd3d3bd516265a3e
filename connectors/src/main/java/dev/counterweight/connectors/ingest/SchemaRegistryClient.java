package dev.counterweight.connectors.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A minimal client of the Confluent-compatible schema registry REST API (also served by Apicurio
 * Registry and Redpanda): only {@code GET /schemas/ids/{id}}, which returns {@code {"schema":
 * "<Avro schema JSON>"}} (and {@code "schemaType"} for non-Avro schemas), or 404 with error code
 * 40403 for an unknown id. Schemas are cached by id forever (ids are immutable); unknown ids are
 * not cached, so a schema registered later is found.
 *
 * <p>Failures that are the registry's, not the record's (connection refused, timeouts, 5xx,
 * 401/403) are retried {@value #ATTEMPTS} times and then thrown as {@link
 * RegistryUnavailableException}.
 */
public final class SchemaRegistryClient {

    private static final Logger LOG = LoggerFactory.getLogger(SchemaRegistryClient.class);

    static final int ATTEMPTS = 3;

    /** The registry does not know the schema id (HTTP 404), or it is not an Avro schema. */
    public static final class UnknownSchemaIdException extends Exception {
        private static final long serialVersionUID = 1L;

        UnknownSchemaIdException(String message) {
            super(message);
        }
    }

    /** The registry cannot be asked right now. */
    public static final class RegistryUnavailableException extends IOException {
        private static final long serialVersionUID = 1L;

        RegistryUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final RegistryConfig config;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();
    private final Map<Integer, Schema> cache = new ConcurrentHashMap<>();

    public SchemaRegistryClient(RegistryConfig config) {
        this.config = config;
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(config.timeout());
        if (config.truststoreLocation() != null || config.keystoreLocation() != null) {
            b.sslContext(sslContext(config));
        }
        this.http = b.build();
    }

    /**
     * The Avro schema registered under {@code id}.
     *
     * @throws UnknownSchemaIdException the registry has no such id, or not as an Avro schema
     * @throws RegistryUnavailableException the registry did not answer usefully after retries
     */
    public Schema schemaById(int id) throws UnknownSchemaIdException, RegistryUnavailableException {
        Schema cached = cache.get(id);
        if (cached != null) {
            return cached;
        }
        Schema schema = fetch(id);
        cache.put(id, schema);
        LOG.info(
                "Fetched writer schema id {} ({}) from {}", id, schema.getFullName(), config.url());
        return schema;
    }

    private Schema fetch(int id) throws UnknownSchemaIdException, RegistryUnavailableException {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create(config.url() + "/schemas/ids/" + id))
                        .timeout(config.timeout())
                        .header(
                                "Accept",
                                "application/vnd.schemaregistry.v1+json, application/json")
                        .GET();
        if (config.basicAuthUserInfo() != null) {
            request.header(
                    "Authorization",
                    "Basic "
                            + Base64.getEncoder()
                                    .encodeToString(
                                            config.basicAuthUserInfo()
                                                    .getBytes(StandardCharsets.UTF_8)));
        }
        Exception last = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                HttpResponse<String> response =
                        http.send(request.build(), HttpResponse.BodyHandlers.ofString());
                int status = response.statusCode();
                if (status == 200) {
                    return parse(id, response.body());
                }
                if (status == 404) {
                    throw new UnknownSchemaIdException(
                            "schema id " + id + " is not in the registry " + config.url());
                }
                last =
                        new IOException(
                                "HTTP "
                                        + status
                                        + " from "
                                        + config.url()
                                        + ": "
                                        + response.body());
            } catch (IOException e) {
                last = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RegistryUnavailableException("interrupted", e);
            }
            if (attempt < ATTEMPTS) {
                LOG.warn(
                        "Schema registry {} attempt {} for id {} failed: {}",
                        config.url(),
                        attempt,
                        id,
                        last.getMessage());
                try {
                    Thread.sleep(200L * attempt);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new RegistryUnavailableException("interrupted", e);
                }
            }
        }
        throw new RegistryUnavailableException(
                "schema registry "
                        + config.url()
                        + " did not return schema id "
                        + id
                        + " after "
                        + ATTEMPTS
                        + " attempts: "
                        + last.getMessage(),
                last);
    }

    private Schema parse(int id, String body)
            throws UnknownSchemaIdException, RegistryUnavailableException {
        JsonNode node;
        try {
            node = json.readTree(body);
        } catch (IOException e) {
            throw new RegistryUnavailableException(
                    "registry answered schema id " + id + " with something that is not JSON", e);
        }
        JsonNode type = node.get("schemaType");
        if (type != null && !type.isNull() && !"AVRO".equalsIgnoreCase(type.asText())) {
            throw new UnknownSchemaIdException(
                    "schema id " + id + " is a " + type.asText() + " schema, not Avro");
        }
        JsonNode text = node.get("schema");
        if (text == null || !text.isTextual()) {
            throw new RegistryUnavailableException(
                    "registry answer for schema id " + id + " has no 'schema' string", null);
        }
        try {
            return new Schema.Parser().parse(text.textValue());
        } catch (SchemaParseException | NullPointerException e) {
            // Avro 1.12 reports an unknown named type as an NPE from its unresolved-schema step.
            throw new UnknownSchemaIdException(
                    "schema id " + id + " is not a valid Avro schema: " + e.getMessage());
        }
    }

    private static SSLContext sslContext(RegistryConfig c) {
        try {
            TrustManagerFactory tmf = null;
            if (c.truststoreLocation() != null) {
                tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(load(c.truststoreLocation(), c.truststorePassword(), c.truststoreType()));
            }
            KeyManagerFactory kmf = null;
            if (c.keystoreLocation() != null) {
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                char[] password =
                        c.keystorePassword() == null ? null : c.keystorePassword().toCharArray();
                kmf.init(
                        load(c.keystoreLocation(), c.keystorePassword(), c.keystoreType()),
                        password);
            }
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(
                    kmf == null ? null : kmf.getKeyManagers(),
                    tmf == null ? null : tmf.getTrustManagers(),
                    null);
            return ssl;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException(
                    "cannot set up TLS for the schema registry: " + e.getMessage(), e);
        }
    }

    private static KeyStore load(String location, String password, String type)
            throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance(type == null ? "PKCS12" : type);
        try (InputStream in = Files.newInputStream(Path.of(location))) {
            store.load(in, password == null ? null : password.toCharArray());
        }
        return store;
    }
}
