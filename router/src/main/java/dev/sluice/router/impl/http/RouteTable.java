package dev.sluice.router.impl.http;

import dev.sluice.core.RouteConfig;
import java.util.Map;

/** The routes in force; replaced whole when the catalog is reloaded, read without locks on every request. */
public final class RouteTable {

    private volatile Map<String, RouteConfig> routes;

    public RouteTable(Map<String, RouteConfig> routes) {
        this.routes = Map.copyOf(routes);
    }

    public RouteConfig get(String source) {
        return routes.get(source);
    }

    public Map<String, RouteConfig> all() {
        return routes;
    }

    public void replace(Map<String, RouteConfig> next) {
        routes = Map.copyOf(next);
    }
}
