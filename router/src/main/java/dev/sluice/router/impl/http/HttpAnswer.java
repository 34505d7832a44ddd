package dev.sluice.router.impl.http;

import dev.sluice.core.Timestamps;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The Answer stage over HTTP: one event is 202 with its id and deadline, or its problem; a batch
 * is 202 when every event was accepted, 207 with a result per event otherwise; a whole request's
 * refusal is an RFC 9457 problem. While the router drains, an HTTP/1.x client is told to close.
 */
record HttpAnswer(HttpServerRequest req, AtomicBoolean draining, long retryAfterSeconds) implements Answer {

    private static final CharSequence CONTENT_TYPE = HttpHeaders.createOptimized("content-type");
    private static final CharSequence APPLICATION_JSON = HttpHeaders.createOptimized("application/json");
    private static final CharSequence REPLAYED = HttpHeaders.createOptimized("idempotent-replayed");
    private static final CharSequence TRUE = HttpHeaders.createOptimized("true");
    private static final CharSequence RETRY_AFTER = HttpHeaders.createOptimized("retry-after");

    @Override
    public boolean gone() {
        return req.response().ended() || req.response().closed();
    }

    @Override
    public void refused(Problems.Kind kind, String detail, Map<String, String> headers) {
        problem(kind, detail, headers);
    }

    /**
     * The problem, written unless the sender is gone; completes when written. The headers of an
     * answer that failed half way are dropped; if its head is already out, the only honest end is a
     * cut connection (HTTP/1.x) or a reset stream (HTTP/2).
     */
    Future<Void> problem(Problems.Kind kind, String detail, Map<String, String> headers) {
        if (gone()) {
            return Future.succeededFuture();
        }
        if (req.response().headWritten()) {
            if (req.version() == HttpVersion.HTTP_2) {
                req.response().reset();
            } else {
                req.connection().close();
            }
            return Future.succeededFuture();
        }
        // What outcomes() may have set before it failed; headers set by earlier stages (Allow,
        // Accept-Encoding) belong to the refusal and stay.
        req.response().headers().remove(REPLAYED).remove(RETRY_AFTER);
        headers.forEach(req.response()::putHeader);
        closeIfDraining();
        return Problems.send(req.response(), kind, detail, req.path(), retryAfterSeconds);
    }

    @Override
    public void outcomes(List<Outcome> outcomes, boolean batch) {
        closeIfDraining();
        if (!batch) {
            Outcome o = outcomes.get(0);
            if (o.ok()) {
                if (o.state() == Outcome.State.REPLAYED) {
                    req.response().putHeader(REPLAYED, TRUE);
                }
                req.response()
                        .setStatusCode(202)
                        .putHeader(CONTENT_TYPE, APPLICATION_JSON)
                        .end(AcceptedBody.of(o.id(), o.deadline()));
            } else {
                Problems.send(req.response(), o.problem(), o.detail(), req.path(), retryAfterSeconds);
            }
            return;
        }
        JsonArray results = new JsonArray();
        int accepted = 0;
        int replays = 0;
        boolean allRetryable = true;
        for (int i = 0; i < outcomes.size(); i++) {
            Outcome o = outcomes.get(i);
            if (o.ok()) {
                accepted++;
                JsonObject item = new JsonObject()
                        .put("index", i)
                        .put("status", 202)
                        .put("id", o.id())
                        .put("deadline", Timestamps.rfc3339Millis(o.deadline()));
                if (o.state() == Outcome.State.REPLAYED) {
                    replays++;
                    item.put("replayed", true);
                }
                results.add(item);
            } else {
                allRetryable &= o.problem().status == 503;
                results.add(new JsonObject()
                        .put("index", i)
                        .put("status", o.problem().status)
                        .put("problem", Problems.body(o.problem(), o.detail(), req.path())));
            }
        }
        int rejected = outcomes.size() - accepted;
        if (rejected > 0 && allRetryable) {
            req.response().putHeader(RETRY_AFTER, Long.toString(retryAfterSeconds));
        }
        JsonObject answer = new JsonObject().put("accepted", accepted).put("rejected", rejected);
        if (replays > 0) {
            answer.put("replayed", replays);
            if (replays == outcomes.size()) {
                req.response().putHeader(REPLAYED, TRUE);
            }
        }
        req.response()
                .setStatusCode(rejected == 0 ? 202 : 207)
                .putHeader(CONTENT_TYPE, APPLICATION_JSON)
                .end(answer.put("results", results).encode());
    }

    /** While draining, an HTTP/1.x client is told not to reuse the connection, so none is cut off mid-request. */
    private void closeIfDraining() {
        if (draining.get() && req.version() != HttpVersion.HTTP_2) {
            req.response().putHeader("connection", "close");
        }
    }
}
