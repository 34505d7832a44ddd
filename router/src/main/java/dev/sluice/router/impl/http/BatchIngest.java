package dev.sluice.router.impl.http;

import dev.sluice.core.RouteConfig;
import dev.sluice.core.Timestamps;
import dev.sluice.router.impl.RouterMetrics.RouteMeters;
import dev.sluice.router.impl.ingest.BadInput;
import dev.sluice.router.impl.ingest.JsonEvents;
import dev.sluice.router.impl.ingest.Parsed;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * {@code POST /v1/events/{source}/batch}: NDJSON, a JSON array, or a CloudEvents batch. Parses and
 * checks the batch, takes its events from the rate limit, hands them to {@link Deduplicate} (and
 * on to {@link Producing}), and renders the answer: 202 when every event was accepted, 207 with a
 * status per event otherwise. One per ingest handler, on its event loop.
 */
final class BatchIngest {

    private static final String CE_BATCH = "application/cloudevents-batch+json";
    private static final String NDJSON = "application/x-ndjson";
    private static final String JSON = "application/json";

    private final IngestState state;
    private final Deduplicate dedup;
    private final Gate gate;

    BatchIngest(IngestState state, Deduplicate dedup, Gate gate) {
        this.state = state;
        this.dedup = dedup;
        this.gate = gate;
    }

    /** A batch whose body has arrived and passed the checks made before parsing. */
    void handle(HttpServerRequest req, RouteConfig route, RouteMeters meters, byte[] body, String deliveryId) {
        String media = IngestHandler.mediaType(req.getHeader("content-type"));
        List<Parsed> items;
        try {
            if (NDJSON.equals(media)) {
                items = JsonEvents.ndjson(body);
            } else if (JSON.equals(media)) {
                items = JsonEvents.array(body);
            } else if (CE_BATCH.equals(media)) {
                items = JsonEvents.cloudEventBatch(body);
            } else {
                gate.reject(req, meters, Problems.Kind.UNSUPPORTED_MEDIA_TYPE, "a batch must be " + NDJSON + ", " + JSON
                        + " (an array) or " + CE_BATCH + ", got " + (media == null ? "no content type" : media));
                return;
            }
        } catch (BadInput bad) {
            gate.reject(req, meters, IngestHandler.kind(bad), bad.getMessage());
            return;
        }
        if (items.isEmpty()) {
            gate.reject(req, meters, Problems.Kind.EMPTY_BATCH, "the batch holds no events");
            return;
        }
        if (items.size() > route.maxBatchEvents()) {
            gate.reject(req, meters, Problems.Kind.BATCH_TOO_LARGE,
                    "the batch holds " + items.size() + " events; this source takes at most " + route.maxBatchEvents());
            return;
        }
        gate.then(req, meters, state.admission().rate(route, items.size(), body.length),
                () -> dedup.submit(req, route, meters, items, true, deliveryId));
    }

    /**
     * Answers a batch once every event is resolved (the per-event metrics already counted):
     * 202 when none was rejected, 207 otherwise, with a result per event either way.
     */
    static void respond(Pending p, int accepted, int replays, long retryAfterSeconds) {
        HttpServerRequest req = p.req;
        JsonArray results = new JsonArray();
        for (int i = 0; i < p.resolved.length; i++) {
            if (p.problems[i] == null) {
                JsonObject item = new JsonObject().put("index", i).put("status", 202).put("id", p.ids[i])
                        .put("deadline", Timestamps.rfc3339Millis(p.deadlines[i]));
                if (p.replayed(i)) {
                    item.put("replayed", true);
                }
                results.add(item);
            } else {
                results.add(new JsonObject().put("index", i).put("status", p.kinds[i].status)
                        .put("problem", Problems.body(p.kinds[i], p.problems[i], req.path())));
            }
        }
        int rejected = p.resolved.length - accepted;
        if (rejected > 0 && allRetryable(p)) {
            req.response().putHeader("retry-after", Long.toString(retryAfterSeconds));
        }
        JsonObject answer = new JsonObject().put("accepted", accepted).put("rejected", rejected);
        if (replays > 0) {
            answer.put("replayed", replays);
            if (replays == p.resolved.length) {
                req.response().putHeader("idempotent-replayed", "true");
            }
        }
        req.response().setStatusCode(rejected == 0 ? 202 : 207).putHeader("content-type", "application/json")
                .end(answer.put("results", results).encode());
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
