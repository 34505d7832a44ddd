package dev.sluice.core.management;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.core.tracing.TracingPolicy;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Health and metrics on a management port, the same for every Sluice process:
 * {@code GET /health/live}, {@code GET /health/ready} (503 with the reasons while not ready) and
 * Prometheus {@code GET /metrics}, plus what a role mounts (the router's admin API and contract).
 * The one piece of I/O in core, kept here so router, executor and scaler serve identical probes.
 */
public final class ManagementServer {

    /** A readiness verdict with the details behind it. */
    public record Readiness(boolean ready, JsonObject details) {}

    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final String JSON = "application/json";
    public static final String ADMIN = "/admin";

    private final HttpServer server;
    private final LoopDelay loopDelay;

    private ManagementServer(HttpServer server, LoopDelay loopDelay) {
        this.server = server;
        this.loopDelay = loopDelay;
    }

    public static Future<ManagementServer> start(
            Vertx vertx, String host, int port, PrometheusMeterRegistry registry, Supplier<Readiness> readiness) {
        return start(vertx, host, port, registry, readiness, Map.of());
    }

    /**
     * The same, with more endpoints: each {@code mounts} key is a path, and its handler answers that
     * path and everything under it ({@code /admin} takes {@code /admin/tenants}); the probes and
     * {@code /metrics} answer the rest.
     */
    public static Future<ManagementServer> start(
            Vertx vertx,
            String host,
            int port,
            PrometheusMeterRegistry registry,
            Supplier<Readiness> readiness,
            Map<String, Handler<HttpServerRequest>> mounts) {
        Map<String, Handler<HttpServerRequest>> routes = Map.copyOf(mounts);
        // Probes, scrapes and admin calls are not traced, even with Vert.x's tracer on. They speak
        // HTTP/1.1 (Prometheus, kubelet probes, browsers): an h2c upgrade request is answered in
        // HTTP/1.1 rather than upgraded, one protocol less on this port. (The JDK client's upgrade of a
        // GET /metrics was seen to fail now and then with a frame error.)
        HttpServer server = vertx.createHttpServer(new HttpServerOptions()
                        .setTracingPolicy(TracingPolicy.IGNORE)
                        .setHttp2ClearTextEnabled(false))
                .requestHandler(req -> {
                    Handler<HttpServerRequest> mounted = mounted(routes, req.path());
                    if (mounted != null) {
                        mounted.handle(req);
                    } else {
                        handle(req, registry, readiness, routes.keySet());
                    }
                });
        return server.listen(port, host).map(s -> new ManagementServer(s, LoopDelay.start(vertx, registry)));
    }

    /** The handler mounted at {@code path} or at one of its parents, if any (a lookup, not a switch). */
    private static Handler<HttpServerRequest> mounted(Map<String, Handler<HttpServerRequest>> routes, String path) {
        if (path == null || routes.isEmpty()) {
            return null;
        }
        for (String at = path; !at.isEmpty(); at = at.substring(0, Math.max(0, at.lastIndexOf('/')))) {
            Handler<HttpServerRequest> h = routes.get(at);
            if (h != null) {
                return h;
            }
        }
        return null;
    }

    private static void handle(
            HttpServerRequest req,
            PrometheusMeterRegistry registry,
            Supplier<Readiness> readiness,
            java.util.Set<String> mounted) {
        if (req.method() != HttpMethod.GET) {
            req.response().setStatusCode(405).putHeader("allow", "GET").end();
            return;
        }
        switch (req.path()) {
            case "/health/live" ->
                req.response().putHeader("content-type", JSON).end("{\"status\":\"UP\"}");
            case "/health/ready" -> {
                Readiness r = readiness.get();
                req.response()
                        .setStatusCode(r.ready() ? 200 : 503)
                        .putHeader("content-type", JSON)
                        .end(r.details()
                                .copy()
                                .put("status", r.ready() ? "UP" : "DOWN")
                                .encode());
            }
            case "/metrics" ->
                req.response().putHeader("content-type", PROMETHEUS_TEXT).end(registry.scrape());
            default ->
                notFound(
                        req.response(),
                        "management endpoints: /health/live, /health/ready, /metrics"
                                + mounted.stream()
                                        .sorted()
                                        .map(m -> ", " + m)
                                        .collect(java.util.stream.Collectors.joining()));
        }
    }

    public int port() {
        return server.actualPort();
    }

    public Future<Void> close() {
        loopDelay.stop();
        return server.close();
    }

    /** A 404 problem for a path no endpoint serves; {@code detail} says which paths there are. */
    static void notFound(HttpServerResponse response, String detail) {
        response.setStatusCode(404)
                .putHeader("content-type", "application/problem+json")
                .end(new JsonObject()
                        .put("type", "urn:sluice:problem:not-found")
                        .put("title", "No such endpoint")
                        .put("status", 404)
                        .put("detail", detail)
                        .put("reason", "not-found")
                        .encode());
    }
}
