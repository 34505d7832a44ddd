package dev.sluice.router.impl.auth;

import dev.sluice.core.RateLimit;
import dev.sluice.core.RouteConfig;
import java.util.List;
import java.util.Map;

/**
 * Everything the hot path needs to admit a request, loaded whole from PostgreSQL and swapped
 * atomically: keys by lookup id, tenants, stored sources, the stored sources that did not
 * validate (left out, with their reason), and client certificates by SHA-256 fingerprint.
 */
public record AccessSnapshot(
        Map<String, Key> keys,
        Map<String, Tenant> tenants,
        Map<String, RouteConfig> sources,
        List<String> rejected,
        Map<String, Certificate> certificates) {

    public static final AccessSnapshot EMPTY = new AccessSnapshot(Map.of(), Map.of(), Map.of(), List.of(), Map.of());

    /** A snapshot without client certificates. */
    public AccessSnapshot(
            Map<String, Key> keys,
            Map<String, Tenant> tenants,
            Map<String, RouteConfig> sources,
            List<String> rejected) {
        this(keys, tenants, sources, rejected, Map.of());
    }

    /** A tenant; a revoked tenant's keys are refused. */
    public record Tenant(String id, boolean revoked, RateLimit rateLimit) {}

    /** A stored key: its lookup id, its tenant, the SHA-256 of the key, and whether it was revoked. */
    public record Key(String id, String tenant, byte[] hash, boolean revoked) {}

    /** A client certificate bound to a tenant: its SHA-256 fingerprint (lower-case hex of the DER), and whether it was revoked. */
    public record Certificate(String fingerprint, String tenant, boolean revoked) {}
}
