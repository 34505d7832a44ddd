package dev.sluice.router.impl.http;

import dev.sluice.core.EventIds;
import dev.sluice.core.Idempotency;
import dev.sluice.core.RouteConfig;
import dev.sluice.router.impl.RouterMetrics.RouteMeters;
import dev.sluice.router.impl.ingest.Draft;
import dev.sluice.router.impl.ingest.Parsed;
import dev.sluice.router.impl.ingest.SchemaCheck;
import dev.sluice.router.impl.redis.Deduplicator;
import dev.sluice.router.impl.redis.Deduplicator.Accepted;
import dev.sluice.router.impl.redis.Deduplicator.Claim;
import dev.sluice.router.impl.redis.Deduplicator.Kind;
import io.vertx.core.Context;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The Deduplicate stage: claims, in Redis, the keys a request's events carry, produces the events
 * that are new, and answers the others from their originals. An event carries up to two keys:
 * <ul>
 *   <li>on a signed source, the verified delivery id and its index (the replay check): a replay of
 *       an accepted delivery gets the original answer; a delivery refused for a retryable reason
 *       leaves nothing behind, so its retry goes through; a replay of one still in flight waits,
 *       bounded, for its outcome;</li>
 *   <li>on a source with {@code idempotency}, the sender's key: {@code Idempotency-Key} (with
 *       {@code /<index>} in a batch), else the CloudEvents id.</li>
 * </ul>
 * Every claim is settled on what the producer finally reported, not on the answer: after a
 * {@code produce-timeout} 503 it stays in flight until the producer's callback, then becomes
 * "accepted" (a retry gets the original id) or is released (a retry produces). Fail-open and
 * fail-closed are decided here, once. One per ingest handler, on its event loop.
 */
record Deduplicate(IngestState state, Context context, Producing producing, Gate gate) {

    /** One claim to take: item {@code item}'s key, with the id it will be produced under and how long the key lives. */
    private record Want(int item, String key, long ttlMillis, boolean replay) {}

