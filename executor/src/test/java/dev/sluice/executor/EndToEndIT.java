package dev.sluice.executor;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.Catalog;
import dev.sluice.core.EventRecords;
import dev.sluice.core.IngestedEvent;
import dev.sluice.core.KafkaConfig;
import dev.sluice.core.Settings;
import dev.sluice.router.RouterApp;
import dev.sluice.router.RouterConfig;
import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Ports;
import dev.sluice.testkit.SluiceInfra;
import dev.sluice.testkit.WebhookTarget;
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
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** One event from HTTP to an executed workflow: router → real Kafka → executor → real webhook target. */
@SluiceInfra
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class EndToEndIT {

    private static final String TOPIC = "it.e2e.events";
    private static KafkaBroker kafka;
    private static WebhookTarget webhook;
    private static Vertx vertx;
    private static RouterApp router;
    private static ExecutorApp executor;
    private static int port;
    private static int executorManagement;
    private static final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @BeforeAll
    static void start(KafkaBroker broker) throws Exception {
        kafka = broker;
        for (String t : List.of(TOPIC, TOPIC + ".expired", TOPIC + ".dlq")) {
            kafka.createTopic(t, 3, Duration.ofMinutes(10));
        }
        webhook = WebhookTarget.start();
        Catalog catalog = Catalog.parse(new JsonObject("""
                {"routes": [{"source": "e2e", "topic": "%s", "partitions": 3, "key": "header:X-Key"}],
                 "workflows": [{"name": "hook", "sources": ["e2e"],
                                "steps": [{"type": "http", "url": "%s", "timeout": "2s"}]}]}
                """.formatted(TOPIC, webhook.url("/hook"))));
        vertx = Vertx.vertx();
        KafkaConfig kafkaConfig = KafkaConfig.of(kafka.bootstrapServers());
        port = Ports.freePort();
        RouterConfig rc = RouterConfig.from(Settings.of(Map.of("router.instances", "1"))).toBuilder()
                .ports("127.0.0.1", port, Ports.freePort())
                .build();
        router = RouterApp.start(vertx, rc, kafkaConfig, catalog, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))
                .toCompletionStage()
                .toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
        executorManagement = Ports.freePort();
        ExecutorConfig ec = ExecutorConfig.from(
                        Settings.of(Map.of("executor.instances", "2", "executor.retry.attempts", "3")))
                .withManagement("127.0.0.1", executorManagement)
                .withGroup("it-e2e-" + ThreadLocalRandom.current().nextInt(1 << 20));
        executor = ExecutorApp.start(
                        vertx, ec, kafkaConfig, catalog, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))
                .toCompletionStage()
                .toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(60))
                .until(() ->
                        executor.readiness().ready() && executor.assignment().size() == 3);
    }

    @AfterAll
    static void stop() throws Exception {
        if (executor != null) {
            executor.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        if (router != null) {
            router.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        if (webhook != null) {
            webhook.close();
        }
    }

    @BeforeEach
    void resetWebhook() {
        webhook.reset();
    }

    private static String post(byte[] body, String key) throws Exception {
        HttpResponse<String> resp = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/events/e2e"))
                        .header("X-Key", key)
                        .header("content-type", "application/octet-stream")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(202, resp.statusCode(), resp.body());
        return new JsonObject(resp.body()).getString("id");
    }

    private static List<WebhookTarget.Received> callsFor(String id) {
        return webhook.received("/hook").stream()
                .filter(r -> id.equals(r.header("ce-id")))
                .toList();
    }

    private static ConsumerRecord<byte[], byte[]> find(String topic, String id) {
        return kafka.readAll(topic, Duration.ofSeconds(10)).stream()
                .filter(r -> id.equals(EventRecords.text(r.headers(), "ce_id")))
                .findFirst()
                .orElse(null);
    }

    @Test
    void postedEventReachesTheWebhookByteForByteWithinTwoSecondsOfIngest() throws Exception {
        byte[] payload = new byte[300];
        ThreadLocalRandom.current().nextBytes(payload);
        String id = post(payload, "device-1");

        await().atMost(Duration.ofSeconds(10)).until(() -> callsFor(id).size() == 1);
        WebhookTarget.Received call = callsFor(id).get(0);
        assertArrayEquals(payload, call.body(), "payload arrives byte for byte");
        assertEquals("application/octet-stream", call.header("content-type"));
        assertEquals("/sources/e2e", call.header("ce-source"));

        long ingest = find(TOPIC, id).timestamp();
        long ingestToStart = call.receivedAtMillis() - ingest;
        assertTrue(ingestToStart >= 0 && ingestToStart < 2000, "ingest → start took " + ingestToStart + " ms");

        await().atMost(Duration.ofSeconds(5))
                .until(() -> metrics()
                        .matches(
                                "(?s).*sluice_executor_runs_total\\{outcome=\"succeeded\",workflow=\"hook\"} [1-9].*"));
        assertTrue(metrics().contains("sluice_event_latency_seconds_count"));
        try {
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> metrics().contains("sluice_executor_lag{partition=\"0\",topic=\"it.e2e.events\"}"));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(
                    metrics().lines().filter(l -> l.contains("lag")).toList().toString(), e);
        }
    }

    @Test
    void expiredEventGoesToTheExpiredTopicAndNeverReachesTheWebhook() throws Exception {
        long now = System.currentTimeMillis();
        String expiredId = "expired-" + now;
        IngestedEvent stale = new IngestedEvent(
                expiredId,
                "/sources/e2e",
                "t",
                null,
                null,
                "text/plain",
                null,
                null,
                "default",
                "e2e",
                now - 25_000,
                now - 5_000,
                "key-x".getBytes(StandardCharsets.UTF_8),
                "late".getBytes(StandardCharsets.UTF_8),
                null);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(EventRecords.toRecord(TOPIC, stale)).get(10, TimeUnit.SECONDS);
        }
        // A live event on the same key comes after it on the same partition: once it has run, the
        // expired one has been decided.
        String liveId = post("fresh".getBytes(StandardCharsets.UTF_8), "key-x");
        await().atMost(Duration.ofSeconds(10)).until(() -> callsFor(liveId).size() == 1);

        await().atMost(Duration.ofSeconds(10)).until(() -> find(TOPIC + ".expired", expiredId) != null);
        ConsumerRecord<byte[], byte[]> accounted = find(TOPIC + ".expired", expiredId);
        assertArrayEquals("late".getBytes(StandardCharsets.UTF_8), accounted.value());
        String reason = EventRecords.text(accounted.headers(), "sluice_expired_reason");
        assertNotNull(reason);
        assertTrue(reason.startsWith("deadline passed before start"), reason);
        assertTrue(EventRecords.text(accounted.headers(), "sluice_origin").startsWith(TOPIC + "/"));
        assertEquals(0, callsFor(expiredId).size(), "an expired event is never executed");
        assertTrue(metrics().matches("(?s).*sluice_executor_expired_total\\{topic=\"it.e2e.events\"} [1-9].*"));
    }

    @Test
    void aNonRetryable400GoesToTheDeadLetterTopicAtOnce() throws Exception {
        webhook.respondWith(400);
        String id = post("bad".getBytes(StandardCharsets.UTF_8), "key-dlq");
        await().atMost(Duration.ofSeconds(10)).until(() -> find(TOPIC + ".dlq", id) != null);
        ConsumerRecord<byte[], byte[]> dead = find(TOPIC + ".dlq", id);
        String error = EventRecords.text(dead.headers(), "sluice_error");
        assertTrue(error.contains("400") && error.contains("not retryable"), error);
        assertEquals("hook", EventRecords.text(dead.headers(), "sluice_workflow"));
        assertEquals(1, callsFor(id).size(), "no retry for a 400");
    }

    @Test
    void a503IsRetriedAndThenSucceeds() throws Exception {
        webhook.respondNext(2, 503);
        String id = post("flaky".getBytes(StandardCharsets.UTF_8), "key-retry");
        await().atMost(Duration.ofSeconds(10)).until(() -> callsFor(id).size() == 3);
        assertEquals(null, find(TOPIC + ".dlq", id));
    }

    private static String metrics() throws Exception {
        return http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + executorManagement + "/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }
}
