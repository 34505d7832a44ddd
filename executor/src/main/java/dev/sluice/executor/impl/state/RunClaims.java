package dev.sluice.executor.impl.state;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.RedisAPI;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claims each (event, workflow) run in Redis before it starts, for the event's remaining
 * lifetime, so that a redelivered event (after a crash or a rebalance) is not run twice while it
 * is live. A claim is {@code running:<owner>} until the run ends, then {@code done:<owner>}.
 * Each executor keeps a liveness key alive while it runs; a run left {@code running} by an owner
 * whose liveness key has expired (it crashed) is taken over and run again, so a crash loses no
 * event. The remaining duplicate window is a crash between the target's answer and the
 * {@code done} mark. When Redis cannot be reached, runs go ahead unclaimed, and that is counted.
 */
public final class RunClaims {

    private static final Logger LOG = LoggerFactory.getLogger(RunClaims.class);
    private static final String ALIVE_PREFIX = "sluice:alive:";
    private static final long ALIVE_TTL_MS = 5000;

    /**
     * KEYS[1] the run; ARGV[1] the new value, ARGV[2] TTL ms, ARGV[3] this owner, ARGV[4] the
     * liveness prefix. Answers claimed, taken-over, done, busy or mine.
     */
    private static final String CLAIM = String.join("\n",
            "local v = redis.call('GET', KEYS[1])",
            "if not v then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 'claimed' end",
            "if string.sub(v, 1, 5) == 'done:' then return 'done' end",
            "local owner = string.sub(v, 9)",
            "if owner == ARGV[3] then return 'mine' end",
            "if redis.call('EXISTS', ARGV[4] .. owner) == 1 then return 'busy' end",
            "redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])",
            "return 'taken-over'");

    /** What a claim attempt found. */
    public enum Claim {
        /** Ours to run. */
        CLAIMED,
        /** Its previous owner died with the run unfinished: ours to run again. */
        TAKEN_OVER,
        /** Already run, or running in a live executor: skip. */
        DUPLICATE,
        /** Redis unreachable: run unclaimed. */
        UNAVAILABLE
    }

    private final Vertx vertx;
    private final RedisAPI redis;
    private final String owner;
    private final Counter unavailable;
    private final Counter takenOver;
    private long heartbeat = -1;
    private volatile long lastWarn;

    public RunClaims(Vertx vertx, RedisAPI redis, String owner, MeterRegistry registry) {
        this.vertx = vertx;
        this.redis = redis;
        this.owner = owner;
        this.unavailable = Counter.builder("sluice.executor.claims.unavailable")
                .description("Runs started without a claim because Redis could not be reached").register(registry);
        this.takenOver = Counter.builder("sluice.executor.claims.taken.over")
                .description("Runs taken over from an executor that died before finishing them").register(registry);
    }

    public static String key(String route, String eventId, String workflow) {
        return "sluice:run:" + route + ":" + eventId + ":" + workflow;
    }

    /** Starts the liveness heartbeat; the first beat completes the returned future. */
    public Future<Void> start() {
        heartbeat = vertx.setPeriodic(1000, id -> beat());
        return beat();
    }

    private Future<Void> beat() {
        return redis.set(List.of(ALIVE_PREFIX + owner, "1", "PX", Long.toString(ALIVE_TTL_MS))).<Void>mapEmpty()
                .recover(err -> {
                    warn("Redis unreachable for the liveness key: " + err);
                    return Future.succeededFuture();
                });
    }

    /** Claims the run for {@code ttlMillis}. Never fails: Redis trouble is {@link Claim#UNAVAILABLE}. */
    public Future<Claim> claim(String route, String eventId, String workflow, long ttlMillis) {
        return redis.eval(List.of(CLAIM, "1", key(route, eventId, workflow), "running:" + owner,
                        Long.toString(Math.max(1, ttlMillis)), owner, ALIVE_PREFIX))
                .map(resp -> switch (resp.toString()) {
                    case "claimed" -> Claim.CLAIMED;
                    case "taken-over" -> {
                        takenOver.increment();
                        yield Claim.TAKEN_OVER;
                    }
                    default -> Claim.DUPLICATE;
                })
                .recover(err -> {
                    unavailable.increment();
                    warn("Redis unreachable, running without claims: " + err);
                    return Future.succeededFuture(Claim.UNAVAILABLE);
                });
    }

    /** Marks the run done for the rest of the event's life. Never fails. */
    public Future<Void> done(String route, String eventId, String workflow, long ttlMillis) {
        if (ttlMillis <= 0) {
            return Future.succeededFuture();
        }
        return redis.set(List.of(key(route, eventId, workflow), "done:" + owner, "PX", Long.toString(ttlMillis))).<Void>mapEmpty()
                .recover(err -> Future.succeededFuture());
    }

    /** Stops the heartbeat and removes the liveness key (a clean stop leaves nothing to take over). */
    public Future<Void> close() {
        if (heartbeat >= 0) {
            vertx.cancelTimer(heartbeat);
        }
        return redis.del(List.of(ALIVE_PREFIX + owner)).<Void>mapEmpty().recover(err -> Future.succeededFuture());
    }

    private void warn(String message) {
        long now = System.currentTimeMillis();
        if (now - lastWarn > 10_000) {
            lastWarn = now;
            LOG.warn(message);
        }
    }
}
