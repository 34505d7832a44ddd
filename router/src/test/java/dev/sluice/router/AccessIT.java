package dev.sluice.router;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sluice.core.Catalog;
import dev.sluice.core.EventRecords;
import dev.sluice.core.KafkaConfig;
import dev.sluice.core.Settings;
import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Ports;
import dev.sluice.testkit.Postgres;
import dev.sluice.testkit.Redis;
import dev.sluice.testkit.SluiceInfra;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Tenants, API keys and stored sources against real PostgreSQL, Redis and Kafka, with two routers
 * sharing them: keys made through the admin API work on both, a revoked key stops working on both
 * within a second, ingest goes on with the keys in memory while PostgreSQL is down, and signed
 * deliveries cannot be replayed. The admin API's refusals are in {@link AdminApiIT}.
 */
@SluiceInfra
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AccessIT {

    private static final String TOPIC = "it.access.events";
    private static final String ADMIN_KEY = "admin-" + System.nanoTime();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static Postgres postgres;
    private static KafkaBroker kafka;
    private static Vertx vertx;
    private static RouterApp a;
    private static RouterApp b;

    @BeforeAll
    static void start(KafkaBroker broker, Postgres pg, Redis redis) throws Exception {
        kafka = broker;
        postgres = pg;
        kafka.createTopic(TOPIC, 3, Duration.ofMinutes(10));
        String db = pg.createDatabase("access_it");
        Catalog catalog = Catalog.parse(
                new JsonObject("{\"routes\": [{\"source\": \"file-public\", \"topic\": \"" + TOPIC + "\"}]}"));
        vertx = Vertx.vertx();
        a = router(catalog, db, redis);
        b = router(catalog, db, redis);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> a.readiness().ready() && b.readiness().ready());
    }

    private static RouterApp router(Catalog catalog, String db, Redis redis) throws Exception {
        RouterConfig config = RouterConfig.from(Settings.of(Map.of("router.instances", "1"))).toBuilder()
                .ports("127.0.0.1", Ports.freePort(), Ports.freePort())
                .redis(redis.uri())
                .postgres(db)
                .adminKey(ADMIN_KEY)
                .build();
        return RouterApp.start(
                        vertx,
                        config,
                        KafkaConfig.of(kafka.bootstrapServers()),
                        catalog,
                        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))
                .toCompletionStage()
                .toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() throws Exception {
        for (RouterApp r : new RouterApp[] {a, b}) {
            if (r != null) {
                r.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    // --- helpers -------------------------------------------------------------------------------

    static HttpResponse<String> admin(RouterApp r, String method, String path, String body, String key)
            throws Exception {
        HttpRequest.Builder req = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + r.config().listen().managementPort() + path))
                .timeout(Duration.ofSeconds(10))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            req.header("Authorization", "Bearer " + key);
        }
        return ContractCheck.check(HTTP.send(req.build(), HttpResponse.BodyHandlers.ofString()));
    }

    static HttpResponse<String> admin(String method, String path, String body) throws Exception {
        return admin(a, method, path, body, ADMIN_KEY);
    }

    static HttpResponse<String> ingest(RouterApp r, String source, String body, String... headers) throws Exception {
        HttpRequest.Builder req = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + r.config().listen().port() + "/v1/events/" + source))
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            req.header(headers[i], headers[i + 1]);
        }
        return ContractCheck.check(HTTP.send(req.build(), HttpResponse.BodyHandlers.ofString()));
    }

    static String bearer(String key) {
        return "Bearer " + key;
    }

    static void assertProblem(HttpResponse<String> r, int status, String reason) {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals(
                "application/problem+json",
                r.headers().firstValue("content-type").orElse(""));
        JsonObject p = new JsonObject(r.body());
        assertEquals(reason, p.getString("reason"), r.body());
        assertEquals(status, p.getInteger("status"));
        assertNotNull(p.getString("detail"));
    }

    static String newTenant(String id) throws Exception {
        HttpResponse<String> r = admin("POST", "/admin/tenants", "{\"id\": \"" + id + "\"}");
        assertEquals(201, r.statusCode(), r.body());
        return id;
    }

    static String newKey(String tenant) throws Exception {
        HttpResponse<String> r = admin("POST", "/admin/tenants/" + tenant + "/keys", "{\"name\": \"test\"}");
        assertEquals(201, r.statusCode(), r.body());
        return new JsonObject(r.body()).getString("key");
    }

    static void putSource(String source, String definition) throws Exception {
        HttpResponse<String> r = admin("PUT", "/admin/sources/" + source, definition);
        assertEquals(200, r.statusCode(), r.body());
        await().atMost(Duration.ofSeconds(10))
                .until(() -> ingest(a, source, "{}").statusCode() != 404
                        && ingest(b, source, "{}").statusCode() != 404);
    }

    // --- tests ---------------------------------------------------------------------------------

    @Test
    void aKeyWorksOnBothRoutersAndARevokedKeyStopsWorkingOnBothWithinASecond() throws Exception {
        String tenant = newTenant("acme-" + System.nanoTime());
        String key = newKey(tenant);
        putSource("orders-" + tenant, "{\"topic\": \"" + TOPIC + "\", \"tenant\": \"" + tenant + "\"}");
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
        HttpResponse<String> revoked = admin("DELETE", "/admin/keys/" + id, null);
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
        String owner = newTenant("owner-" + System.nanoTime());
        String other = newTenant("other-" + System.nanoTime());
        String otherKey = newKey(other);
        String ownerKey = newKey(owner);
        String source = "s-" + owner;
        putSource(source, "{\"topic\": \"" + TOPIC + "\", \"tenant\": \"" + owner + "\"}");
        await().atMost(Duration.ofSeconds(5))
                .until(() -> ingest(a, source, "{}", "Authorization", bearer(otherKey))
                                .statusCode()
                        == 403);
        assertProblem(ingest(a, source, "{}", "Authorization", bearer(otherKey)), 403, "forbidden");
        assertEquals(
                202, ingest(a, source, "{}", "Authorization", bearer(ownerKey)).statusCode());
        assertEquals(200, admin("DELETE", "/admin/tenants/" + owner, null).statusCode());
        await().atMost(Duration.ofSeconds(1))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> ingest(a, source, "{}", "Authorization", bearer(ownerKey))
                                .statusCode()
                        == 401);
    }

    @Test
    void withPostgresStoppedIngestGoesOnWithTheKeysInMemoryAndReadinessSaysSo() throws Exception {
        assumeTrue(postgres.isEmbedded(), "needs the embedded PostgreSQL to stop it");
        String tenant = newTenant("pgdown-" + System.nanoTime());
        String key = newKey(tenant);
        String source = "s-" + tenant;
        putSource(source, "{\"topic\": \"" + TOPIC + "\", \"tenant\": \"" + tenant + "\"}");
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
            assertProblem(admin("GET", "/admin/tenants", null), 503, "database-unavailable");
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
        String key2 = newKey(tenant);
        await().atMost(Duration.ofSeconds(5))
                .until(() ->
                        ingest(a, source, "{}", "Authorization", bearer(key2)).statusCode() == 202
                                && ingest(b, source, "{}", "Authorization", bearer(key2))
                                                .statusCode()
                                        == 202);
    }

    @Test
    void aSignedPublicSourceAnswersReplaysWithTheOriginalOnEitherRouterAndRefusesBadSignatures() throws Exception {
        String tenant = newTenant("signed-" + System.nanoTime());
        String source = "hooks-" + tenant;
        putSource(
                source,
                "{\"topic\": \"" + TOPIC + "\", \"tenant\": \"" + tenant + "\", \"auth\": \"public\", "
                        + "\"signature\": {\"scheme\": \"sluice\", \"secrets\": [\"old\", \"new\"], \"tolerance\": \"2m\"}}");
        String body = "{\"paid\": 10}";
        long now = System.currentTimeMillis() / 1000;
        String mac = hmac("new", now + "." + body);
        String sig = "t=" + now + ",v1=" + mac;
        HttpResponse<String> first = ingest(a, source, body, "Sluice-Signature", sig);
        assertEquals(202, first.statusCode(), first.body());
        String id = new JsonObject(first.body()).getString("id");
        // The same delivery, spelled as the scheme allows: every one is the original, answered with its id, never a new
        // event.
        for (String spelling : List.of(
                sig,
                sig + ",v1=00",
                sig + ",v1=" + hmac("old", "other"),
                "v1=" + mac + ",t=" + now,
                " t=" + now + " , v1=" + mac + " ",
                "t=" + now + ",v0=junk,v1=" + mac)) {
            for (RouterApp r : List.of(a, b)) {
                HttpResponse<String> again = ingest(r, source, body, "Sluice-Signature", spelling);
                assertEquals(202, again.statusCode(), spelling + ": " + again.body());
                assertEquals(id, new JsonObject(again.body()).getString("id"), spelling);
                assertEquals(
                        "true",
                        again.headers().firstValue("idempotent-replayed").orElse(null),
                        spelling);
            }
        }
        assertEquals(
                1,
                kafka.readAll(TOPIC, Duration.ofSeconds(5)).stream()
                        .filter(r -> id.equals(EventRecords.text(r.headers(), "ce_id")))
                        .count(),
                "one delivery, one event");
        String fresh = "t=" + (now + 1) + ",v1=" + hmac("old", (now + 1) + "." + body);
        assertEquals(202, ingest(b, source, body, "Sluice-Signature", fresh).statusCode(), "a new signature passes");
        assertProblem(
                ingest(a, source, body, "Sluice-Signature", "t=" + now + ",v1=" + hmac("wrong", now + "." + body)),
                401,
                "bad-signature");
        assertProblem(
                ingest(
                        a,
                        source,
                        "{\"paid\": 99}",
                        "Sluice-Signature",
                        "t=" + (now + 2) + ",v1=" + hmac("new", (now + 2) + "." + body)),
                401,
                "bad-signature");
        long stale = now - 600;
        assertProblem(
                ingest(a, source, body, "Sluice-Signature", "t=" + stale + ",v1=" + hmac("new", stale + "." + body)),
                401,
                "bad-signature");
    }

    @Test
    void aTenantsRateLimitFromTheDatabaseIsEnforcedWith429() throws Exception {
        String tenant = "limited-" + System.nanoTime();
        HttpResponse<String> created =
                admin("POST", "/admin/tenants", "{\"id\": \"" + tenant + "\", \"rateLimit\": {\"events\": 5}}");
        assertEquals(201, created.statusCode(), created.body());
        String key = newKey(tenant);
        String source = "s-" + tenant;
        putSource(source, "{\"topic\": \"" + TOPIC + "\", \"tenant\": \"" + tenant + "\"}");
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

    static String hmac(String secret, String text) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
    }
}
