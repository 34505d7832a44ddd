package dev.sluice.router.impl.ratelimit;

import dev.sluice.core.RateLimit;
import dev.sluice.core.RouteConfig;
import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Rate limits per tenant and per source, in events and payload bytes per second, held across all
 * router replicas through Redis without a round trip per event (see {@link WindowBucket}). A
 * request is admitted when every limit that applies to it has room; otherwise the answer names
 * the first limit that had none and when its window resets.
 */
public final class RateLimiter {

    /**
     * A refusal: which limit (for the {@code RateLimit} headers) and how long until it resets.
     * {@code never} when the request alone asks more than the limit's whole window holds (a body
     * larger than the bytes per second, a batch of more events than the events per second): no
     * wait admits it, so it is not worth a retry.
     */
    public record Refusal(String policy, long quota, long resetMillis, boolean never) {

        /** {@code RateLimit-Policy} (draft-ietf-httpapi-ratelimit-headers): quota per 1-second window. */
        public String policyHeader() {
            return "\"" + policy + "\";q=" + quota + ";w=1";
        }

        /** {@code RateLimit}: nothing remaining, reset in whole seconds. */
        public String limitHeader() {
            return "\"" + policy + "\";r=0;t=" + retryAfterSeconds();
        }

        public long retryAfterSeconds() {
            return Math.max(1, (resetMillis + 999) / 1000);
        }
    }

    private static final Future<Refusal> ADMITTED = Future.succeededFuture();

    private final Optional<RedisAPI> redis;
    private final Runnable degraded;
    private final LongSupplier clock;
    private final Map<String, WindowBucket> buckets = new ConcurrentHashMap<>();

    /**
     * Windows shared through {@code redis}, or counted per process without it; {@code degraded} is
     * called each time a lease falls back to local counting (Redis unreachable).
     */
    public RateLimiter(Optional<RedisAPI> redis, Runnable degraded) {
        this(redis, degraded, System::currentTimeMillis);
    }

    /** The same, with the windows measured on {@code clock} (epoch milliseconds). */
    RateLimiter(Optional<RedisAPI> redis, Runnable degraded, LongSupplier clock) {
        this.redis = redis;
        this.degraded = degraded;
        this.clock = clock;
    }

    /** Whether any limit applies, so the caller can skip the call entirely. */
    public static boolean limited(RouteConfig route, RateLimit tenant) {
        return route.rateLimit() != null || tenant != null;
    }

    /** Null (as a result) when admitted. Never fails. */
    public Future<Refusal> admit(RouteConfig route, RateLimit tenant, long events, long bytes) {
        List<Charge> charges = new ArrayList<>(4);
        if (tenant != null) {
            add(charges, "tenant-events", tenantKey(route.tenant(), "e"), tenant.eventsPerSecond(), events);
            add(charges, "tenant-bytes", tenantKey(route.tenant(), "b"), tenant.bytesPerSecond(), bytes);
        }
        RateLimit source = route.rateLimit();
        if (source != null) {
            add(
                    charges,
                    "source-events",
                    sourceKey(route.tenant(), route.source(), "e"),
                    source.eventsPerSecond(),
                    events);
            add(
                    charges,
                    "source-bytes",
                    sourceKey(route.tenant(), route.source(), "b"),
                    source.bytesPerSecond(),
                    bytes);
        }
        for (Charge c : charges) {
            if (c.amount > c.bucket.limit) {
                return Future.succeededFuture(new Refusal(c.policy, c.bucket.limit, 0, true));
            }
        }
        return charges.isEmpty() ? ADMITTED : next(charges, 0);
    }

    /**
     * {@code sluice:rl:{t/<tenant>}:<e|b>}: a tenant's shared window. The braces are the Redis
     * Cluster hash tag; each lease script touches only this one key.
     */
    static String tenantKey(String tenant, String unit) {
        return "sluice:rl:{t/" + tenant + "}:" + unit;
    }

    /** {@code sluice:rl:{<tenant>/<source>}:<e|b>}: a source's shared window (the same hash tag as its idempotency keys). */
    static String sourceKey(String tenant, String source, String unit) {
        return "sluice:rl:{" + tenant + "/" + source + "}:" + unit;
    }

    private void add(List<Charge> charges, String policy, String id, long limit, long amount) {
        if (limit > 0) {
            WindowBucket b = buckets.computeIfAbsent(
                    id + ":" + limit, k -> new WindowBucket(redis, id + ":" + limit, limit, degraded, clock));
            charges.add(new Charge(policy, b, amount));
        }
    }

    private Future<Refusal> next(List<Charge> charges, int i) {
        if (i == charges.size()) {
            return ADMITTED;
        }
        Charge c = charges.get(i);
        return c.bucket.acquire(c.amount).compose(wait -> {
            if (wait == 0) {
                return next(charges, i + 1);
            }
            for (int j = 0; j < i; j++) {
                charges.get(j).bucket.refund(charges.get(j).amount);
            }
            return Future.succeededFuture(new Refusal(c.policy, c.bucket.limit, wait, false));
        });
    }

    private record Charge(String policy, WindowBucket bucket, long amount) {}
}
