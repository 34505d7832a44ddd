package dev.sluice.router.impl.http;

import dev.sluice.core.EventIds;
import dev.sluice.core.RouteConfig;
import dev.sluice.router.impl.RouterMetrics.RouteMeters;
import dev.sluice.router.impl.ingest.Draft;
import dev.sluice.router.impl.ingest.Parsed;
import dev.sluice.router.impl.redis.Deduplicator;
import io.vertx.core.Context;
import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Events of a source with {@code idempotency}: claims the sender's key in Redis before producing,
 * answers a duplicate with the original id, and turns the claim into "accepted" or releases it once
 * the broker answered. A batch claims the keys of all its events in one pipelined round trip: each
 * event's key is its CloudEvents {@code id}, or {@code <Idempotency-Key>/<index>} when the request
 * carries that header; events without either are not deduplicated. One per ingest handler, on its
 * event loop.
 */
final class IdempotentSubmit {

    /** What this needs from the ingest handler that owns it. */
    interface Host {
        Pending submit(HttpServerRequest req, RouteConfig route, RouteMeters meters, Draft draft);

        Pending submitBatch(HttpServerRequest req, RouteConfig route, RouteMeters meters, List<Parsed> items,
                            Consumer<Pending> preset);

        void reject(HttpServerRequest req, RouteMeters meters, Problems.Kind kind, String detail);

        void closeIfDraining(HttpServerRequest req);
    }

    private final IngestState state;
    private final Context context;
    private final Host host;

    IdempotentSubmit(IngestState state, Context context, Host host) {
        this.state = state;
        this.context = context;
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
                            .end(AcceptedBody.of(c.id(), c.deadline()));
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

    void submitBatch(HttpServerRequest req, RouteConfig route, RouteMeters meters, List<Parsed> items) {
        String header = req.getHeader("idempotency-key");
        if (header != null && header.isBlank()) {
            header = null;
        }
        long now = System.currentTimeMillis();
        int n = items.size();
        List<Parsed> drafts = new ArrayList<>(items);
        int[] firstOf = new int[n];
        Map<String, Integer> seen = new HashMap<>();
        List<Integer> claimed = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            firstOf[i] = -1;
            Draft draft = items.get(i).draft();
            String idemKey = draft == null ? null : header != null ? header + "/" + i : draft.id();
            if (idemKey == null) {
                continue;
            }
            String key = Deduplicator.key(route.tenant(), route.source(), idemKey);
            Integer first = seen.putIfAbsent(key, i);
            if (first != null) {
                firstOf[i] = first;
                continue;
            }
            String id = draft.id() != null ? draft.id() : EventIds.nextString(now);
            drafts.set(i, Parsed.ok(new Draft(id, draft.source(), draft.type(), draft.subject(), draft.time(), draft.contentType(),
                    draft.payload(), draft.extensions())));
            claimed.add(i);
            keys.add(key);
            ids.add(id);
        }
        if (claimed.isEmpty() || state.dedup() == null && route.idempotency().equals("fail-open")) {
            host.submitBatch(req, route, meters, drafts, p -> repeats(p, firstOf));
            return;
        }
        if (state.dedup() == null) {
            host.reject(req, meters, Problems.Kind.IDEMPOTENCY_UNAVAILABLE, "no Redis is configured for this fail-closed source");
            return;
        }
        long ttl = route.ttl().toMillis();
        state.dedup().claimAll(keys, ids, ttl, state.config().produceTimeout().toMillis() + 200)
                .onComplete(ar -> context.runOnContext(v -> claimedAll(req, route, meters, drafts, firstOf, claimed, keys, ar.result())));
    }

    private void claimedAll(HttpServerRequest req, RouteConfig route, RouteMeters meters, List<Parsed> drafts, int[] firstOf,
                            List<Integer> claimed, List<String> keys, List<Deduplicator.Claim> claims) {
        if (claims.get(0).kind() == Deduplicator.Kind.UNAVAILABLE) {
            if (route.idempotency().equals("fail-open")) {
                claimed.forEach(i -> meters.unchecked());
                host.submitBatch(req, route, meters, drafts, p -> repeats(p, firstOf));
            } else {
                host.reject(req, meters, Problems.Kind.IDEMPOTENCY_UNAVAILABLE,
                        "duplicates cannot be checked (Redis unreachable) and this source is fail-closed; retry later");
            }
            return;
        }
        Pending p = host.submitBatch(req, route, meters, drafts, pending -> {
            for (int j = 0; j < claimed.size(); j++) {
                Deduplicator.Claim c = claims.get(j);
                int i = claimed.get(j);
                if (c.kind() == Deduplicator.Kind.REPLAY) {
                    pending.replay(i, c.id(), c.deadline());
                } else if (c.kind() == Deduplicator.Kind.IN_PROGRESS) {
                    pending.reject(i, Problems.Kind.IDEMPOTENCY_IN_PROGRESS, "an event with this key is still being stored; retry shortly");
                }
            }
            repeats(pending, firstOf);
        });
        p.after = ok -> settle(route, p, claimed, keys, claims);
        if (p.done) {
            settle(route, p, claimed, keys, claims);
        }
    }

    /** The claims this batch took: accepted where the broker acknowledged, released where it did not. */
    private void settle(RouteConfig route, Pending p, List<Integer> claimed, List<String> keys, List<Deduplicator.Claim> claims) {
        List<String> accepted = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        List<Long> deadlines = new ArrayList<>();
        List<String> released = new ArrayList<>();
        for (int j = 0; j < claimed.size(); j++) {
            if (claims.get(j).kind() != Deduplicator.Kind.NEW) {
                continue;
            }
            int i = claimed.get(j);
            if (p.problems[i] == null) {
                accepted.add(keys.get(j));
                ids.add(p.ids[i]);
                deadlines.add(p.deadlines[i]);
            } else {
                released.add(keys.get(j));
            }
        }
        state.dedup().settleAll(accepted, ids, deadlines, route.ttl().toMillis(), released);
    }

    private static void repeats(Pending p, int[] firstOf) {
        for (int i = 0; i < firstOf.length; i++) {
            if (firstOf[i] >= 0) {
                p.repeat(i, firstOf[i]);
            }
        }
    }
}
