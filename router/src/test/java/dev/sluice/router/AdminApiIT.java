package dev.sluice.router;

import static dev.sluice.router.Problems.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Postgres;
import dev.sluice.testkit.SluiceInfra;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The admin API against a real PostgreSQL: it needs its key, explains bad input with a problem
 * naming the field, answers conflicts and unknown rows, and never shows a secret back. Every
 * answer is checked against the contract.
 */
@SluiceInfra
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AdminApiIT {

    private static final String TOPIC = "it.admin.events";
    private static final String ADMIN_KEY = "admin-" + System.nanoTime();
    private static AdminClient admin;
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static RouterFixture router;

    @BeforeAll
    static void start(KafkaBroker kafka, Postgres pg) throws Exception {
        kafka.createTopic(TOPIC, 1, Duration.ofMinutes(10));
        String db = pg.createDatabase("admin_api_it");
        router = RouterFixture.start(
                kafka,
                "{\"routes\": [{\"source\": \"file-public\", \"topic\": \"" + TOPIC + "\"}]}",
                Map.of("router.instances", "1"),
                b -> b.postgres(db).adminKey(ADMIN_KEY));
        admin = AdminClient.of(router.app(), ADMIN_KEY);
    }

    @AfterAll
    static void stop() throws Exception {
        if (router != null) {
            router.close();
        }
    }

    @Test
    void theAdminApiNeedsItsKeyAndExplainsBadInput() throws Exception {
        HttpResponse<String> noKey = admin.send("GET", "/admin/tenants", null, null);
        assertProblem(noKey, 401, "unauthorized");
        assertTrue(noKey.headers().firstValue("www-authenticate").isPresent());
        assertProblem(admin.send("GET", "/admin/tenants", null, ADMIN_KEY + "x"), 401, "unauthorized");
        assertProblem(admin.send("POST", "/admin/tenants", "{\"id\": \"no spaces\"}"), 400, "invalid-field");
        assertProblem(admin.send("POST", "/admin/tenants", "{not json"), 400, "malformed-json");
        assertProblem(admin.send("POST", "/admin/tenants", "{\"id\": \"t1\", \"color\": 1}"), 400, "invalid-field");
        assertProblem(
                admin.send("POST", "/admin/tenants", "{\"id\": \"t1\", \"rateLimit\": {\"events\": -1}}"),
                400,
                "invalid-field");
        String tenant = admin.newTenant("dup-" + System.nanoTime());
        assertProblem(admin.send("POST", "/admin/tenants", "{\"id\": \"" + tenant + "\"}"), 409, "conflict");
        assertProblem(admin.send("PUT", "/admin/sources/x1", "{\"tenant\": \"nobody-here\"}"), 400, "invalid-field");
        HttpResponse<String> badTtl =
                admin.send("PUT", "/admin/sources/x1", "{\"tenant\": \"" + tenant + "\", \"ttl\": \"9000s\"}");
        assertProblem(badTtl, 400, "invalid-field");
        assertTrue(new JsonObject(badTtl.body()).getString("detail").contains("ttl"), badTtl.body());
        assertProblem(admin.send("POST", "/admin/tenants/nobody-here/keys", "{}"), 404, "not-found");
        assertProblem(admin.send("DELETE", "/admin/keys/000000000000", null), 404, "not-found");
        // Secrets are never shown back.
        admin.send(
                "PUT",
                "/admin/sources/sec-" + tenant,
                "{\"topic\": \"" + TOPIC + "\", \"tenant\": \"" + tenant
                        + "\", \"signature\": {\"scheme\": \"github\", " + "\"secrets\": [\"hush\"]}}");
        HttpResponse<String> shown = admin.send("GET", "/admin/sources/sec-" + tenant, null);
        assertEquals(200, shown.statusCode(), shown.body());
        assertTrue(!shown.body().contains("hush"), shown.body());
        HttpResponse<String> keys = admin.send("GET", "/admin/tenants/" + tenant + "/keys", null);
        assertEquals(200, keys.statusCode());
        admin.newKey(tenant);
        String listed =
                admin.send("GET", "/admin/tenants/" + tenant + "/keys", null).body();
        assertEquals(1, new JsonObject(listed).getJsonArray("keys").size());
        assertTrue(!listed.contains("sk_"), "a listed key never shows its secret");
    }
}
