package dev.counterweight.connectors.ingest;

import java.io.Serializable;
import java.net.URI;
import java.time.Duration;

/**
 * How to reach a schema registry that speaks the Confluent-compatible REST API. Secrets (the
 * basic-auth user info, store passwords) print masked.
 *
 * @param url base URL, e.g. {@code https://registry:8081}
 * @param basicAuthUserInfo {@code user:password} for HTTP basic auth; null for none
 * @param truststoreLocation file of the CAs to trust for https; null for the JVM's
 * @param truststorePassword may be null
 * @param truststoreType e.g. PKCS12 or JKS
 * @param keystoreLocation client certificate for mutual TLS; null for none
 * @param keystorePassword may be null
 * @param keystoreType e.g. PKCS12 or JKS
 * @param timeout connect and request timeout
 */
public record RegistryConfig(
        String url,
        String basicAuthUserInfo,
        String truststoreLocation,
        String truststorePassword,
        String truststoreType,
        String keystoreLocation,
        String keystorePassword,
        String keystoreType,
        Duration timeout)
        implements Serializable {

    private static final long serialVersionUID = 1L;

    /** What a secret prints as (as for Kafka client properties). */
    public static final String MASK = "******";

    public RegistryConfig {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("registry url is required");
        }
        URI uri = URI.create(url.trim());
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
            throw new IllegalArgumentException(
                    "registry url '" + url + "' must start with http:// or https://");
        }
        url = url.trim().replaceAll("/+$", "");
        if (basicAuthUserInfo != null && basicAuthUserInfo.indexOf(':') < 0) {
            throw new IllegalArgumentException("basic-auth user info must be user:password");
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("registry timeout must be positive");
        }
    }

    /** Plain http, no auth, 10 s timeout (tests, local runs). */
    public static RegistryConfig plain(String url) {
        return new RegistryConfig(
                url, null, null, null, "PKCS12", null, null, "PKCS12", Duration.ofSeconds(10));
    }

    @Override
    public String toString() {
        return "RegistryConfig[url="
                + url
                + ", basicAuthUserInfo="
                + mask(basicAuthUserInfo)
                + ", truststoreLocation="
                + truststoreLocation
                + ", truststorePassword="
                + mask(truststorePassword)
                + ", truststoreType="
                + truststoreType
                + ", keystoreLocation="
                + keystoreLocation
                + ", keystorePassword="
                + mask(keystorePassword)
                + ", keystoreType="
                + keystoreType
                + ", timeout="
                + timeout
                + "]";
    }

    private static String mask(String secret) {
        return secret == null ? null : MASK;
    }
}
