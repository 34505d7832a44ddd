package dev.sluice.router;

import static dev.sluice.router.AccessStack.bearer;
import static dev.sluice.router.AccessStack.ingest;
import static dev.sluice.router.Problems.assertProblem;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Postgres;
import dev.sluice.testkit.Redis;
import dev.sluice.testkit.SluiceInfra;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * API keys against real PostgreSQL, Redis and Kafka, with two routers sharing them: a key made
 * through the admin API works on both, a revoked key or tenant stops working on both within a
 * second, another tenant's key is forbidden, and a tenant's rate limit from the database is
 * enforced. PostgreSQL outages are in {@link AccessStoreOutageIT}, signed deliveries in
 * {@link SignedDeliveryIT}, the admin API's refusals in {@link AdminApiIT}.
 */
@SluiceInfra
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AccessIT {

    private static AccessStack stack;
    private static RouterApp a;
    private static RouterApp b;

    @BeforeAll
    static void start(KafkaBroker kafka, Postgres pg, Redis redis) throws Exception {
        stack = AccessStack.start(kafka, pg, redis, "access");
        a = stack.a;
        b = stack.b;
    }

    @AfterAll
    static void stop() throws Exception {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void aKeyWorksOnBothRoutersAndARevokedKeyStopsWorkingOnBothWithinASecond() throws Exception {
        String tenant = stack.admin.newTenant("acme-" + System.nanoTime());
        String key = stack.admin.newKey(tenant);
        stack.putSource("orders-" + tenant, "{\"topic\": \"" + stack.topic + "\", \"tenant\": \"" + tenant + "\"}");
        String source = "orders-" + tenant;
        await().atMost(Duration.ofSeconds(5))
                .until(() -> ingest(a, source, "{}", "Authorization", bearer(key))
                                        .statusCode()
                                == 202
                        && ingest(b, source, "{}", "Authorization", bearer(key)).statusCode() == 202);

        HttpResponse<String> none = ingest(a, source, "{}");
        assertProblem(none, 401, "unauthorized");
        assertTrue(
                none.headers().firstValue("www-authenticate").orElse("").startsWith("Bearer"),
                none.headers().toString());
        assertProblem(ingest(b, source, "{}", "Authorization", "Bearer sk_000000000000_nope"), 401, "unauthorized");
        assertProblem(ingest(b, source, "{}", "Authorization", bearer(key + "x")), 401, "unauthorized");

        String id = key.substring(3, 15);
        HttpResponse<String> revoked = stack.admin.send("DELETE", "/admin/keys/" + id, null);
        assertEquals(200, revoked.statusCode(), revoked.body());
        long t0 = System.nanoTime();
        await().atMost(Duration.ofSeconds(1))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> ingest(a, source, "{}", "Authorization", bearer(key))
                                        .statusCode()
                                == 401
                        && ingest(b, source, "{}", "Authorization", bearer(key)).statusCode() == 401);
        System.out.printf("revocation took effect on both routers after %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        HttpResponse<String> after = ingest(b, source, "{}", "Authorization", bearer(key));
        assertProblem(after, 401, "unauthorized");
        assertTrue(after.headers().firstValue("www-authenticate").orElse("").contains("invalid_token"));
    }

    @Test
    void anotherTenantsKeyIsForbiddenAndARevokedTenantsKeysStop() throws Exception {
        String owner = stack.admin.newTenant("owner-" + System.nanoTime());
        String other = stack.admin.newTenant("other-" + System.nanoTime());
        String otherKey = stack.admin.newKey(other);
        String ownerKey = stack.admin.newKey(owner);
        String source = "s-" + owner;
        stack.putSource(source, "{\"topic\": \"" + stack.topic + "\", \"tenant\": \"" + owner + "\"}");
        await().atMost(Duration.ofSeconds(5))
                .until(() -> ingest(a, source, "{}", "Authorization", bearer(otherKey))
                                .statusCode()
                        == 403);
        assertProblem(ingest(a, source, "{}", "Authorization", bearer(otherKey)), 403, "forbidden");
        assertEquals(
                202, ingest(a, source, "{}", "Authorization", bearer(ownerKey)).statusCode());
        assertEquals(
                200, stack.admin.send("DELETE", "/admin/tenants/" + owner, null).statusCode());
        await().atMost(Duration.ofSeconds(1))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> ingest(a, source, "{}", "Authorization", bearer(ownerKey))
                                .statusCode()
                        == 401);
    }

    @Test
    void aTenantsRateLimitFromTheDatabaseIsEnforcedWith429() throws Exception {
        String tenant = "limited-" + System.nanoTime();
        HttpResponse<String> created = stack.admin.send(
                "POST", "/admin/tenants", "{\"id\": \"" + tenant + "\", \"rateLimit\": {\"events\": 5}}");
        assertEquals(201, created.statusCode(), created.body());
        String key = stack.admin.newKey(tenant);
        String source = "s-" + tenant;
        stack.putSource(source, "{\"topic\": \"" + stack.topic + "\", \"tenant\": \"" + tenant + "\"}");
        await().atMost(Duration.ofSeconds(5))
                .until(() ->
                        ingest(a, source, "{}", "Authorization", bearer(key)).statusCode() != 401);
        HttpResponse<String> refused = null;
        int accepted = 0;
        for (int i = 0; i < 30 && refused == null; i++) {
            HttpResponse<String> r = ingest(i % 2 == 0 ? a : b, source, "{}", "Authorization", bearer(key));
            if (r.statusCode() == 429) {
                refused = r;
            } else {
                accepted++;
            }
        }
        assertNotNull(refused, "the tenant's limit of 5/s was never reached in 30 quick requests");
        assertTrue(accepted <= 10, "accepted " + accepted + " before the first refusal (two windows of 5 at most)");
        assertProblem(refused, 429, "rate-limited");
        assertEquals(
                "\"tenant-events\";q=5;w=1",
                refused.headers().firstValue("ratelimit-policy").orElse(""));
        assertTrue(refused.headers().firstValue("retry-after").isPresent());
    }
}
