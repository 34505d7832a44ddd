package dev.sluice.router.impl.redis;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Idempotent ingest: the first request with a given key (per tenant and source) claims it in
 * Redis ({@code SET NX PX ttl}) with the event id it will produce as {@code p:<id>}; once the
 * broker acknowledged, the claim becomes {@code a:<id>|<deadline>}. A duplicate that finds
 * {@code a:} is answered with the original id without producing; one that finds {@code p:} waits
 * for the outcome; a claim whose produce failed is released, so the sender's retry can succeed.
 *
 * <p>A batch claims all its keys in one pipelined round trip ({@link #claimAll}), and settles them
 * in one more ({@link #settleAll}). Every key of one source carries the hash tag
 * {@code {tenant/source}}, so on Redis Cluster a batch's keys live on one slot and its pipeline
 * goes to one node.
 */
public final class Deduplicator {

    /** What a claim found. */
    public enum Kind { NEW, REPLAY, IN_PROGRESS, UNAVAILABLE }

    /** The outcome of a claim: for {@code REPLAY}, the original id and deadline. */
    public record Claim(Kind kind, String id, long deadline) {
    }

    private static final long POLL_MS = 5;

    /** A batch's first claim round Redis does not answer within this counts as Redis unreachable. */
    private static final long BATCH_TIMEOUT_MS = 1000;

    private final Vertx vertx;
    private final Redis client;
    private final RedisAPI redis;

    public Deduplicator(Vertx vertx, Redis client) {
        this.vertx = vertx;
        this.client = client;
        this.redis = RedisAPI.api(client);
    }

    /** {@code sluice:idem:{<tenant>/<source>}:<key>}: the braces are the Redis Cluster hash tag. */
    public static String key(String tenant, String source, String idempotencyKey) {
        return "sluice:idem:{" + tenant + "/" + source + "}:" + idempotencyKey;
    }

    /** Claims {@code key} for {@code newId}, waiting at most {@code waitMillis} for an in-flight original. Never fails. */
    public Future<Claim> claim(String key, String newId, long ttlMillis, long waitMillis) {
        long until = System.currentTimeMillis() + waitMillis;
        return redis.set(List.of(key, "p:" + newId, "NX", "PX", Long.toString(ttlMillis)))
                .compose(resp -> resp != null ? Future.succeededFuture(new Claim(Kind.NEW, newId, 0))
                        : existing(key, newId, ttlMillis, until))
                .recover(err -> Future.succeededFuture(new Claim(Kind.UNAVAILABLE, newId, 0)));
    }

    private Future<Claim> existing(String key, String newId, long ttlMillis, long until) {
        return redis.get(key).compose(resp -> {
            if (resp == null) {
                // The original was released (its produce failed): try to take the key ourselves.
                return System.currentTimeMillis() < until ? claim(key, newId, ttlMillis, until - System.currentTimeMillis())
                        : Future.succeededFuture(new Claim(Kind.IN_PROGRESS, newId, 0));
            }
            String v = resp.toString();
            if (v.startsWith("a:")) {
                int bar = v.indexOf('|');
                return Future.succeededFuture(new Claim(Kind.REPLAY, v.substring(2, bar), Long.parseLong(v.substring(bar + 1))));
            }
            if (System.currentTimeMillis() >= until) {
                return Future.succeededFuture(new Claim(Kind.IN_PROGRESS, v.substring(2), 0));
            }
            Promise<Claim> later = Promise.promise();
            vertx.setTimer(POLL_MS, id -> existing(key, newId, ttlMillis, until).onComplete(later));
            return later.future();
        });
    }

    /** The event is in Kafka: duplicates from now on are answered with its id. */
    public Future<Void> accepted(String key, String id, long deadline, long ttlMillis) {
        return redis.set(List.of(key, "a:" + id + "|" + deadline, "PX", Long.toString(Math.max(1, ttlMillis)))).mapEmpty();
    }

    /** The produce failed: let the sender's retry claim the key again. */
    public Future<Void> release(String key) {
        return redis.del(List.of(key)).mapEmpty();
    }

    /**
     * Claims every key at once: each round is one pipeline of {@code SET key p:<id> NX PX ttl} and
     * {@code GET key} per key still open. Keys whose original is still in flight are asked again
     * (together) every few milliseconds until {@code waitMillis} is spent. Never fails: with Redis
     * unreachable, every claim comes back {@code UNAVAILABLE}.
     */
    public Future<List<Claim>> claimAll(List<String> keys, List<String> newIds, long ttlMillis, long waitMillis) {
        Claim[] out = new Claim[keys.size()];
        int[] open = new int[keys.size()];
        for (int i = 0; i < open.length; i++) {
            open[i] = i;
        }
        long until = System.currentTimeMillis() + waitMillis;
        return round(keys, newIds, Long.toString(ttlMillis), until, out, open)
                .timeout(BATCH_TIMEOUT_MS + waitMillis, TimeUnit.MILLISECONDS)
                .recover(err -> {
                    // Some claims may have been taken before Redis stalled: give back those still ours.
                    releaseOwn(keys, newIds);
                    List<Claim> down = new ArrayList<>(out.length);
                    for (String id : newIds) {
                        down.add(new Claim(Kind.UNAVAILABLE, id, 0));
                    }
                    return Future.succeededFuture(down);
                });
    }

    private Future<List<Claim>> round(List<String> keys, List<String> newIds, String ttl, long until, Claim[] out, int[] open) {
        List<Request> commands = new ArrayList<>(open.length * 2);
        for (int i : open) {
            commands.add(Request.cmd(Command.SET).arg(keys.get(i)).arg("p:" + newIds.get(i)).arg("NX").arg("PX").arg(ttl));
            commands.add(Request.cmd(Command.GET).arg(keys.get(i)));
        }
        return client.batch(commands).compose(answers -> {
            boolean late = System.currentTimeMillis() >= until;
            int[] again = new int[open.length];
            int n = 0;
            for (int j = 0; j < open.length; j++) {
                int i = open[j];
                Response set = answers.get(2 * j);
                Response get = answers.get(2 * j + 1);
                String v = get == null ? null : get.toString();
                if (set != null) {
                    out[i] = new Claim(Kind.NEW, newIds.get(i), 0);
                } else if (v != null && v.startsWith("a:")) {
                    int bar = v.indexOf('|');
                    out[i] = new Claim(Kind.REPLAY, v.substring(2, bar), Long.parseLong(v.substring(bar + 1)));
                } else if (late) {
                    out[i] = new Claim(Kind.IN_PROGRESS, v == null ? newIds.get(i) : v.substring(2), 0);
                } else {
                    // In flight elsewhere, or released between our SET and GET: ask again shortly.
                    again[n++] = i;
                }
            }
            if (n == 0) {
                return Future.succeededFuture(Arrays.asList(out));
            }
            int[] next = Arrays.copyOf(again, n);
            Promise<List<Claim>> later = Promise.promise();
            vertx.setTimer(POLL_MS, t -> round(keys, newIds, ttl, until, out, next).onComplete(later));
            return later.future();
        });
    }

    /**
     * KEYS the claims of one batch (one hash tag, so one slot); ARGV[i] the value KEYS[i] holds if
     * it is still this batch's claim. Deletes exactly those, so another request's claim is never
     * dropped.
     */
    static final String RELEASE_OWN = String.join("\n",
            "for i, k in ipairs(KEYS) do",
            "  if redis.call('GET', k) == ARGV[i] then redis.call('DEL', k) end",
            "end",
            "return 0");

    /** Best effort, after a batch's claim failed midway: deletes the claims that are still this batch's. */
    private void releaseOwn(List<String> keys, List<String> newIds) {
        List<String> args = new ArrayList<>(2 + 2 * keys.size());
        args.add(RELEASE_OWN);
        args.add(Integer.toString(keys.size()));
        args.addAll(keys);
        for (String id : newIds) {
            args.add("p:" + id);
        }
        redis.eval(args).onFailure(e -> { });
    }

    /**
     * Settles a batch's claims in one pipeline: the accepted keys (with their ids and deadlines)
     * answer duplicates from now on, the {@code released} ones may be claimed again.
     */
    public Future<Void> settleAll(List<String> accepted, List<String> ids, List<Long> deadlines, long ttlMillis, List<String> released) {
        List<Request> commands = new ArrayList<>(accepted.size() + 1);
        String ttl = Long.toString(Math.max(1, ttlMillis));
        for (int i = 0; i < accepted.size(); i++) {
            commands.add(Request.cmd(Command.SET).arg(accepted.get(i)).arg("a:" + ids.get(i) + "|" + deadlines.get(i)).arg("PX").arg(ttl));
        }
        if (!released.isEmpty()) {
            Request del = Request.cmd(Command.DEL);
            released.forEach(del::arg);
            commands.add(del);
        }
        return commands.isEmpty() ? Future.succeededFuture() : client.batch(commands).mapEmpty();
    }
}
