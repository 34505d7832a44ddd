package dev.sluice.router.impl.http;

import dev.sluice.core.Timestamps;
import dev.sluice.router.impl.RouterMetrics.RouteMeters;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** A request waiting for the acks of its events (one, or a batch), and how it is answered. Event-loop confined. */
final class Pending {
    private static final CharSequence CONTENT_TYPE = HttpHeaders.createOptimized("content-type");
    private static final CharSequence APPLICATION_JSON = HttpHeaders.createOptimized("application/json");

    final HttpServerRequest req;
    final RouteMeters meters;
    final boolean batch;
    final long startNanos;
    final String[] ids;
    final long[] deadlines;
    final int[] bytes;
    final boolean[] resolved;
    final String[] problems;
    final Problems.Kind[] kinds;
    int outstanding;
    boolean done;
    /** Told, once answered, whether the single event was accepted (idempotent ingest). */
    java.util.function.Consumer<Boolean> after;

    Pending(HttpServerRequest req, RouteMeters meters, boolean batch, int size, long startNanos) {
        this.req = req;
        this.meters = meters;
        this.batch = batch;
        this.startNanos = startNanos;
        this.ids = new String[size];
        this.deadlines = new long[size];
        this.bytes = new int[size];
        this.resolved = new boolean[size];
        this.problems = new String[size];
        this.kinds = new Problems.Kind[size];
        this.outstanding = size;
    }

    void accept(int i) {
        resolved[i] = true;
        outstanding--;
    }

    void reject(int i, Problems.Kind kind, String detail) {
        resolved[i] = true;
        kinds[i] = kind;
        problems[i] = detail;
        outstanding--;
    }

    /** Answers the request once every event is resolved: 202, a problem, or (batch) 202/207 with a result per event. */
    void respond(long retryAfterSeconds) {
        Pending p = this;
        if (p.done) {
            return;
        }
        p.done = true;
        HttpServerRequest req = p.req;
        if (req.response().ended() || req.response().closed()) {
            return;
        }
        long produceNanos = System.nanoTime() - p.startNanos;
        int accepted = 0;
        for (int i = 0; i < p.resolved.length; i++) {
            if (p.problems[i] == null) {
                accepted++;
                p.meters.accepted(p.bytes[i], produceNanos);
            } else {
                p.meters.rejected(p.kinds[i]);
            }
        }
        if (p.after != null) {
            p.after.accept(accepted == p.resolved.length);
        }
        if (!p.batch) {
            if (accepted == 1) {
                req.response().setStatusCode(202).putHeader(CONTENT_TYPE, APPLICATION_JSON).end(AcceptedBody.of(p.ids[0], p.deadlines[0]));
            } else {
                Problems.send(req.response(), p.kinds[0], p.problems[0], req.path(), retryAfterSeconds);
            }
            return;
        }
        JsonArray results = new JsonArray();
        for (int i = 0; i < p.resolved.length; i++) {
            if (p.problems[i] == null) {
                results.add(new JsonObject().put("index", i).put("status", 202).put("id", p.ids[i])
                        .put("deadline", Timestamps.rfc3339Millis(p.deadlines[i])));
            } else {
                results.add(new JsonObject().put("index", i).put("status", p.kinds[i].status)
                        .put("problem", Problems.body(p.kinds[i], p.problems[i], req.path())));
            }
        }
        int rejected = p.resolved.length - accepted;
        if (rejected > 0 && allRetryable(p)) {
            req.response().putHeader("retry-after", Long.toString(retryAfterSeconds));
        }
        req.response().setStatusCode(rejected == 0 ? 202 : 207).putHeader("content-type", "application/json")
                .end(new JsonObject().put("accepted", accepted).put("rejected", rejected).put("results", results).encode());
    }

    private static boolean allRetryable(Pending p) {
        for (int i = 0; i < p.kinds.length; i++) {
            if (p.problems[i] != null && p.kinds[i].status != 503) {
                return false;
            }
        }
        return true;
    }

}