    /** The events of one submission, parsed. */
    void submit(Submission sub, List<Parsed> parsed) {
        RouteConfig route = sub.route();
        List<Parsed> items = validated(state.routes().schema(route.source()), parsed);
        String deliveryId = sub.deliveryId();
        boolean batch = sub.batch();
        boolean replayChecked = deliveryId != null;
        boolean idempotent = route.idempotency() != Idempotency.NONE;
        if (!replayChecked && !idempotent) {
            producing.submit(sub, items, p -> {});
            return;
        }
        String header = sub.idempotencyKey();
        if (header != null && header.isBlank()) {
            header = null;
        }
        long now = System.currentTimeMillis();
        String replayPrefix =
                replayChecked ? Deduplicator.replayPrefix(route.tenant(), route.source(), deliveryId) : null;
        List<Parsed> drafts = new ArrayList<>(items);
        int[] firstOf = new int[items.size()];
        Map<String, Integer> seen = new HashMap<>();
        List<Want> wants = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            firstOf[i] = -1;
            Draft draft = items.get(i).draft();
            if (draft == null) {
                continue;
            }
            String idemKey = !idempotent ? null : header != null ? (batch ? header + "/" + i : header) : draft.id();
            String key = idemKey == null ? null : Deduplicator.key(route.tenant(), route.source(), idemKey);
            if (key != null) {
                Integer first = seen.putIfAbsent(key, i);
                if (first != null) {
                    firstOf[i] = first; // the same event twice in one request: produced once, answered alike
                    continue;
                }
            }
            String id = draft.id() != null ? draft.id() : EventIds.nextString(now);
            drafts.set(
                    i,
                    Parsed.ok(new Draft(
                            id,
                            draft.source(),
                            draft.type(),
                            draft.subject(),
                            draft.time(),
                            draft.contentType(),
                            draft.payload(),
                            draft.extensions())));
            if (replayChecked) {
                wants.add(new Want(
                        i,
                        replayPrefix + "/" + i,
                        2 * route.signature().tolerance().toMillis(),
                        true));
                ids.add(id);
            }
            if (key != null) {
                wants.add(new Want(i, key, route.ttl().toMillis(), false));
                ids.add(id);
            }
        }
        Consumer<Pending> repeats = p -> repeats(p, firstOf);
        if (wants.isEmpty()) {
            producing.submit(sub, drafts, repeats);
            return;
        }
        state.dedup()
                .claimAll(
                        wants.stream().map(Want::key).toList(),
                        ids,
                        wants.stream().map(Want::ttlMillis).toList(),
                        state.config().timeouts().produce().toMillis() + 200)
                .onComplete(ar -> context.runOnContext(
                        v -> gate.guarded(sub, () -> claimed(sub, drafts, wants, ar.result(), repeats))));
    }

    /**
     * Nothing was checked, Redis being unreachable ({@code UNAVAILABLE}, counted) or not configured
     * ({@code UNCHECKED}): fail-closed sources refuse, the rest go on unchecked.
     */
    private void unchecked(Submission sub, List<Parsed> drafts, List<Want> wants, Consumer<Pending> repeats, Kind why) {
        RouteMeters meters = sub.meters();
        boolean idempotencyWanted = wants.stream().anyMatch(w -> !w.replay());
        if (idempotencyWanted && sub.route().idempotency() == Idempotency.FAIL_CLOSED) {
            gate.refuse(
                    sub,
                    Problems.Kind.IDEMPOTENCY_UNAVAILABLE,
                    why == Kind.UNCHECKED
                            ? "no Redis is configured for this fail-closed source"
                            : "duplicates cannot be checked (Redis unreachable) and this source is fail-closed; retry later");
            return;
        }
        if (why == Kind.UNAVAILABLE) {
            for (Want w : wants) {
                if (w.replay()) {
                    meters.replayUnchecked();
                } else {
                    meters.unchecked();
                }
            }
        }
        producing.submit(sub, drafts, repeats);
    }

    private void claimed(
            Submission sub, List<Parsed> drafts, List<Want> wants, List<Claim> claims, Consumer<Pending> repeats) {
        Kind first = claims.get(0).kind();
        if (first == Kind.UNAVAILABLE || first == Kind.UNCHECKED) {
            unchecked(sub, drafts, wants, repeats, first);
            return;
        }
        producing.submit(sub, drafts, p -> {
            repeats.accept(p);
            // An item answered from an original (any of its keys replays) or still in flight elsewhere is not produced.
            for (int j = 0; j < wants.size(); j++) {
                Claim c = claims.get(j);
                if (c.kind() == Kind.REPLAY) {
                    p.resolve(wants.get(j).item(), Outcome.replayed(c.id(), c.deadline()));
                }
            }
            for (int j = 0; j < wants.size(); j++) {
                if (claims.get(j).kind() == Kind.IN_PROGRESS) {
                    p.resolve(
                            wants.get(j).item(),
                            Outcome.refused(
                                    Problems.Kind.IDEMPOTENCY_IN_PROGRESS,
                                    "an event with this key or delivery is still being stored; retry shortly"));
                }
            }
            p.onSettled = settled -> settle(settled, wants, claims);
        });
    }

    /**
     * The keys this request claimed, on what the producer finally reported: an event in Kafka (or one
     * answered from an original) makes its keys answer duplicates with that id; any other outcome
     * releases them, so the sender's retry goes through.
     */
    private void settle(Pending p, List<Want> wants, List<Claim> claims) {
        List<Accepted> accepted = new ArrayList<>();
        List<String> released = new ArrayList<>();
        for (int j = 0; j < wants.size(); j++) {
            if (claims.get(j).kind() != Kind.NEW) {
                continue;
            }
            Want w = wants.get(j);
            Outcome inKafka = p.inKafka(w.item());
            if (inKafka != null) {
                accepted.add(new Accepted(w.key(), inKafka.id(), inKafka.deadline(), w.ttlMillis()));
            } else if (p.unknown(w.item())) {
                // Perhaps stored, perhaps not (the producer's own timeout): the claim stays in flight until its TTL, so
                // the
                // event is never produced twice under one key; a retry meanwhile gets 503 idempotency-in-progress.
                continue;
            } else {
                released.add(w.key());
            }
        }
        state.dedup().settleAll(accepted, released);
    }

    /** The Validate step: each event whose payload breaks the route's schema is refused on its own (422). */
    private static List<Parsed> validated(SchemaCheck schema, List<Parsed> items) {
        if (!schema.present()) {
            return items;
        }
        List<Parsed> out = new ArrayList<>(items.size());
        for (Parsed p : items) {
            out.add(
                    p.draft() == null
                            ? p
                            : schema.violations(p.draft().payload())
                                    .map(Parsed::bad)
                                    .orElse(p));
        }
        return out;
    }

    private static void repeats(Pending p, int[] firstOf) {
        for (int i = 0; i < firstOf.length; i++) {
            if (firstOf[i] >= 0) {
                p.repeat(i, firstOf[i]);
            }
        }
    }
}
