package dev.sluice.router.impl.ratelimit;

import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * One limit (say, a tenant's events per second) as seen by one router process. All replicas share
 * a per-second window in Redis; this process leases tokens from it in slices (a Lua script grants
 * up to the slice from what the window has left) and spends them locally, so Redis sees one round
 * trip per slice, not per event. Tokens left when the window ends are dropped. Requests that arrive
 * while a lease is in flight wait for it. When Redis is unreachable the bucket grants locally up to
 * the whole limit per second (per process) and counts that as degraded.
 *
 * <p>Thread-safe: shared by every event loop of the process.
 */
final class WindowBucket {

    /**
     * KEYS[1] the limit's key, a hash holding the current window ({@code w}, Redis's own clock second,
     * so replicas with skewed clocks still share one window) and the tokens granted in it
     * ({@code u}); ARGV[1] the limit per second; ARGV[2] tokens wanted. Touches no key but KEYS[1],
     * so it runs on Redis Cluster. Returns the tokens granted and the milliseconds left in the window.
     */
    static final String SCRIPT = String.join(
            "\n",
            "local t = redis.call('TIME')",
            "local k = KEYS[1]",
            "local left = 1000 - math.floor(tonumber(t[2]) / 1000)",
            "local cur = redis.call('HMGET', k, 'w', 'u')",
            "local used = 0",
            "if cur[1] == t[1] then used = tonumber(cur[2] or '0') end",
            "local grant = math.min(tonumber(ARGV[2]), tonumber(ARGV[1]) - used)",
            "if grant < 0 then grant = 0 end",
            "if grant > 0 or cur[1] ~= t[1] then",
            "  redis.call('HSET', k, 'w', t[1], 'u', used + grant)",
            "  redis.call('PEXPIRE', k, 3000)",
            "end",
            "return {grant, left}");

    /** Spread a window over this many slices: few enough Redis calls, little left unspent at the window's end. */
    static final int SLICES_PER_WINDOW = 20;
    /** A lease Redis does not answer within this counts as Redis unreachable (a request never waits longer). */
    static final long LEASE_TIMEOUT_MS = 250;

    private static final Future<Long> ADMITTED = Future.succeededFuture(0L);

    private final Optional<RedisAPI> redis;
    private final String key;
    final long limit;
    private final long slice;
    private final Runnable degraded;
    /** Epoch milliseconds; the wall clock, or a test's. */
    private final LongSupplier clock;

    private long tokens;
    private long windowEnd;
    private boolean exhausted;
    private long localGranted;
    private Future<Void> lease;

    WindowBucket(Optional<RedisAPI> redis, String key, long limit, Runnable degraded, LongSupplier clock) {
        this.clock = clock;
        this.redis = redis;
        this.key = key;
        this.limit = limit;
        this.slice = Math.max(1, (limit + SLICES_PER_WINDOW - 1) / SLICES_PER_WINDOW);
        this.degraded = degraded;
    }

    /** Takes {@code n} tokens: 0 when admitted, else the milliseconds until the window resets. */
    Future<Long> acquire(long n) {
        Future<Void> waitFor;
        synchronized (this) {
            long now = clock.getAsLong();
            roll(now);
            if (tokens >= n) {
                tokens -= n;
                return ADMITTED;
            }
            if (exhausted || n > limit) {
                return Future.succeededFuture(Math.max(1, windowEnd - now));
            }
            if (lease == null) {
                Future<Void> started = lease(Math.max(n - tokens, slice));
                if (started.isComplete()) {
                    if (tokens >= n) {
                        tokens -= n;
                        return ADMITTED;
                    }
                    return Future.succeededFuture(Math.max(1, windowEnd - now));
                }
                lease = started;
            }
            waitFor = lease;
        }
        return waitFor.compose(v -> acquire(n));
    }

    /** Gives back tokens taken for a request that another limit refused. */
    synchronized void refund(long n) {
        tokens += n;
    }

    /** Milliseconds until the current window ends (at least 1). */
    synchronized long resetMillis() {
        return Math.max(1, windowEnd - clock.getAsLong());
    }

    private void roll(long now) {
        if (now >= windowEnd) {
            tokens = 0;
            exhausted = false;
            localGranted = 0;
            windowEnd = now - now % 1000 + 1000;
        }
    }

    /** A lease from the shared window in Redis; without Redis the limit holds per process. */
    private Future<Void> lease(long want) {
        return redis.map(r -> lease(r, want)).orElseGet(() -> {
            roll(clock.getAsLong());
            leaseLocally(want);
            return Future.succeededFuture();
        });
    }

    /** Tokens granted from this process's own count of the window. */
    private void leaseLocally(long want) {
        long granted = Math.max(0, Math.min(want, limit - localGranted));
        localGranted += granted;
        tokens += granted;
        exhausted = granted < want;
    }

    private Future<Void> lease(RedisAPI redis, long want) {
        long sent = clock.getAsLong();
        return redis.eval(List.of(SCRIPT, "1", key, Long.toString(limit), Long.toString(want)))
                .timeout(LEASE_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                .transform(ar -> {
                    synchronized (this) {
                        long now = clock.getAsLong();
                        lease = null;
                        if (ar.succeeded()) {
                            Response r = ar.result();
                            long granted = r.get(0).toLong();
                            // The script ran between sent and now; counting the window's end from sent never
                            // spends a window's tokens after it ended (which would let replicas overshoot).
                            long end = sent + r.get(1).toLong();
                            if (now >= end) {
                                // Granted for a window that is already over: those tokens are lost, ask again.
                                windowEnd = end;
                                roll(now);
                            } else {
                                if (end > windowEnd + 500) {
                                    // A newer shared window: what was leased for the previous one is gone.
                                    tokens = 0;
                                    localGranted = 0;
                                }
                                windowEnd = end;
                                exhausted = granted < want;
                                tokens += granted;
                            }
                        } else {
                            degraded.run();
                            roll(now);
                            leaseLocally(want);
                        }
                    }
                    return Future.succeededFuture();
                });
    }
}
