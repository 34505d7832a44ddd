package dev.sluice.router.impl.http;

import dev.sluice.core.RouteConfig;
import dev.sluice.router.impl.ingest.SignatureVerifier;
import java.util.Map;

/**
 * The routes in force: those of the catalog file (the bootstrap) and those stored in PostgreSQL,
 * a stored source winning over a file one of the same name. Each part is replaced whole when it
 * changes; readers take the merged map without locks on every request.
 */
public final class RouteTable {

    private volatile Map<String, RouteConfig> routes;
    private volatile Map<String, SignatureVerifier> verifiers;
    private Map<String, RouteConfig> fromFile;
    private Map<String, RouteConfig> stored = Map.of();

    public RouteTable(Map<String, RouteConfig> routes) {
        replace(routes);
    }

    /** Replaces the stored sources (from PostgreSQL). */
    public synchronized void replaceStored(Map<String, RouteConfig> next) {
        stored = Map.copyOf(next);
        merge();
    }

    /** The signature check of a signed source, or null. */
    public SignatureVerifier verifier(String source) {
        return verifiers.get(source);
    }

    public RouteConfig get(String source) {
        return routes.get(source);
    }

    public Map<String, RouteConfig> all() {
        return routes;
    }

    /** Replaces the routes of the catalog file. */
    public synchronized void replace(Map<String, RouteConfig> file) {
        fromFile = Map.copyOf(file);
        merge();
    }

    private void merge() {
        Map<String, RouteConfig> next = new java.util.HashMap<>(fromFile);
        next.putAll(stored);
        Map<String, SignatureVerifier> v = new java.util.HashMap<>();
        Map<String, SignatureVerifier> previous = verifiers == null ? Map.of() : verifiers;
        Map<String, RouteConfig> before = routes == null ? Map.of() : routes;
        next.forEach((source, route) -> {
            if (route.signature() != null) {
                RouteConfig old = before.get(source);
                SignatureVerifier kept = previous.get(source);
                v.put(source, kept != null && old != null && route.signature().equals(old.signature()) ? kept
                        : new SignatureVerifier(route.signature()));
            }
        });
        verifiers = Map.copyOf(v);
        routes = Map.copyOf(next);
    }
}
