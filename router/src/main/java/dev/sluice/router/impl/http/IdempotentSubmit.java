package dev.sluice.router.impl.http;

import dev.sluice.core.EventIds;
import dev.sluice.core.RouteConfig;
import dev.sluice.router.impl.RouterMetrics.RouteMeters;
import dev.sluice.router.impl.ingest.Draft;
import dev.sluice.router.impl.redis.Deduplicator;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.Json;
import java.time.Instant;

/**
 * Single events of a source with {@code idempotency}: claims the sender's key in Redis before
 * producing, answers a duplicate with the original id, and turns the claim into "accepted" or
 * releases it once the broker answered. One per ingest handler, on its event loop.
 */
final class IdempotentSubmit {

    /** What this needs from the ingest handler that owns it. */
    interface Host {
        Pending submit(HttpServerRequest req, RouteConfig route, RouteMeters meters, Draft draft);

        void reject(HttpServerRequest req, RouteMeters meters, Problems.Kind kind, String detail);

        void closeIfDraining(HttpServerRequest req);
    }

    private final IngestState state;
    private final Host host;

    IdempotentSubmit(IngestState state, Host host) {
        this.state = state;
        this.host = host;
    }

    void submit(HttpServerRequest req, RouteConfig route, RouteMeters meters, Draft draft) {
        String idemKey = idempotencyKey(req, draft);
        if (idemKey == null || state.dedup() == null && route.idempotency().equals("fail-open")) {
            host.submit(req, route, meters, draft);
            return;
        }
        if (state.dedup() == null) {
            host.reject(req, meters, Problems.Kind.IDEMPOTENCY_UNAVAILABLE, "no Redis is configured for this fail-closed source");
            return;
        }
        deduplicated(req, route, meters, draft, idemKey);
    }

    /** The sender's key for deduplication: {@code Idempotency-Key}, else the CloudEvents id. */
    private static String idempotencyKey(HttpServerRequest req, Draft draft) {
        String k = req.getHeader("idempotency-key");
        return k != null && !k.isBlank() ? k : draft.id();
    }

    private void deduplicated(HttpServerRequest req, RouteConfig route, RouteMeters meters, Draft draft, String idemKey) {
        String key = Deduplicator.key(route.tenant(), route.source(), idemKey);
        String id = draft.id() != null ? draft.id() : EventIds.nextString(System.currentTimeMillis());
        long ttl = route.ttl().toMillis();
        state.dedup().claim(key, id, ttl, state.config().produceTimeout().toMillis() + 200).onComplete(ar -> {
            Deduplicator.Claim c = ar.result();
            switch (c.kind()) {
                case REPLAY -> {
                    meters.replayed();
                    host.closeIfDraining(req);
                    req.response().setStatusCode(202).putHeader("content-type", "application/json")
                            .putHeader("idempotent-replayed", "true")
                            .end("{\"id\":" + Json.encode(c.id()) + ",\"deadline\":\"" + Instant.ofEpochMilli(c.deadline()) + "\"}");
                }
                case IN_PROGRESS -> host.reject(req, meters, Problems.Kind.IDEMPOTENCY_IN_PROGRESS,
                        "a request with this key is still being stored; retry shortly");
                case UNAVAILABLE -> {
                    if (route.idempotency().equals("fail-open")) {
                        meters.unchecked();
                        host.submit(req, route, meters, draft);
                    } else {
                        host.reject(req, meters, Problems.Kind.IDEMPOTENCY_UNAVAILABLE,
                                "duplicates cannot be checked (Redis unreachable) and this source is fail-closed; retry later");
                    }
                }
                default -> {
                    Draft claimed = new Draft(id, draft.source(), draft.type(), draft.subject(), draft.time(), draft.contentType(),
                            draft.payload(), draft.extensions());
                    Pending p = host.submit(req, route, meters, claimed);
                    if (p != null) {
                        p.after = ok -> {
                            if (ok) {
                                state.dedup().accepted(key, id, p.deadlines[0], ttl);
                            } else {
                                state.dedup().release(key);
                            }
                        };
                        if (p.done) {
                            p.after.accept(p.problems[0] == null);
                        }
                    }
                }
            }
        });
    }
}
