package dev.sluice.router.impl.http;

import dev.sluice.core.RouteConfig;
import dev.sluice.router.impl.ingest.SignatureVerifier;
import java.util.Map;

/** The routes in force; replaced whole when the catalog is reloaded, read without locks on every request. */
public final class RouteTable {

    private volatile Map<String, RouteConfig> routes;
    private volatile Map<String, SignatureVerifier> verifiers;

    public RouteTable(Map<String, RouteConfig> routes) {
        replace(routes);
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

    public void replace(Map<String, RouteConfig> next) {
        Map<String, SignatureVerifier> v = new java.util.HashMap<>();
        next.forEach((source, route) -> {
            if (route.signature() != null) {
                v.put(source, new SignatureVerifier(route.signature()));
            }
        });
        verifiers = Map.copyOf(v);
        routes = Map.copyOf(next);
    }
}
