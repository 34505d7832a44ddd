package dev.sluice.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.Catalog;
import dev.sluice.core.KafkaConfig;
import dev.sluice.core.Settings;
import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Ports;
import dev.sluice.testkit.Postgres;
import dev.sluice.testkit.SluiceInfra;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
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
 * Workflow definitions through the admin API on a real router and PostgreSQL: put, get, list and
 * delete rows of {@code sluice_workflows} (the executors' table), refusals that name the field, a
 * stored workflow that can be run by hand at once, and a dry run that shows each step's templated
 * request without sending anything.
 */
@SluiceInfra
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WorkflowsAdminIT {

    private static final String TOPIC = "it.wfadmin.orders";
    private static final String ADMIN_KEY = "admin-" + System.nanoTime();
    private static AdminClient admin;
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static Vertx vertx;
    private static RouterApp router;

    @BeforeAll
    static void start(KafkaBroker kafka, Postgres pg) throws Exception {
        kafka.createTopic(TOPIC, 1, Duration.ofMinutes(10));
        String db = pg.createDatabase("workflows_admin_it");
        Catalog catalog = Catalog.parse(new JsonObject(
                "{\"routes\": [{\"source\": \"orders\", \"topic\": \"" + TOPIC + "\", \"tenant\": \"shop\"}]}"));
        vertx = Vertx.vertx();
        RouterConfig config =
                RouterConfig.from(Settings.of(Map.of("router.instances", "1", "router.drain.grace", "100ms")))
                        .toBuilder()
                        .ports("127.0.0.1", Ports.freePort(), Ports.freePort())
                        .postgres(db)
                        .adminKey(ADMIN_KEY)
                        .build();
        router = RouterApp.start(
                        vertx,
                        config,
                        KafkaConfig.of(kafka.bootstrapServers()),
                        catalog,
                        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))
                .toCompletionStage()
                .toCompletableFuture()
                .get(40, TimeUnit.SECONDS);
        admin = AdminClient.of(router, ADMIN_KEY);
    }

    @AfterAll
    static void stop() throws Exception {
        if (router != null) {
            router.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private static void assertProblem(HttpResponse<String> r, int status, String reason, String detailHas) {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals(
                "application/problem+json",
                r.headers().firstValue("content-type").orElse(""));
        JsonObject p = new JsonObject(r.body());
        assertEquals(reason, p.getString("reason"), r.body());
        assertTrue(p.getString("detail").contains(detailHas), r.body());
    }

    @Test
    void aWorkflowIsPutReadListedAndDeletedWithItsSecretsHidden() throws Exception {
        HttpResponse<String> put = admin.send("PUT", "/admin/workflows/ship", """
                {"sources": ["orders"], "signing": {"secrets": ["whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQ="]},
                 "steps": [{"type": "http", "url": "https://ship.example/hook", "timeout": "3s"}]}""");
        assertEquals(200, put.statusCode(), put.body());
        assertEquals(
                "1 (hidden)",
                new JsonObject(put.body()).getJsonObject("signing").getString("secrets"));
        JsonObject got =
                new JsonObject(admin.send("GET", "/admin/workflows/ship", null).body());
        assertEquals("ship", got.getString("name"));
        assertEquals(
                "https://ship.example/hook",
                got.getJsonArray("steps").getJsonObject(0).getString("url"));
        assertEquals("1 (hidden)", got.getJsonObject("signing").getString("secrets"));
        JsonArray listed =
                new JsonObject(admin.send("GET", "/admin/workflows", null).body()).getJsonArray("workflows");
        assertTrue(
                listed.stream().anyMatch(w -> ((JsonObject) w).getString("name").equals("ship")), listed.encode());

        assertEquals(204, admin.send("DELETE", "/admin/workflows/ship", null).statusCode());
        assertProblem(admin.send("GET", "/admin/workflows/ship", null), 404, "not-found", "ship");
        assertProblem(admin.send("DELETE", "/admin/workflows/ship", null), 404, "not-found", "ship");
    }

    @Test
    void anInvalidDefinitionIsRefusedNamingTheField() throws Exception {
        assertProblem(
                admin.send(
                        "PUT",
                        "/admin/workflows/bad",
                        "{\"sources\": [\"orders\"], \"steps\": [{\"type\": \"http\", \"url\": \"ftp://x\"}]}"),
                400,
                "invalid-field",
                "steps[0]: url");
        assertProblem(
                admin.send(
                        "PUT",
                        "/admin/workflows/bad",
                        "{\"sources\": [\"nowhere\"], \"steps\": [{\"url\": \"http://x/\"}]}"),
                400,
                "invalid-field",
                "sources[0]");
        assertProblem(
                admin.send(
                        "PUT",
                        "/admin/workflows/bad",
                        "{\"name\": \"other\", \"sources\": [\"orders\"], \"steps\": [{\"url\": \"http://x/\"}]}"),
                400,
                "invalid-field",
                "name");
        assertProblem(
                admin.send(
                        "PUT",
                        "/admin/workflows/bad",
                        "{\"sources\": [\"orders\"], \"signing\": {\"secretsEnv\": \"X\"}, "
                                + "\"steps\": [{\"url\": \"http://x/\"}]}"),
                400,
                "invalid-field",
                "signing.secretsEnv");
        assertProblem(admin.send("PUT", "/admin/workflows/bad", "[1, 2"), 400, "malformed-json", "JSON");
        assertProblem(admin.send("GET", "/admin/workflows/bad", null), 404, "not-found", "bad");
        assertEquals(
                401,
                HTTP.send(
                                HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                                                + router.config().listen().managementPort() + "/admin/workflows"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .statusCode());
    }

    @Test
    void aStoredWorkflowCanBeRunByHandAtOnce() throws Exception {
        assertEquals(
                201, admin.send("POST", "/admin/tenants", "{\"id\": \"shop\"}").statusCode());
        String key = new JsonObject(
                        admin.send("POST", "/admin/tenants/shop/keys", "{}").body())
                .getString("key");
        assertEquals(
                200,
                admin.send(
                                "PUT",
                                "/admin/workflows/restock",
                                "{\"sources\": [\"orders\"], \"steps\": [{\"url\": \"http://x/\"}]}")
                        .statusCode());
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(() -> HTTP.send(
                                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                                                        + router.config()
                                                                .listen()
                                                                .port() + "/v1/workflows/restock/runs"))
                                                .header("Authorization", "Bearer " + key)
                                                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                                                .build(),
                                        HttpResponse.BodyHandlers.ofString())
                                .statusCode()
                        == 202);
    }

    @Test
    void aDryRunShowsWhichStepsRunAndTheirTemplatedRequestsWithoutSending() throws Exception {
        String workflow = """
                {"name": "route-order", "sources": ["orders"], "filter": {"exact": {"type": "order.created"}},
                 "steps": [{"type": "transform", "set": {"/order": "{{/id}}", "/who": "{{$subject}}", "/total": "{{/amount}}"}},
                           {"type": "redis", "command": "incr", "key": "orders:{{/who}}"},
                           {"type": "http", "url": "https://erp.example/orders", "method": "PUT", "headers": {"x-team": "ops"}},
                           {"type": "filter", "condition": {"pointer": "/total", "gt": 1000}},
                           {"type": "publish", "topic": "big-orders"}]}""";
        HttpResponse<String> r = admin.send(
                "POST",
                "/admin/workflows/validate",
                new JsonObject()
                        .put("workflow", new JsonObject(workflow))
                        .put(
                                "event",
                                new JsonObject(
                                        "{\"type\": \"order.created\", \"subject\": \"alice\", \"data\": {\"id\": \"o-7\", \"amount\": 40}}"))
                        .encode());
        assertEquals(200, r.statusCode(), r.body());
        JsonObject out = new JsonObject(r.body());
        assertTrue(out.getBoolean("valid"));
        JsonObject dry = out.getJsonObject("dryRun");
        assertTrue(dry.getBoolean("runs"), dry.encodePrettily());
        JsonArray steps = dry.getJsonArray("steps");
        assertEquals(
                new JsonObject().put("order", "o-7").put("who", "alice").put("total", 40),
                steps.getJsonObject(0).getJsonObject("payload"));
        assertEquals(
                "orders:alice", steps.getJsonObject(1).getJsonObject("request").getString("key"));
        JsonObject http = steps.getJsonObject(2).getJsonObject("request");
        assertEquals("PUT", http.getString("method"));
        assertEquals("https://erp.example/orders", http.getString("url"));
        assertEquals("ops", http.getJsonObject("headers").getString("x-team"));
        assertEquals("alice", http.getJsonObject("headers").getString("ce-subject"));
        assertEquals("o-7", http.getJsonObject("body").getString("order"));
        assertFalse(steps.getJsonObject(3).getBoolean("passes"));
        assertFalse(steps.getJsonObject(4).getBoolean("runs"), "the filter step stopped the run before the publish");

        JsonObject other = new JsonObject(admin.send(
                        "POST",
                        "/admin/workflows/validate",
                        new JsonObject()
                                .put("workflow", new JsonObject(workflow))
                                .put("event", new JsonObject("{\"type\": \"order.cancelled\", \"data\": {}}"))
                                .encode())
                .body());
        assertFalse(other.getJsonObject("dryRun").getBoolean("runs"), "the workflow's filter refuses another type");
        assertProblem(
                admin.send(
                        "POST",
                        "/admin/workflows/validate",
                        "{\"workflow\": {\"name\": \"x\", \"sources\": [\"orders\"], \"steps\": []}}"),
                400,
                "invalid-field",
                "at least one step");
        assertEquals(
                404, admin.send("GET", "/admin/workflows/route-order", null).statusCode(), "validate stores nothing");
    }
}
