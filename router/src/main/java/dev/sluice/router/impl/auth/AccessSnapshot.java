package dev.sluice.router.impl.auth;

import dev.sluice.core.RateLimit;
import dev.sluice.core.RouteConfig;
import java.util.List;
import java.util.Map;

/**
 * Everything the hot path needs to admit a request, loaded whole from PostgreSQL and swapped
 * atomically: keys by lookup id, tenants, stored sources, and the stored sources that did not
 * validate (left out, with their reason).
 */
public record AccessSnapshot(Map<String, Key> keys, Map<String, Tenant> tenants, Map<String, RouteConfig> sources,
                             List<String> rejected) {

    public static final AccessSnapshot EMPTY = new AccessSnapshot(Map.of(), Map.of(), Map.of(), List.of());

    /** A tenant; a revoked tenant's keys are refused. */
    public record Tenant(String id, boolean revoked, RateLimit rateLimit) {
    }

    /** A stored key: its lookup id, its tenant, the SHA-256 of the key, and whether it was revoked. */
    public record Key(String id, String tenant, byte[] hash, boolean revoked) {
    }
}
