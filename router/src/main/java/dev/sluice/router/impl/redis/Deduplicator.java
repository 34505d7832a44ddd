package dev.sluice.router.impl.redis;

import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Duplicate claims of the ingest path: an idempotency key or a signed delivery's events, claimed
 * before they are produced and settled on what the producer reported. {@link RedisDeduplicator}
 * keeps them in Redis; {@link #none()} is the router without Redis.
 */
public interface Deduplicator {

    /** What a claim found. {@code UNCHECKED}: nothing is kept to check against (no Redis configured). */
    enum Kind {
        NEW,
        REPLAY,
        IN_PROGRESS,
        UNAVAILABLE,
        UNCHECKED
    }

    /** The outcome of a claim: for {@code REPLAY}, the original id and deadline. */
    record Claim(Kind kind, String id, long deadline) {}

    /** A claim that became "accepted": duplicates within {@code ttlMillis} are answered with {@code id}. */
    record Accepted(String key, String id, long deadline, long ttlMillis) {}

    /**
     * Claims every key at once, for events to be produced under {@code newIds}; keys whose original is
     * still in flight are asked again until {@code waitMillis} is spent. Never fails: with the store
     * unreachable, every claim comes back {@code UNAVAILABLE}.
     */
    Future<List<Claim>> claimAll(List<String> keys, List<String> newIds, List<Long> ttlMillis, long waitMillis);

    /** Settles a request's claims: the accepted keys answer duplicates from now on, the released ones may be claimed again. */
    Future<Void> settleAll(List<Accepted> accepted, List<String> released);

    /**
     * Without a store: every claim comes back {@code UNCHECKED} at once, which the Deduplicate stage
     * admits (only a fail-closed source refuses, since it asked for a check nobody can make), and
     * settling keeps nothing.
     */
    static Deduplicator none() {
        return None.INSTANCE;
    }

    /** {@code sluice:idem:{<tenant>/<source>}:<key>}: the braces are the Redis Cluster hash tag. */
    static String key(String tenant, String source, String idempotencyKey) {
        return "sluice:idem:{" + tenant + "/" + source + "}:" + idempotencyKey;
    }

    /**
     * {@code sluice:replay:{<tenant>/<source>}:<digest of the verified delivery id>}: the prefix of
     * the claims of a signed delivery's events ({@code <prefix>/<index>}), in the same hash slot as
     * the source's idempotency keys. Digested once per delivery, not once per event.
     */
    static String replayPrefix(String tenant, String source, String deliveryId) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(deliveryId.getBytes(StandardCharsets.UTF_8));
            return "sluice:replay:{" + tenant + "/" + source + "}:"
                    + HexFormat.of().formatHex(h, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The deduplicator of a router without Redis. */
    enum None implements Deduplicator {
        INSTANCE;

        @Override
        public Future<List<Claim>> claimAll(
                List<String> keys, List<String> newIds, List<Long> ttlMillis, long waitMillis) {
            Claim[] out = new Claim[keys.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = new Claim(Kind.UNCHECKED, newIds.get(i), 0);
            }
            return Future.succeededFuture(List.of(out));
        }

        @Override
        public Future<Void> settleAll(List<Accepted> accepted, List<String> released) {
            return Future.succeededFuture();
        }
    }
}
