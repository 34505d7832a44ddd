package dev.sluice.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.Catalog;
import dev.sluice.core.EventRecords;
import dev.sluice.core.KafkaConfig;
import dev.sluice.core.Settings;
import dev.sluice.core.SluiceHeaders;
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
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Manual runs ({@code POST /v1/workflows/{name}/runs}) on a real router, Kafka, PostgreSQL and
 * Redis: the 202 names an event that is in Kafka on the workflow's topic as {@code dev.sluice.manual};
 * only a key of the workflow's tenant may ask; an unknown workflow, a payload the workflow's filter
 * refuses, and a payload that is not JSON are problems, and none of them reaches Kafka.
 */
@SluiceInfra
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ManualRunIT {

    private static final String TOPIC = "it.manual.orders";
    private static final String ADMIN_KEY = "admin-" + System.nanoTime();
    private static AdminClient admin;
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static KafkaBroker kafka;
    private static Vertx vertx;
    private static RouterApp router;
    private static String acmeKey;
    private static String otherKey;

    @BeforeAll
    static void start(KafkaBroker broker, Postgres pg, Redis redis) throws Exception {
        kafka = broker;
        kafka.createTopic(TOPIC, 2, Duration.ofMinutes(10));
        String db = pg.createDatabase("manual_run_it");
        Catalog catalog = Catalog.parse(new JsonObject("""
                {"routes": [{"source": "orders", "topic": "%s", "tenant": "acme", "ttl": "15s"}],
                 "workflows": [{"name": "notify", "sources": ["orders"], "steps": [{"url": "http://127.0.0.1:9/hook"}]},
                               {"name": "big-orders", "sources": ["orders"], "filter": {"pointer": "/amount", "gt": 100},
                                "steps": [{"url": "http://127.0.0.1:9/hook"}]}]}
                """.formatted(TOPIC)));
        vertx = Vertx.vertx();
        RouterConfig config = RouterConfig.from(Settings.of(
                        Map.of("router.instances", "1", "router.body.timeout", "2s", "router.drain.grace", "100ms")))
                .toBuilder()
                .ports("127.0.0.1", Ports.freePort(), Ports.freePort())
                .redis(redis.uri())
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
        assertEquals(
                201, admin.send("POST", "/admin/tenants", "{\"id\": \"acme\"}").statusCode());
        assertEquals(
                201, admin.send("POST", "/admin/tenants", "{\"id\": \"other\"}").statusCode());
        acmeKey = key("acme");
        otherKey = key("other");
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(() -> router.readiness().ready()
                        && run("notify", "{}", otherKey).statusCode() == 403);
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

    private static String key(String tenant) throws Exception {
        HttpResponse<String> r = admin.send("POST", "/admin/tenants/" + tenant + "/keys", "{}");
        assertEquals(201, r.statusCode(), r.body());
        return new JsonObject(r.body()).getString("key");
    }

    static HttpResponse<String> run(String workflow, String body, String key) throws Exception {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(
                        "http://127.0.0.1:" + router.config().listen().port() + "/v1/workflows/" + workflow + "/runs"))
                .timeout(Duration.ofSeconds(10))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            req.header("Authorization", "Bearer " + key);
        }
        return ContractCheck.check(HTTP.send(req.build(), HttpResponse.BodyHandlers.ofString()));
    }

    private static void assertProblem(HttpResponse<String> r, int status, String reason) {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals(
                "application/problem+json",
                r.headers().firstValue("content-type").orElse(""));
        assertEquals(reason, new JsonObject(r.body()).getString("reason"), r.body());
    }

    private static ConsumerRecord<byte[], byte[]> record(String id) {
        List<ConsumerRecord<byte[], byte[]>> all = kafka.readAll(TOPIC, Duration.ofSeconds(2));
        return all.stream()
                .filter(r -> id.equals(EventRecords.text(r.headers(), SluiceHeaders.CE_ID)))
                .findFirst()
                .orElse(null);
    }

    @Test
    void aRunIsAcceptedOnlyOnceInKafkaAsAManualEventOnTheWorkflowsRoute() throws Exception {
        long before = System.currentTimeMillis();
        HttpResponse<String> r = run("notify", "{\"reason\": \"replay order 42\"}", acmeKey);
        assertEquals(202, r.statusCode(), r.body());
        JsonObject answer = new JsonObject(r.body());
        String id = answer.getString("id");
        assertNotNull(id);
        ConsumerRecord<byte[], byte[]> rec = record(id);
        assertNotNull(rec, "the accepted run's event is in " + TOPIC);
        assertEquals("dev.sluice.manual", EventRecords.text(rec.headers(), SluiceHeaders.CE_TYPE));
        assertEquals("/workflows/notify", EventRecords.text(rec.headers(), SluiceHeaders.CE_SOURCE));
        assertEquals("notify", EventRecords.text(rec.headers(), "ce_workflow"));
        assertEquals(
                "notify", EventRecords.text(rec.headers(), SluiceHeaders.TARGET), "executors run this workflow only");
        assertEquals("orders", EventRecords.text(rec.headers(), SluiceHeaders.ROUTE));
        assertEquals("acme", EventRecords.text(rec.headers(), SluiceHeaders.TENANT));
        assertEquals(
                "{\"reason\": \"replay order 42\"}", new String(rec.value(), java.nio.charset.StandardCharsets.UTF_8));
        long deadline = EventRecords.deadline(rec);
        assertEquals(15_000, deadline - rec.timestamp(), "deadline = ingest time + the route's TTL");
        assertTrue(rec.timestamp() >= before, "a fresh ingest time");
        assertEquals(Instant.ofEpochMilli(deadline), Instant.parse(answer.getString("deadline")));
    }

    @Test
    void onlyAKeyOfTheWorkflowsTenantMayRunIt() throws Exception {
        long before = kafka.count(TOPIC);
        assertProblem(run("notify", "{}", otherKey), 403, "forbidden");
        assertProblem(run("notify", "{}", null), 401, "unauthorized");
        assertProblem(run("notify", "{}", "sk_000000000000_nope"), 401, "unauthorized");
        assertEquals(before, kafka.count(TOPIC));
    }

    @Test
    void anUnknownWorkflowIs404AndAWrongMethod405() throws Exception {
        assertProblem(run("no-such-workflow", "{}", acmeKey), 404, "unknown-workflow");
        assertProblem(run("notify/extra", "{}", acmeKey), 404, "not-found");
        HttpResponse<String> get = HTTP.send(
                HttpRequest.newBuilder(URI.create(
                                "http://127.0.0.1:" + router.config().listen().port() + "/v1/workflows/notify/runs"))
                        .header("Authorization", "Bearer " + acmeKey)
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertProblem(get, 405, "method-not-allowed");
    }

    @Test
    void aBodyThatDoesNotArriveInTimeIs408AndTheConnectionCloses() throws Exception {
        try (java.net.Socket s =
                new java.net.Socket("127.0.0.1", router.config().listen().port())) {
            s.setSoTimeout(15_000);
            s.getOutputStream()
                    .write(("POST /v1/workflows/notify/runs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + acmeKey
                                    + "\r\ncontent-type: application/json\r\nContent-Length: 100\r\n\r\n{\"a\":")
                            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            String answer = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(answer.startsWith("HTTP/1.1 408"), answer);
            assertTrue(answer.contains("request-timeout"), answer);
        }
    }

    @Test
    void aPayloadTheWorkflowsFilterRefusesIs422AndOneItTakesIsAccepted() throws Exception {
        long before = kafka.count(TOPIC);
        assertProblem(run("big-orders", "{\"amount\": 5}", acmeKey), 422, "filtered-out");
        assertProblem(run("big-orders", "{\"amount\": ", acmeKey), 400, "malformed-json");
        assertEquals(before, kafka.count(TOPIC));
        HttpResponse<String> ok = run("big-orders", "{\"amount\": 500}", acmeKey);
        assertEquals(202, ok.statusCode(), ok.body());
        assertNotNull(record(new JsonObject(ok.body()).getString("id")));
    }
}
