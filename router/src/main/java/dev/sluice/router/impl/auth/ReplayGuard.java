package dev.sluice.router.impl.auth;

import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Refuses a signed delivery seen before: the first request with a given signature (or webhook id)
 * per source sets {@code sluice:replay:<source>:<sha256>} with {@code SET NX PX}, kept for twice
 * the signature tolerance (a timestamp may be that far ahead of the clock and still pass); any
 * later one within that time finds the key and is refused. Shared by every router through Redis.
 */
public final class ReplayGuard {

    /** What the check found. */
    public enum Outcome { FIRST, REPLAYED, UNAVAILABLE }

    /** Redis not answering within this counts as unavailable. */
    private static final long TIMEOUT_MS = 500;

    private final RedisAPI redis;

    public ReplayGuard(RedisAPI redis) {
        this.redis = redis;
    }

    /** Never fails: Redis errors come back as {@code UNAVAILABLE}. */
    public Future<Outcome> first(String source, String replayId, long windowMillis) {
        String key = "sluice:replay:" + source + ":" + digest(replayId);
        return redis.set(List.of(key, "1", "NX", "PX", Long.toString(Math.max(1, windowMillis))))
                .timeout(TIMEOUT_MS, TimeUnit.MILLISECONDS)
                .map(resp -> resp != null ? Outcome.FIRST : Outcome.REPLAYED)
                .otherwise(Outcome.UNAVAILABLE);
    }

    private static String digest(String id) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(String.valueOf(id).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
