package dev.sluice.router;

import static dev.sluice.router.AccessStack.bearer;
import static dev.sluice.router.AccessStack.ingest;
import static dev.sluice.router.Problems.assertProblem;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Postgres;
import dev.sluice.testkit.Redis;
import dev.sluice.testkit.SluiceInfra;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * PostgreSQL stopped under two routers that share it: ingest goes on with the keys held in memory,
 * readiness and the store gauge say so, the admin API answers 503, and changes made after the
 * outage reach both routers again.
 */
@SluiceInfra
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AccessStoreOutageIT {

    private static AccessStack stack;
    private static RouterApp a;
    private static RouterApp b;
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static Postgres postgres;

    @BeforeAll
    static void start(KafkaBroker kafka, Postgres pg, Redis redis) throws Exception {
        postgres = pg;
        stack = AccessStack.start(kafka, pg, redis, "access_outage");
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
    void withPostgresStoppedIngestGoesOnWithTheKeysInMemoryAndReadinessSaysSo() throws Exception {
        assumeTrue(postgres.isEmbedded(), "needs the embedded PostgreSQL to stop it");
        String tenant = stack.admin.newTenant("pgdown-" + System.nanoTime());
        String key = stack.admin.newKey(tenant);
        String source = "s-" + tenant;
        stack.putSource(source, "{\"topic\": \"" + stack.topic + "\", \"tenant\": \"" + tenant + "\"}");
        await().atMost(Duration.ofSeconds(5))
                .until(() ->
                        ingest(b, source, "{}", "Authorization", bearer(key)).statusCode() == 202);
        postgres.stop();
        try {
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> !a.readiness()
                            .details()
                            .getJsonObject("access")
                            .getString("store")
                            .equals("live"));
            for (RouterApp r : List.of(a, b)) {
                for (int i = 0; i < 20; i++) {
                    HttpResponse<String> ok = ingest(r, source, "{\"i\":" + i + "}", "Authorization", bearer(key));
                    assertEquals(202, ok.statusCode(), ok.body());
                }
                assertProblem(ingest(r, source, "{}"), 401, "unauthorized");
                assertTrue(r.readiness().ready(), "PostgreSQL down does not make the router unready");
                assertTrue(r.readiness()
                        .details()
                        .getJsonObject("access")
                        .getString("store")
                        .startsWith("serving from memory"));
            }
            HttpResponse<String> metrics = HTTP.send(
                    HttpRequest.newBuilder(URI.create(
                                    "http://127.0.0.1:" + a.config().listen().managementPort() + "/metrics"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertTrue(metrics.body().contains("sluice_router_access_store_up 0.0"), "the gauge reports the outage");
            assertProblem(stack.admin.send("GET", "/admin/tenants", null), 503, "database-unavailable");
        } finally {
            postgres.restart();
        }
        await().atMost(Duration.ofSeconds(30))
                .until(() -> a.readiness()
                                .details()
                                .getJsonObject("access")
                                .getString("store")
                                .equals("live")
                        && b.readiness()
                                .details()
                                .getJsonObject("access")
                                .getString("store")
                                .equals("live"));
        // Changes made after the outage reach both routers again.
        String key2 = stack.admin.newKey(tenant);
        await().atMost(Duration.ofSeconds(5))
                .until(() ->
                        ingest(a, source, "{}", "Authorization", bearer(key2)).statusCode() == 202
                                && ingest(b, source, "{}", "Authorization", bearer(key2))
                                                .statusCode()
                                        == 202);
    }
}
