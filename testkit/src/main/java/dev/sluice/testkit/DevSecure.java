package dev.sluice.testkit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The dev stack's locked-down source, {@code demo-secure}: tenant {@code dev}, a Bearer API key, a
 * Sluice signature and fail-closed idempotency, so the cost of all three can be measured against
 * the open {@code demo} source. Its key and signing secret are fixed and published: for
 * {@code sluice dev} and benchmarks on one machine only, never for anything reachable.
 */
public final class DevSecure {

    public static final String TENANT = "dev";
    public static final String SOURCE = "demo-secure";
    public static final String TOPIC = "sluice.demo-secure";
    /** The dev API key ({@code sk_<id>_<secret>}, as the router's keys are shaped). Dev only. */
    public static final String API_KEY = "sk_de5ec0000001_dev-only-key-never-use-outside-sluice-dev";
    /** The dev signing secret of {@code demo-secure} (scheme {@code sluice}). Dev only. */
    public static final String SIGNING_SECRET = "whsec-dev-only-sluice-demo-secure";

    private DevSecure() {}

    /** The catalog route of {@code demo-secure}, as JSON. */
    public static String routeJson() {
        return """
                {"source": "%s", "topic": "%s", "ttl": "20s", "partitions": 6, "type": "dev.sluice.demo", "tenant": "%s",
                 "auth": "key", "signature": {"scheme": "sluice", "secrets": ["%s"]}, "idempotency": "fail-closed"}""".formatted(SOURCE, TOPIC, TENANT, SIGNING_SECRET);
    }

    /**
     * The SQL that makes tenant {@code dev} and its dev API key (only the key's SHA-256 is stored,
     * as for every key); run after the schema migrations. Idempotent.
     */
    public static List<String> seedStatements() {
        String id = API_KEY.substring(3, 15);
        return List.of(
                "INSERT INTO sluice_tenants (id, name) VALUES ('" + TENANT
                        + "', 'dev stack') ON CONFLICT (id) DO NOTHING",
                "INSERT INTO sluice_api_keys (id, tenant, hash, name) VALUES ('" + id + "', '" + TENANT + "', decode('"
                        + sha256Hex(API_KEY) + "', 'hex'), 'dev key') ON CONFLICT (id) DO NOTHING");
    }

    private static String sha256Hex(String s) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
