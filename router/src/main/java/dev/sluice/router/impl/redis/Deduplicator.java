package dev.sluice.router.impl.redis;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.RedisAPI;
import java.util.List;

/**
 * Idempotent ingest: the first request with a given key (per tenant and source) claims it in
 * Redis ({@code SET NX PX ttl}) with the event id it will produce as {@code p:<id>}; once the
 * broker acknowledged, the claim becomes {@code a:<id>|<deadline>}. A duplicate that finds
 * {@code a:} is answered with the original id without producing; one that finds {@code p:} waits
 * for the outcome; a claim whose produce failed is released, so the sender's retry can succeed.
 */
public final class Deduplicator {

    /** What a claim found. */
    public enum Kind { NEW, REPLAY, IN_PROGRESS, UNAVAILABLE }

    /** The outcome of a claim: for {@code REPLAY}, the original id and deadline. */
    public record Claim(Kind kind, String id, long deadline) {
    }

    private static final long POLL_MS = 5;

    private final Vertx vertx;
    private final RedisAPI redis;

    public Deduplicator(Vertx vertx, RedisAPI redis) {
        this.vertx = vertx;
        this.redis = redis;
    }

    public static String key(String tenant, String source, String idempotencyKey) {
        return "sluice:idem:" + tenant + ":" + source + ":" + idempotencyKey;
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
}
