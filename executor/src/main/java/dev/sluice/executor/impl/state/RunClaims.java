package dev.sluice.executor.impl.state;

import dev.sluice.core.redis.TurnBatchedRedis;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claims each (event, workflow) run in Redis so that a redelivered event (after a crash or a
 * rebalance) is not run twice while it is live, and a crash loses no run. Two steps:
 * <ol>
 *   <li>{@link #claim}: {@code SET key claimed:<owner> NX PX lease} with a short lease — the run is
 *       ours, nothing has been sent yet;</li>
 *   <li>{@link #markSent}, just before the first request leaves (its connection already open):
 *       {@code claimed:<owner>} becomes {@code sent:<owner>} for the rest of the event's life.</li>
 * </ol>
 * An executor that dies between the two leaves a claim that expires within the lease, so the
 * event's next owner runs it. Once marked sent, the run is never started again. The one window
 * left is between the mark's answer and the request's write, a single event-loop turn. When
 * Redis cannot be reached, runs go ahead unclaimed, and that is counted.
 *
 * <p>The commands of one event-loop turn travel together ({@link RedisBatcher}): a poll's worth of
 * records costs one round trip for its claims, not one each.
 */
public final class RunClaims {

    private static final Logger LOG = LoggerFactory.getLogger(RunClaims.class);
    /** A claim that is not marked sent within this long was abandoned (its executor died). */
    public static final long CLAIM_LEASE_MS = 3000;

    /**
     * KEYS[1] the run; ARGV[1] our claim, ARGV[2] the sent mark, ARGV[3] TTL ms. 1 when marked: the
     * key still holds our claim, or holds nothing because our lease ran out while the run waited
     * (for a connection, say) and nobody claimed it since. 0 when another owner holds it.
     */
    private static final String SWAP = "local v = redis.call('GET', KEYS[1]) if v == ARGV[1] or not v then "
            + "redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) return 1 else return 0 end";

    /** What a claim attempt found. */
    public enum Claim {
        /** Ours to run. */
        CLAIMED,
        /** Already claimed or started elsewhere (or by us, before a rebalance): skip. */
        DUPLICATE,
        /** Redis unreachable: run unclaimed. */
        UNAVAILABLE
    }

    private final Redis redis;
    private final String claimed;
    private final String sent;
    private final Counter unavailable;
    private volatile long lastWarn;

    public RunClaims(Redis redis, String owner, MeterRegistry registry) {
        this.redis = new TurnBatchedRedis(redis);
        this.claimed = "claimed:" + owner;
        this.sent = "sent:" + owner;
        this.unavailable = Counter.builder("sluice.executor.claims.unavailable")
                .description("Runs started without a claim because Redis could not be reached").register(registry);
    }

    public static String key(String route, String eventId, String workflow) {
        return "sluice:run:" + route + ":" + eventId + ":" + workflow;
    }

    /** Claims the run. Never fails: Redis trouble is {@link Claim#UNAVAILABLE}. */
    public Future<Claim> claim(String route, String eventId, String workflow, long remainingMillis) {
        long lease = Math.max(1, Math.min(remainingMillis, CLAIM_LEASE_MS));
        return send(Request.cmd(Command.SET).arg(key(route, eventId, workflow)).arg(claimed).arg("NX").arg("PX").arg(lease))
                .map(resp -> resp == null ? Claim.DUPLICATE : Claim.CLAIMED)
                .recover(err -> {
                    unavailable(err);
                    return Future.succeededFuture(Claim.UNAVAILABLE);
                });
    }

    /**
     * Marks a claimed run as started, for the rest of the event's life. False when the claim was
     * lost (it outlived its lease and someone else claimed it): the run must not be sent. Redis
     * trouble answers true (the run goes ahead, as an unclaimed one would).
     */
    public Future<Boolean> markSent(String route, String eventId, String workflow, long remainingMillis) {
        // EVAL with the script itself (Redis caches it compiled): unlike EVALSHA it cannot meet NOSCRIPT
        // after a Redis restart, which in a batch would fail every command sent with it.
        return send(Request.cmd(Command.EVAL).arg(SWAP).arg(1).arg(key(route, eventId, workflow)).arg(claimed).arg(sent)
                        .arg(Math.max(1, remainingMillis)))
                .map(resp -> resp != null && resp.toInteger() == 1)
                .recover(err -> {
                    unavailable(err);
                    return Future.succeededFuture(true);
                });
    }

    private Future<Response> send(Request request) {
        return redis.send(request);
    }

    private void unavailable(Throwable err) {
        unavailable.increment();
        long now = System.currentTimeMillis();
        if (now - lastWarn > 10_000) {
            lastWarn = now;
            LOG.warn("Redis unreachable, running without claims: {}", err.toString());
        }
    }
}
