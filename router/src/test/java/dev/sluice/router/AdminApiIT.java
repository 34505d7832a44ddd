package dev.sluice.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Postgres;
import dev.sluice.testkit.SluiceInfra;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
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
    }

    @AfterAll
    static void stop() throws Exception {
        if (router != null) {
            router.close();
        }
    }

    private static HttpResponse<String> admin(String method, String path, String body, String key) throws Exception {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(
                        "http://127.0.0.1:" + router.app().config().listen().managementPort() + path))
                .timeout(Duration.ofSeconds(10))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            req.header("Authorization", "Bearer " + key);
        }
        return ContractCheck.check(HTTP.send(req.build(), HttpResponse.BodyHandlers.ofString()));
    }

    private static HttpResponse<String> admin(String method, String path, String body) throws Exception {
        return admin(method, path, body, ADMIN_KEY);
    }

    private static void assertProblem(HttpResponse<String> r, int status, String reason) {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals(
                "application/problem+json",
                r.headers().firstValue("content-type").orElse(""));
        JsonObject p = new JsonObject(r.body());
        assertEquals(reason, p.getString("reason"), r.body());
        assertEquals(status, p.getInteger("status"));
        assertNotNull(p.getString("detail"));
    }

    private static String newTenant(String id) throws Exception {
        HttpResponse<String> r = admin("POST", "/admin/tenants", "{\"id\": \"" + id + "\"}");
        assertEquals(201, r.statusCode(), r.body());
        return id;
    }

    private static void newKey(String tenant) throws Exception {
        HttpResponse<String> r = admin("POST", "/admin/tenants/" + tenant + "/keys", "{\"name\": \"test\"}");
        assertEquals(201, r.statusCode(), r.body());
    }

    @Test
    void theAdminApiNeedsItsKeyAndExplainsBadInput() throws Exception {
        HttpResponse<String> noKey = admin("GET", "/admin/tenants", null, null);
        assertProblem(noKey, 401, "unauthorized");
        assertTrue(noKey.headers().firstValue("www-authenticate").isPresent());
        assertProblem(admin("GET", "/admin/tenants", null, ADMIN_KEY + "x"), 401, "unauthorized");
        assertProblem(admin("POST", "/admin/tenants", "{\"id\": \"no spaces\"}"), 400, "invalid-field");
        assertProblem(admin("POST", "/admin/tenants", "{not json"), 400, "malformed-json");
        assertProblem(admin("POST", "/admin/tenants", "{\"id\": \"t1\", \"color\": 1}"), 400, "invalid-field");
        assertProblem(
                admin("POST", "/admin/tenants", "{\"id\": \"t1\", \"rateLimit\": {\"events\": -1}}"),
                400,
                "invalid-field");
        String tenant = newTenant("dup-" + System.nanoTime());
        assertProblem(admin("POST", "/admin/tenants", "{\"id\": \"" + tenant + "\"}"), 409, "conflict");
        assertProblem(admin("PUT", "/admin/sources/x1", "{\"tenant\": \"nobody-here\"}"), 400, "invalid-field");
        HttpResponse<String> badTtl =
                admin("PUT", "/admin/sources/x1", "{\"tenant\": \"" + tenant + "\", \"ttl\": \"9000s\"}");
        assertProblem(badTtl, 400, "invalid-field");
        assertTrue(new JsonObject(badTtl.body()).getString("detail").contains("ttl"), badTtl.body());
        assertProblem(admin("POST", "/admin/tenants/nobody-here/keys", "{}"), 404, "not-found");
        assertProblem(admin("DELETE", "/admin/keys/000000000000", null), 404, "not-found");
        // Secrets are never shown back.
        admin(
                "PUT",
                "/admin/sources/sec-" + tenant,
                "{\"topic\": \"" + TOPIC + "\", \"tenant\": \"" + tenant
                        + "\", \"signature\": {\"scheme\": \"github\", " + "\"secrets\": [\"hush\"]}}");
        HttpResponse<String> shown = admin("GET", "/admin/sources/sec-" + tenant, null);
        assertEquals(200, shown.statusCode(), shown.body());
        assertTrue(!shown.body().contains("hush"), shown.body());
        HttpResponse<String> keys = admin("GET", "/admin/tenants/" + tenant + "/keys", null);
        assertEquals(200, keys.statusCode());
        newKey(tenant);
        String listed = admin("GET", "/admin/tenants/" + tenant + "/keys", null).body();
        assertEquals(1, new JsonObject(listed).getJsonArray("keys").size());
        assertTrue(!listed.contains("sk_"), "a listed key never shows its secret");
    }
}
