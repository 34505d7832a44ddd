package dev.sluice.router;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.Catalog;
import dev.sluice.core.EventRecords;
import dev.sluice.core.KafkaConfig;
import dev.sluice.core.Settings;
import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Ports;
import dev.sluice.testkit.SluiceInfra;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The router against the real broker: what a 202 means, and every rejection the skeleton knows. */
@SluiceInfra
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RouterIT {

    private static final String TOPIC = "it.router.events";
    private static Vertx vertx;
    private static RouterApp router;
    private static KafkaBroker kafka;
    private static int port;
    private static int managementPort;
    private static final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static Catalog catalog(String topic) {
        return Catalog.parse(new JsonObject("""
                {"routes": [
                  {"source": "orders", "topic": "%s", "ttl": "20s", "partitions": 3, "maxBodyBytes": 1024,
                   "key": "header:X-Key", "type": "com.example.order", "tenant": "acme"},
                  {"source": "byid", "topic": "%s", "partitions": 3},
                  {"source": "once-closed", "topic": "%s", "idempotency": "fail-closed"},
                  {"source": "once-open", "topic": "%s", "idempotency": "fail-open"},
                  {"source": "ghost", "topic": "it.router.never-created"}]}
                """.formatted(topic, topic, topic, topic)));
    }

    static RouterApp startRouter(Vertx vertx, KafkaBroker broker, Catalog catalog, int port, int managementPort)
            throws Exception {
        RouterConfig config =
                RouterConfig.from(Settings.of(Map.of("router.instances", "2", "router.health.interval", "200ms")))
                        .toBuilder()
                        .ports("127.0.0.1", port, managementPort)
                        .build();
        return RouterApp.start(
                        vertx,
                        config,
                        KafkaConfig.of(broker.bootstrapServers()),
                        catalog,
                        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))
                .toCompletionStage()
                .toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
    }

    @BeforeAll
    static void start(KafkaBroker broker) throws Exception {
        kafka = broker;
        kafka.createTopic(TOPIC, 3, Duration.ofMinutes(10));
        vertx = Vertx.vertx();
        port = Ports.freePort();
        managementPort = Ports.freePort();
        router = startRouter(vertx, kafka, catalog(TOPIC), port, managementPort);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> get("/health/ready", managementPort).statusCode() == 503
                        && get("/health/ready", managementPort).body().contains("\"it.router.events\":\"ready\""));
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

    static HttpResponse<String> post(String path, byte[] body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return ContractCheck.check(http.send(b.build(), HttpResponse.BodyHandlers.ofString()));
    }

    static HttpResponse<String> get(String path, int port) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static ConsumerRecord<byte[], byte[]> recordWithId(String id) {
        return kafka.readAll(TOPIC, Duration.ofSeconds(10)).stream()
                .filter(r -> id.equals(EventRecords.text(r.headers(), "ce_id")))
                .findFirst()
                .orElse(null);
    }

    private static void assertProblem(HttpResponse<String> resp, int status, String reason) {
        assertEquals(status, resp.statusCode(), resp.body());
        assertEquals(
                "application/problem+json",
                resp.headers().firstValue("content-type").orElse(""));
        JsonObject p = new JsonObject(resp.body());
        assertEquals(status, p.getInteger("status"));
        assertEquals(reason, p.getString("reason"));
        assertEquals("urn:sluice:problem:" + reason, p.getString("type"));
        assertNotNull(p.getString("title"));
        assertNotNull(p.getString("detail"));
    }

    @Test
    void withoutRedisAFailClosedSourceIs503AndAFailOpenSourceProducesEverySubmission() throws Exception {
        long before = kafka.count(TOPIC);
        String key = "no-redis-" + System.nanoTime();
        HttpResponse<String> closed =
                post("/v1/events/once-closed", "{}".getBytes(StandardCharsets.UTF_8), "idempotency-key", key);
        assertProblem(closed, 503, "idempotency-unavailable");
        assertTrue(new JsonObject(closed.body()).getString("detail").contains("no Redis is configured"), closed.body());
        // Nothing can be checked, so a fail-open source takes the same key twice, as two events.
        HttpResponse<String> first =
                post("/v1/events/once-open", "{}".getBytes(StandardCharsets.UTF_8), "idempotency-key", key);
        HttpResponse<String> second =
                post("/v1/events/once-open", "{}".getBytes(StandardCharsets.UTF_8), "idempotency-key", key);
        assertEquals(202, first.statusCode(), first.body());
        assertEquals(202, second.statusCode(), second.body());
        assertNotEquals(new JsonObject(first.body()).getString("id"), new JsonObject(second.body()).getString("id"));
        assertEquals(before + 2, kafka.count(TOPIC));
    }

    @Test
    void acceptedEventIsInKafkaWithPayloadUntouchedAndCloudEventsHeaders() throws Exception {
        byte[] payload = {'{', '"', 'a', '"', ':', '1', '}', 0, (byte) 0xC3, (byte) 0x28};
        long before = System.currentTimeMillis();
        HttpResponse<String> resp = post(
                "/v1/events/orders",
                payload,
                "content-type",
                "application/octet-stream",
                "X-Key",
                "customer-7",
                "traceparent",
                "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        assertEquals(202, resp.statusCode(), resp.body());
        JsonObject body = new JsonObject(resp.body());
        String id = body.getString("id");
        long deadline = Instant.parse(body.getString("deadline")).toEpochMilli();
        assertTrue(
                deadline >= before + 20_000 && deadline <= System.currentTimeMillis() + 20_000,
                "deadline = ingest + 20 s");

        // 202 means it is already in Kafka: a fresh read finds it straight away.
        ConsumerRecord<byte[], byte[]> r = recordWithId(id);
        assertNotNull(r, "the acknowledged event is in the topic");
        assertArrayEquals(payload, r.value());
        assertArrayEquals("customer-7".getBytes(StandardCharsets.UTF_8), r.key());
        assertEquals("1.0", EventRecords.text(r.headers(), "ce_specversion"));
        assertEquals("/sources/orders", EventRecords.text(r.headers(), "ce_source"));
        assertEquals("com.example.order", EventRecords.text(r.headers(), "ce_type"));
        assertEquals("application/octet-stream", EventRecords.text(r.headers(), "content-type"));
        assertEquals("acme", EventRecords.text(r.headers(), "sluice_tenant"));
        assertEquals("orders", EventRecords.text(r.headers(), "sluice_route"));
        assertEquals(
                "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
                EventRecords.text(r.headers(), "traceparent"));
        assertEquals(deadline, EventRecords.deadline(r));
        assertEquals(deadline - 20_000, r.timestamp(), "the record timestamp is the ingest time");
    }

    @Test
    void theCallersTracestateGoesIntoTheRecordWithItsTraceparentAndNotWithoutOne() throws Exception {
        String traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        HttpResponse<String> kept = post(
                "/v1/events/orders",
                "{}".getBytes(StandardCharsets.UTF_8),
                "X-Key",
                "c-1",
                "traceparent",
                traceparent,
                "tracestate",
                "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7");
        assertEquals(202, kept.statusCode(), kept.body());
        ConsumerRecord<byte[], byte[]> r = recordWithId(new JsonObject(kept.body()).getString("id"));
        assertEquals(traceparent, EventRecords.text(r.headers(), "traceparent"));
        assertEquals("congo=t61rcWkgMzE,rojo=00f067aa0ba902b7", EventRecords.text(r.headers(), "tracestate"));

        HttpResponse<String> restarted = post(
                "/v1/events/orders",
                "{}".getBytes(StandardCharsets.UTF_8),
                "X-Key",
                "c-1",
                "traceparent",
                "00-not-a-trace-01",
                "tracestate",
                "congo=t61rcWkgMzE");
        assertEquals(202, restarted.statusCode(), restarted.body());
        ConsumerRecord<byte[], byte[]> fresh = recordWithId(new JsonObject(restarted.body()).getString("id"));
        assertNotEquals(
                "00-not-a-trace-01",
                EventRecords.text(fresh.headers(), "traceparent"),
                "a new trace replaces a malformed one");
        assertNull(fresh.headers().lastHeader("tracestate"), "and starts without the old trace's state");
    }

    @Test
    void eventIdsAreUuidV7ByDefaultAndTheSourcesCeIdIsKept() throws Exception {
        HttpResponse<String> a = post("/v1/events/byid", "x".getBytes(StandardCharsets.UTF_8));
        assertEquals(202, a.statusCode(), a.body());
        assertEquals(
                7,
                java.util
                        .UUID
                        .fromString(new JsonObject(a.body()).getString("id"))
                        .version());

        HttpResponse<String> b =
                post("/v1/events/byid", "y".getBytes(StandardCharsets.UTF_8), "ce-id", "source-given-1");
        assertEquals("source-given-1", new JsonObject(b.body()).getString("id"));
    }

    @Test
    void rejectsOversizedBodyWith413AndProducesNothing() throws Exception {
        long before = kafka.count(TOPIC);
        HttpResponse<String> resp = post("/v1/events/orders", new byte[1025], "X-Key", "k");
        assertProblem(resp, 413, "too-large");

        // Without a Content-Length (chunked), the limit is enforced while reading.
        HttpRequest chunked = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/events/orders"))
                .header("X-Key", "k")
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(new byte[4096])))
                .build();
        try {
            HttpResponse<String> c = http.send(chunked, HttpResponse.BodyHandlers.ofString());
            assertProblem(c, 413, "too-large");
        } catch (java.io.IOException e) {
            // The server may close before the client finished writing; what matters is that nothing was produced.
        }
        assertEquals(before, kafka.count(TOPIC), "nothing reached Kafka");
    }

    @Test
    void unknownSourceIs404Problem() throws Exception {
        assertProblem(post("/v1/events/nope", new byte[] {1}), 404, "unknown-source");
        assertProblem(post("/v2/whatever", new byte[] {1}), 404, "not-found");
    }

    @Test
    void wrongMethodIs405WithAllow() throws Exception {
        HttpResponse<String> resp = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/events/orders"))
                        .PUT(HttpRequest.BodyPublishers.ofString("x"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertProblem(resp, 405, "method-not-allowed");
        assertEquals("POST", resp.headers().firstValue("allow").orElse(""));
    }

    @Test
    void missingPartitionKeyHeaderIs400AndProducesNothing() throws Exception {
        long before = kafka.count(TOPIC);
        assertProblem(post("/v1/events/orders", new byte[] {1}), 400, "bad-partition-key");
        assertEquals(before, kafka.count(TOPIC));
    }

    @Test
    void aSourceWhoseTopicDoesNotExistAnswers503AtOnceInsteadOfHanging() throws Exception {
        long t0 = System.nanoTime();
        HttpResponse<String> resp = post("/v1/events/ghost", new byte[] {1});
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertProblem(resp, 503, "topic-unavailable");
        assertTrue(resp.headers().firstValue("retry-after").isPresent());
        assertTrue(ms < 1000, "answered in " + ms + " ms");
    }

    @Test
    void metricsCountOutcomesPerRoute() throws Exception {
        assertEquals(202, post("/v1/events/byid", new byte[] {1}).statusCode());
        String metrics = get("/metrics", managementPort).body();
        assertTrue(
                metrics.matches("(?s).*sluice_router_events_total\\{outcome=\"accepted\",route=\"byid\"} [1-9].*"),
                metrics);
        assertTrue(metrics.contains("sluice_router_produce_latency_seconds_bucket"), "produce latency histogram");
        assertEquals(200, get("/health/live", managementPort).statusCode());
    }

    @Test
    void readinessIsFalseWhileATopicIsMissing() throws Exception {
        HttpResponse<String> ready = get("/health/ready", managementPort);
        assertEquals(503, ready.statusCode());
        JsonObject details = new JsonObject(ready.body());
        assertEquals("missing", details.getJsonObject("topics").getString("it.router.never-created"));
        assertEquals("reachable", details.getString("kafka"));
    }
}
