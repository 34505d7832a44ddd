package dev.sluice.executor.impl.state;

import dev.sluice.core.WorkflowConfig.Delivery;
import dev.sluice.core.redis.TurnBatchedRedis;
import dev.sluice.executor.impl.ExecutorMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claims each (event, workflow) run in Redis just before its first side effect, so that a
 * redelivered event (after a crash or a rebalance) is not run twice while its run is live, and a
 * run whose owner died is not lost either.
 *
 * <p><b>At-least-once</b> (the default): the claim is a lease, {@code run|<owner>|<until>|<sends>},
 * held for the step's timeout plus a margin and renewed before each later side effect. When the run
 * is decided (succeeded or dead-lettered) it becomes {@code done|<owner>}. Another owner that meets
 * the key: {@code done} skips the run as a duplicate; a live lease waits (a healthy owner is still
 * working: it will finish or its lease will lapse) within the event's deadline; a lapsed lease is
 * taken over and the run is re-sent, with the same {@code webhook-id}, as send number
 * {@code sends + 1}. Times are Redis's own ({@code TIME}), so executors' clocks do not matter.
 *
 * <p><b>At-most-once</b>: the key is set once, with a token of this claim; whoever finds it set
 * by another claim skips the run, even when its owner died before sending: a run is never sent
 * twice, and may be lost. It is never sent unclaimed either: while Redis does not answer, the
 * claim is asked again until the deadline.
 *
 * <p>Each key lives as long as its event. When Redis cannot be reached, runs go ahead unclaimed,
 * and that is counted. Commands of one event-loop turn travel together ({@link TurnBatchedRedis}).
 */
public final class RedisRunClaims implements RunClaims {

    private static final Logger LOG = LoggerFactory.getLogger(RedisRunClaims.class);

    /** Returns {state, n}: claimed 1, resend sends, done 0, or held (ms left on the lease). */
    private static final String CLAIM = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local v = redis.call('GET', KEYS[1])
            if not v then
              redis.call('SET', KEYS[1], 'run|' .. ARGV[1] .. '|' .. (now + tonumber(ARGV[2])) .. '|1', 'PX', ARGV[3])
              return {'claimed', 1}
            end
            local owner, untilMs, sends = string.match(v, '^run|(.*)|(%d+)|(%d+)$')
            if not owner then
              return {'done', 0}
            end
            if tonumber(untilMs) > now then
              return {'held', tonumber(untilMs) - now}
            end
            local n = tonumber(sends) + 1
            redis.call('SET', KEYS[1], 'run|' .. ARGV[1] .. '|' .. (now + tonumber(ARGV[2])) .. '|' .. n, 'PX', ARGV[3])
            return {'resend', n}
            """;

    /** Extends the lease if it is still this owner's: 1, else 0. */
    private static final String RENEW = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local v = redis.call('GET', KEYS[1])
            if not v then
              return 0
            end
            local owner, untilMs, sends = string.match(v, '^run|(.*)|(%d+)|(%d+)$')
            if owner ~= ARGV[1] then
              return 0
            end
            redis.call('SET', KEYS[1], 'run|' .. owner .. '|' .. (now + tonumber(ARGV[2])) .. '|' .. sends, 'PX', ARGV[3])
            return 1
            """;

    /**
     * At-most-once: sets the key unless it is set; a retry of a claim whose first answer was lost
     * finds its own token and still owns the run. 1 if ours, else 0.
     */
    private static final String CLAIM_ONCE = """
            local v = redis.call('GET', KEYS[1])
            if not v then
              redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
              return 1
            end
            if v == ARGV[1] then
              return 1
            end
            return 0
            """;

    private final Vertx vertx;
    private final Redis redis;
    private final String owner;
    private final Counter unavailable;
    private final Counter takenOver;
    private final long timeoutMillis;
    private volatile long lastWarn;

    public RedisRunClaims(Vertx vertx, Redis redis, String owner, MeterRegistry registry) {
        this(vertx, redis, owner, registry, java.time.Duration.ZERO, java.time.Duration.ofMillis(500));
    }

    /**
     * @param batchWindow how long a loop's first claim waits for others before their batch leaves
     *                    (0: at the end of the turn). Claims are taken as connections become ready,
     *                    one turn each when the executor is behind; a window gathers them into one
     *                    round trip.
     * @param timeout     how long one command waits for Redis's answer before Redis counts as unreachable
     */
    public RedisRunClaims(
            Vertx vertx,
            Redis redis,
            String owner,
            MeterRegistry registry,
            java.time.Duration batchWindow,
            java.time.Duration timeout) {
        this.timeoutMillis = Math.max(1, timeout.toMillis());
        this.vertx = vertx;
        this.redis = new TurnBatchedRedis(redis, c -> redis, batchWindow);
        this.owner = owner;
        this.unavailable = ExecutorMetrics.counter(
                registry,
                "sluice.executor.claims.unavailable",
                "Runs started without a claim because Redis could not be reached");
        this.takenOver = ExecutorMetrics.counter(
                registry,
                "sluice.executor.claims.taken.over",
                "Abandoned run leases taken over (the run is re-sent with the same webhook-id)");
    }

