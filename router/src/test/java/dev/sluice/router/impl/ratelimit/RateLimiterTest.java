package dev.sluice.router.impl.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.Catalog;
import dev.sluice.core.RateLimit;
import dev.sluice.core.RouteConfig;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Without Redis the limits hold per process; the arithmetic is the same as with leases. */
class RateLimiterTest {

    /** A clock standing at the start of a second, so a test's requests fall in one window without waiting for one. */
    private final AtomicLong now = new AtomicLong(1_767_225_600_000L);

    private final RateLimiter limiter = new RateLimiter(java.util.Optional.empty(), () -> {}, now::get);

    private static RouteConfig route(String limits) {
        return Catalog.parseRoute(
                new JsonObject("{\"source\": \"s\", \"tenant\": \"acme\", \"rateLimit\": " + limits + "}"));
    }

    private RateLimiter.Refusal admit(RouteConfig route, RateLimit tenant, long events, long bytes) {
        return limiter.admit(route, tenant, events, bytes).result();
    }

    @Test
    void anEventLimitAdmitsItsQuotaInAWindowAndThenRefusesWithTheHeaders() {
        RouteConfig r = route("{\"events\": 10}");
        for (int i = 0; i < 10; i++) {
            assertNull(admit(r, null, 1, 100), "event " + i);
        }
        RateLimiter.Refusal refused = admit(r, null, 1, 100);
        assertNotNull(refused);
        assertEquals("source-events", refused.policy());
        assertEquals("\"source-events\";q=10;w=1", refused.policyHeader());
        assertEquals("\"source-events\";r=0;t=1", refused.limitHeader());
        assertEquals(1, refused.retryAfterSeconds());
        // The next second is a new window with the whole quota.
        now.addAndGet(1000);
        for (int i = 0; i < 10; i++) {
            assertNull(admit(r, null, 1, 100), "next window, event " + i);
        }
        assertNotNull(admit(r, null, 1, 100));
    }

    @Test
    void aBatchIsChargedPerEventAndBytesAreLimitedToo() {
        RouteConfig r = route("{\"events\": 100, \"bytes\": 1000}");
        assertNull(admit(r, null, 50, 600));
        RateLimiter.Refusal bytes = admit(r, null, 10, 600);
        assertNotNull(bytes);
        assertEquals("source-bytes", bytes.policy());
        // The events taken for the refused request were given back.
        assertNull(admit(r, null, 50, 400));
        assertEquals("source-events", admit(r, null, 1, 0).policy());
    }

    @Test
    void theTenantsLimitAppliesBeforeTheSources() {
        RouteConfig r = route("{\"events\": 100}");
        RateLimit tenant = new RateLimit(3, 0);
        for (int i = 0; i < 3; i++) {
            assertNull(admit(r, tenant, 1, 1));
        }
        assertEquals("tenant-events", admit(r, tenant, 1, 1).policy());
        assertTrue(RateLimiter.limited(r, null));
        assertTrue(!RateLimiter.limited(Catalog.parseRoute(new JsonObject("{\"source\": \"x\"}")), null));
    }

    @Test
    void aRequestLargerThanAWholeWindowIsRefusedAsNeverAdmissible() {
        RouteConfig r = route("{\"events\": 100, \"bytes\": 1000}");
        RateLimiter.Refusal body = admit(r, null, 1, 1001);
        assertNotNull(body);
        assertTrue(body.never());
        assertEquals("source-bytes", body.policy());
        RateLimiter.Refusal batch = admit(r, null, 101, 10);
        assertTrue(batch.never());
        assertEquals("source-events", batch.policy());
        RateLimiter.Refusal tenant = admit(route("{\"events\": 100}"), new RateLimit(0, 500), 1, 501);
        assertTrue(tenant.never());
        assertEquals("tenant-bytes", tenant.policy());
        // Nothing was charged: the whole window is still there.
        assertNull(admit(r, null, 1, 1000));
    }

    @Test
    void theKeysOfOneLimitShareAClusterHashTag() {
        assertEquals("sluice:rl:{t/acme}:e", RateLimiter.tenantKey("acme", "e"));
        assertEquals("sluice:rl:{acme/orders}:b", RateLimiter.sourceKey("acme", "orders", "b"));
    }
}
