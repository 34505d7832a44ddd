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
 * rebalance) is not run twice while it is live. The claim is one command, taken just before the
 * run's first side effect leaves (for an {@code http} step: its connection already open):
 * {@code SET key sent:<owner> NX PX <the event's remaining TTL>}. Whoever sets the key sends; an
 * owner that finds it set skips the run as a duplicate, and the key lives as long as the event.
 *
 * <p>Consequences: an executor that dies before its claim leaves no trace, so the event's next
 * owner runs it; two owners racing for one redelivered event (a rebalance) are decided by Redis,
 * and the loser sends nothing. The one window left is between the claim's answer and the
 * request's write, a single event-loop turn. When Redis cannot be reached, runs go ahead
 * unclaimed, and that is counted.
 *
 * <p>(An earlier design claimed at the start of the run with a short lease and turned the claim
 * into a "sent" mark before the first request: two commands and two round trips per run, and a
 * redelivery that met an abandoned lease skipped a run nobody had sent.)
 *
 * <p>The commands of one event-loop turn travel together ({@link TurnBatchedRedis}): a poll's
 * worth of records costs one round trip for its claims, not one each.
 */
public final class RunClaims {

    private static final Logger LOG = LoggerFactory.getLogger(RunClaims.class);

    /** What a claim attempt found. */
    public enum Claim {
        /** Ours to send. */
        CLAIMED,
        /** Already sent elsewhere (or by us, before a rebalance): skip. */
        DUPLICATE,
        /** Redis unreachable: run unclaimed. */
        UNAVAILABLE
    }

    private final Redis redis;
    private final String sent;
    private final Counter unavailable;
    private volatile long lastWarn;

    public RunClaims(Redis redis, String owner, MeterRegistry registry) {
        this(redis, owner, registry, java.time.Duration.ZERO);
    }

    /**
     * @param batchWindow how long a loop's first claim waits for others before their batch leaves
     *                    (0: at the end of the turn). Claims are taken as connections become ready,
     *                    one turn each when the executor is behind; a window gathers them into one
     *                    round trip.
     */
    public RunClaims(Redis redis, String owner, MeterRegistry registry, java.time.Duration batchWindow) {
        this.redis = new TurnBatchedRedis(redis, c -> redis, batchWindow);
        this.sent = "sent:" + owner;
        this.unavailable = Counter.builder("sluice.executor.claims.unavailable")
                .description("Runs started without a claim because Redis could not be reached").register(registry);
    }

    public static String key(String route, String eventId, String workflow) {
        return "sluice:run:" + route + ":" + eventId + ":" + workflow;
    }

    /**
     * Claims the run for the rest of its event's life; call it just before the run's first side
     * effect. Never fails: Redis trouble is {@link Claim#UNAVAILABLE}.
     */
    public Future<Claim> claim(String route, String eventId, String workflow, long remainingMillis) {
        return send(Request.cmd(Command.SET).arg(key(route, eventId, workflow)).arg(sent).arg("NX").arg("PX")
                        .arg(Math.max(1, remainingMillis)))
                .map(resp -> resp == null ? Claim.DUPLICATE : Claim.CLAIMED)
                .recover(err -> {
                    unavailable(err);
                    return Future.succeededFuture(Claim.UNAVAILABLE);
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