    /**
     * Claims the run just before its first side effect. {@code leaseMillis} is how long the lease
     * lasts unrenewed (the step's timeout plus a margin), {@code deadline} the event's (epoch ms):
     * the key lives until then, and a live lease of another owner is waited for until then. Never
     * fails. Redis trouble (no answer within the claim timeout) is {@link State#UNAVAILABLE} for an
     * at-least-once run, which goes ahead with its webhook-id; an at-most-once run asks again until
     * its deadline and then gets {@link State#UNREACHABLE}: it is never sent unclaimed.
     */
    @Override
    public Future<Claim> claim(
            String route, String eventId, String workflow, Delivery delivery, long leaseMillis, long deadline) {
        String key = RunClaims.key(route, eventId, workflow);
        if (delivery == Delivery.AT_MOST_ONCE) {
            return atMostOnce(
                    key,
                    "sent|" + owner + "|"
                            + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current()
                                    .nextLong()),
                    deadline,
                    Claim.TOO_LATE);
        }
        return leased(key, leaseMillis, deadline, Claim.TOO_LATE).recover(err -> {
            unavailable(err);
            return Future.succeededFuture(Claim.UNAVAILABLE);
        });
    }

    /** {@code late}: the answer when the deadline has passed (too late to ask, or Redis never answered). */
    private Future<Claim> atMostOnce(String key, String token, long deadline, Claim late) {
        long remaining = deadline - System.currentTimeMillis();
        if (remaining <= 0) {
            return Future.succeededFuture(late);
        }
        return redis.send(Request.cmd(Command.EVAL)
                        .arg(CLAIM_ONCE)
                        .arg(1)
                        .arg(key)
                        .arg(token)
                        .arg(remaining))
                .timeout(timeoutMillis, TimeUnit.MILLISECONDS)
                .map(resp -> resp.toInteger() == 1 ? Claim.CLAIMED : Claim.DUPLICATE)
                .recover(err -> {
                    unavailable(err);
                    long wait = Math.min(timeoutMillis, deadline - System.currentTimeMillis());
                    return wait <= 0
                            ? Future.succeededFuture(Claim.UNREACHABLE)
                            : vertx.timer(wait).compose(t -> atMostOnce(key, token, deadline, Claim.UNREACHABLE));
                });
    }

    /** {@code late}: the answer when the deadline has passed (too late to ask, or another's lease was still live). */
    private Future<Claim> leased(String key, long leaseMillis, long deadline, Claim late) {
        long remaining = deadline - System.currentTimeMillis();
        if (remaining <= 0) {
            return Future.succeededFuture(late);
        }
        return eval(CLAIM, key, Long.toString(leaseMillis), Long.toString(remaining))
                .compose(resp -> {
                    String state = resp.get(0).toString();
                    long n = resp.get(1).toLong();
                    switch (state) {
                        case "claimed":
                            return Future.succeededFuture(Claim.CLAIMED);
                        case "resend":
                            takenOver.increment();
                            return Future.succeededFuture(new Claim(State.RESEND, (int) n));
                        case "done":
                            return Future.succeededFuture(Claim.DUPLICATE);
                        default:
                            // Another owner's live lease: ask again when it would lapse, never past the deadline.
                            long wait = Math.min(n + 5, deadline - System.currentTimeMillis());
                            if (wait <= 0) {
                                return Future.succeededFuture(Claim.HELD);
                            }
                            return vertx.timer(wait).compose(t -> leased(key, leaseMillis, deadline, Claim.HELD));
                    }
                });
    }

    /**
     * Extends this owner's lease before a later side effect of the same run; false when the lease
     * is no longer ours (it lapsed and was taken over). Redis trouble answers true (counted).
     */
    @Override
    public Future<Boolean> renew(String route, String eventId, String workflow, long leaseMillis, long deadline) {
        long remaining = Math.max(1, deadline - System.currentTimeMillis());
        return eval(
                        RENEW,
                        RunClaims.key(route, eventId, workflow),
                        Long.toString(leaseMillis),
                        Long.toString(remaining))
                .map(resp -> resp.toInteger() == 1)
                .recover(err -> {
                    unavailable(err);
                    return Future.succeededFuture(true);
                });
    }

    /** Marks the run decided, so that a redelivery skips it. Best effort: a lost mark means a counted re-send. */
    @Override
    public Future<Void> done(String route, String eventId, String workflow, long deadline) {
        long remaining = Math.max(1, deadline - System.currentTimeMillis());
        return redis.send(Request.cmd(Command.SET)
                        .arg(RunClaims.key(route, eventId, workflow))
                        .arg("done|" + owner)
                        .arg("XX")
                        .arg("PX")
                        .arg(remaining))
                .timeout(timeoutMillis, TimeUnit.MILLISECONDS)
                .<Void>mapEmpty()
                .recover(err -> Future.succeededFuture());
    }

    private Future<Response> eval(String script, String key, String leaseMillis, String ttlMillis) {
        return redis.send(Request.cmd(Command.EVAL)
                        .arg(script)
                        .arg(1)
                        .arg(key)
                        .arg(owner)
                        .arg(leaseMillis)
                        .arg(ttlMillis))
                .timeout(timeoutMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public String describe() {
        return "redis";
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
