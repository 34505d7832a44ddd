package dev.sluice.core.management;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.util.function.Supplier;

/**
 * Health and metrics on a management port, the same for every Sluice process:
 * {@code GET /health/live}, {@code GET /health/ready} (503 with the reasons while not ready) and
 * Prometheus {@code GET /metrics}. The one piece of I/O in core, kept here so router, executor and
 * scaler serve identical probes.
 */
public final class ManagementServer {

    /** A readiness verdict with the details behind it. */
    public record Readiness(boolean ready, JsonObject details) {
    }

    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final String JSON = "application/json";
    public static final String ADMIN_PREFIX = "/admin/";

    private final HttpServer server;
    private final LoopDelay loopDelay;

    private ManagementServer(HttpServer server, LoopDelay loopDelay) {
        this.server = server;
        this.loopDelay = loopDelay;
    }

    public static Future<ManagementServer> start(Vertx vertx, String host, int port, PrometheusMeterRegistry registry,
                                                 Supplier<Readiness> readiness) {
        return start(vertx, host, port, registry, readiness, null);
    }

    /** The same, with {@code admin} (if not null) answering every request under {@code /admin/}. */
    public static Future<ManagementServer> start(Vertx vertx, String host, int port, PrometheusMeterRegistry registry,
                                                 Supplier<Readiness> readiness, Handler<HttpServerRequest> admin) {
        return start(vertx, host, port, registry, readiness, admin, null);
    }

    /** The same, with {@code ui} (if not null, a {@link LiveDashboard}) answering {@code /ui} and everything under it. */
    public static Future<ManagementServer> start(Vertx vertx, String host, int port, PrometheusMeterRegistry registry,
                                                 Supplier<Readiness> readiness, Handler<HttpServerRequest> admin,
                                                 Handler<HttpServerRequest> ui) {
        HttpServer server = vertx.createHttpServer().requestHandler(req -> {
            if (ui != null && (req.path().equals(LiveDashboard.PATH) || req.path().startsWith(LiveDashboard.PATH + "/"))) {
                ui.handle(req);
            } else if (admin != null && req.path().startsWith(ADMIN_PREFIX)) {
                admin.handle(req);
            } else {
                handle(req, registry, readiness);
            }
        });
        return server.listen(port, host).map(s -> new ManagementServer(s, LoopDelay.start(vertx, registry)));
    }

    private static void handle(HttpServerRequest req, PrometheusMeterRegistry registry, Supplier<Readiness> readiness) {
        if (req.method() != HttpMethod.GET) {
            req.response().setStatusCode(405).putHeader("allow", "GET").end();
            return;
        }
        switch (req.path()) {
            case "/health/live" -> req.response().putHeader("content-type", JSON).end("{\"status\":\"UP\"}");
            case "/health/ready" -> {
                Readiness r = readiness.get();
                req.response().setStatusCode(r.ready() ? 200 : 503).putHeader("content-type", JSON)
                        .end(r.details().copy().put("status", r.ready() ? "UP" : "DOWN").encode());
            }
            case "/metrics" -> req.response().putHeader("content-type", PROMETHEUS_TEXT).end(registry.scrape());
            default -> req.response().setStatusCode(404).putHeader("content-type", "application/problem+json")
                    .end(new JsonObject().put("type", "urn:sluice:problem:not-found").put("title", "No such endpoint")
                            .put("status", 404).put("detail", "management endpoints: /health/live, /health/ready, /metrics")
                            .put("reason", "not-found").encode());
        }
    }

    public int port() {
        return server.actualPort();
    }

    public Future<Void> close() {
        loopDelay.stop();
        return server.close();
    }
}
