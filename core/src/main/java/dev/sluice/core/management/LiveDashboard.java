package dev.sluice.core.management;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The live dashboard of a Sluice process on its management port: {@code GET /ui} is one
 * self-contained page (inline script and SVG charts, no external asset, served from the jar), and
 * {@code GET /ui/events} a Server-Sent Events stream carrying the process's figures once a second.
 * The figures are sampled once per tick for every watcher, and only while someone watches; a watcher
 * whose connection cannot keep up misses ticks rather than queueing them. At most
 * {@value #MAX_WATCHERS} watchers at once; more get 503. {@code /ui/events?limit=N} ends the stream
 * after N events (a snapshot for scripts, and what lets a headless browser finish loading the page:
 * {@code /ui?limit=N} passes it on); the browser's EventSource reconnects after a stream ends.
 */
public final class LiveDashboard implements Handler<HttpServerRequest> {

    /** What a process shows: one sample of its figures, taken on the tick. */
    public interface Figures {
        JsonObject sample(MeterWindow window);
    }

    public static final String PATH = "/ui";
    static final int MAX_WATCHERS = 32;
    private static final long TICK_MS = 1000;
    /** Rates and quantiles over the last ten seconds. */
    private static final int WINDOW_SAMPLES = 10;

    private static final Buffer PAGE = page();

    private final Vertx vertx;
    private final String process;
    private final Figures figures;
    private final Map<HttpServerResponse, long[]> watchers = new LinkedHashMap<>();
    private final MeterWindow window = new MeterWindow(WINDOW_SAMPLES);
    private long timer = -1;
    private long ticks;

    /** {@code process}: "router" or "executor", shown in the page's title. */
    public LiveDashboard(Vertx vertx, String process, Figures figures) {
        this.vertx = vertx;
        this.process = process;
        this.figures = figures;
    }

    @Override
    public void handle(HttpServerRequest req) {
        if (req.method() != HttpMethod.GET) {
            req.response().setStatusCode(405).putHeader("allow", "GET").end();
            return;
        }
        switch (req.path()) {
            case PATH, PATH + "/" ->
                req.response()
                        .putHeader("content-type", "text/html; charset=utf-8")
                        .putHeader("cache-control", "no-store")
                        .putHeader(
                                "content-security-policy",
                                "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
                                        + "connect-src 'self'; img-src data:")
                        .end(PAGE);
            case PATH + "/events" -> watch(req);
            default -> ManagementServer.notFound(req.response(), "the dashboard is at /ui, its stream at /ui/events");
        }
    }

    private void watch(HttpServerRequest req) {
        HttpServerResponse res = req.response();
        long limit;
        try {
            limit = req.getParam("limit") == null ? Long.MAX_VALUE : Long.parseLong(req.getParam("limit"));
        } catch (NumberFormatException e) {
            limit = 0;
        }
        if (limit < 1 || limit > 86_400 && limit != Long.MAX_VALUE) {
            res.setStatusCode(400)
                    .putHeader("content-type", "application/problem+json")
                    .end(new JsonObject()
                            .put("type", "urn:sluice:problem:invalid-field")
                            .put("title", "Invalid field")
                            .put("status", 400)
                            .put("detail", "limit: a whole number of events from 1 to 86400")
                            .put("reason", "invalid-field")
                            .encode());
            return;
        }
        if (watchers.size() >= MAX_WATCHERS) {
            res.setStatusCode(503).putHeader("retry-after", "5").end();
            return;
        }
        res.setChunked(true)
                .putHeader("content-type", "text/event-stream")
                .putHeader("cache-control", "no-store")
                .putHeader("x-accel-buffering", "no");
        res.write("retry: 2000\n\n");
        watchers.put(res, new long[] {limit});
        res.closeHandler(v -> unwatch(res));
        res.exceptionHandler(e -> unwatch(res));
        if (timer < 0) {
            // The first watcher: take a sample now, so rates have a starting point by the first tick.
            window.tick(System.nanoTime());
            figures.sample(window);
            timer = vertx.setPeriodic(TICK_MS, id -> tick());
        }
    }

    private void unwatch(HttpServerResponse res) {
        watchers.remove(res);
        if (watchers.isEmpty() && timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
    }

    private void tick() {
        window.tick(System.nanoTime());
        JsonObject sample = figures.sample(window)
                .put("process", process)
                .put("at", System.currentTimeMillis())
                .put("tick", ++ticks);
        Buffer event = Buffer.buffer("data: " + sample.encode() + "\n\n");
        for (Map.Entry<HttpServerResponse, long[]> w : List.copyOf(watchers.entrySet())) {
            HttpServerResponse res = w.getKey();
            if (res.closed() || res.ended()) {
                unwatch(res);
            } else if (!res.writeQueueFull()) {
                res.write(event);
                if (--w.getValue()[0] == 0) {
                    unwatch(res);
                    res.end();
                }
            }
        }
    }

    /** How many watchers are connected (for tests and the readiness details). */
    public int watchers() {
        return watchers.size();
    }

    private static Buffer page() {
        try (InputStream in = LiveDashboard.class.getResourceAsStream("/sluice-ui/dashboard.html")) {
            if (in == null) {
                throw new IllegalStateException("sluice-ui/dashboard.html is missing from the classpath");
            }
            return Buffer.buffer(in.readAllBytes());
        } catch (IOException e) {
            throw new IllegalStateException("cannot read sluice-ui/dashboard.html", e);
        }
    }
}
