package dev.sluice.router;

import static dev.sluice.router.Problems.assertProblem;
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
import dev.sluice.testkit.SluiceInfra;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The router against the real broker: what a 202 means (the event in Kafka, untouched, with its
 * CloudEvents headers, trace context and id), the metrics it counts, and idempotent sources without
 * Redis. Every rejection the skeleton knows is in {@link IngestRejectionsIT}.
 */
@SluiceInfra
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RouterIT {

    private static SkeletonRouter skeleton;

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
    static void start(KafkaBroker kafka) throws Exception {
        skeleton = SkeletonRouter.start(kafka, "it.router.events");
    }

    @AfterAll
    static void stop() throws Exception {
        if (skeleton != null) {
            skeleton.close();
        }
    }

    @Test
    void acceptedEventIsInKafkaWithPayloadUntouchedAndCloudEventsHeaders() throws Exception {
        byte[] payload = {'{', '"', 'a', '"', ':', '1', '}', 0, (byte) 0xC3, (byte) 0x28};
        long before = System.currentTimeMillis();
        HttpResponse<String> resp = skeleton.post(
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
        ConsumerRecord<byte[], byte[]> r = skeleton.recordWithId(id);
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
        HttpResponse<String> kept = skeleton.post(
                "/v1/events/orders",
                "{}".getBytes(StandardCharsets.UTF_8),
                "X-Key",
                "c-1",
                "traceparent",
                traceparent,
                "tracestate",
                "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7");
        assertEquals(202, kept.statusCode(), kept.body());
        ConsumerRecord<byte[], byte[]> r = skeleton.recordWithId(new JsonObject(kept.body()).getString("id"));
        assertEquals(traceparent, EventRecords.text(r.headers(), "traceparent"));
        assertEquals("congo=t61rcWkgMzE,rojo=00f067aa0ba902b7", EventRecords.text(r.headers(), "tracestate"));

        HttpResponse<String> restarted = skeleton.post(
                "/v1/events/orders",
                "{}".getBytes(StandardCharsets.UTF_8),
                "X-Key",
                "c-1",
                "traceparent",
                "00-not-a-trace-01",
                "tracestate",
                "congo=t61rcWkgMzE");
        assertEquals(202, restarted.statusCode(), restarted.body());
        ConsumerRecord<byte[], byte[]> fresh = skeleton.recordWithId(new JsonObject(restarted.body()).getString("id"));
        assertNotEquals(
                "00-not-a-trace-01",
                EventRecords.text(fresh.headers(), "traceparent"),
                "a new trace replaces a malformed one");
        assertNull(fresh.headers().lastHeader("tracestate"), "and starts without the old trace's state");
    }

    @Test
    void eventIdsAreUuidV7ByDefaultAndTheSourcesCeIdIsKept() throws Exception {
        HttpResponse<String> a = skeleton.post("/v1/events/byid", "x".getBytes(StandardCharsets.UTF_8));
        assertEquals(202, a.statusCode(), a.body());
        assertEquals(
                7,
                java.util
                        .UUID
                        .fromString(new JsonObject(a.body()).getString("id"))
                        .version());

        HttpResponse<String> b =
                skeleton.post("/v1/events/byid", "y".getBytes(StandardCharsets.UTF_8), "ce-id", "source-given-1");
        assertEquals("source-given-1", new JsonObject(b.body()).getString("id"));
    }

    @Test
    void metricsCountOutcomesPerRoute() throws Exception {
        assertEquals(202, skeleton.post("/v1/events/byid", new byte[] {1}).statusCode());
        String metrics = skeleton.get("/metrics").body();
        assertTrue(
                metrics.matches("(?s).*sluice_router_events_total\\{outcome=\"accepted\",route=\"byid\"} [1-9].*"),
                metrics);
        assertTrue(metrics.contains("sluice_router_produce_latency_seconds_bucket"), "produce latency histogram");
        assertEquals(200, skeleton.get("/health/live").statusCode());
    }

    @Test
    void withoutRedisAFailClosedSourceIs503AndAFailOpenSourceProducesEverySubmission() throws Exception {
        long before = skeleton.count();
        String key = "no-redis-" + System.nanoTime();
        HttpResponse<String> closed =
                skeleton.post("/v1/events/once-closed", "{}".getBytes(StandardCharsets.UTF_8), "idempotency-key", key);
        assertProblem(closed, 503, "idempotency-unavailable");
        assertTrue(new JsonObject(closed.body()).getString("detail").contains("no Redis is configured"), closed.body());
        // Nothing can be checked, so a fail-open source takes the same key twice, as two events.
        HttpResponse<String> first =
                skeleton.post("/v1/events/once-open", "{}".getBytes(StandardCharsets.UTF_8), "idempotency-key", key);
        HttpResponse<String> second =
                skeleton.post("/v1/events/once-open", "{}".getBytes(StandardCharsets.UTF_8), "idempotency-key", key);
        assertEquals(202, first.statusCode(), first.body());
        assertEquals(202, second.statusCode(), second.body());
        assertNotEquals(new JsonObject(first.body()).getString("id"), new JsonObject(second.body()).getString("id"));
        assertEquals(before + 2, skeleton.count());
    }
}
