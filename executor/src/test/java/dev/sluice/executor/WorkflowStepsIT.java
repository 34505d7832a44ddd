package dev.sluice.executor;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.Catalog;
import dev.sluice.core.EventRecords;
import dev.sluice.core.KafkaConfig;
import dev.sluice.core.Settings;
import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Ports;
import dev.sluice.testkit.Postgres;
import dev.sluice.testkit.Redis;
import dev.sluice.testkit.SluiceInfra;
import dev.sluice.testkit.WebhookTarget;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.RedisAPI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A workflow of every step type against real Kafka, Redis and a webhook: filter, transform, redis, publish, http. */
@SluiceInfra
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WorkflowStepsIT {

    private static KafkaBroker kafka;
    private static WebhookTarget webhook;
    private static Vertx vertx;
    private static ExecutorApp executor;
    private static Fixtures fixtures;
    private static RedisAPI redis;
    private static int managementPort;

    @BeforeAll
    static void start(KafkaBroker broker, Redis redisServer, Postgres postgres, WebhookTarget target) throws Exception {
        kafka = broker;
        webhook = target;
        for (String t : List.of(
                "it.w.chain",
                "it.w.chain.expired",
                "it.w.chain.dlq",
                "it.w.out",
                "it.w.h2",
                "it.w.h2.expired",
                "it.w.h2.dlq")) {
            kafka.createTopic(t, 1, Duration.ofHours(1));
        }
        Catalog catalog = Catalog.parse(
                new JsonObject("""
                {"routes": [{"source": "chain", "topic": "it.w.chain", "partitions": 1},
                            {"source": "h2", "topic": "it.w.h2", "partitions": 1}],
                 "workflows": [
                   {"name": "w-chain", "sources": ["chain"], "filter": {"exact": {"type": "t"}},
                    "steps": [{"type": "filter", "condition": {"pointer": "/amount", "gt": 100}},
                              {"type": "transform", "set": {"/who": "{{/device}}", "/amount": "{{/amount}}", "/event": "{{$id}}"}},
                              {"type": "redis", "command": "incr", "key": "it:count:{{/who}}", "ttl": "60s"},
                              {"type": "publish", "topic": "it.w.out"},
                              {"type": "http", "url": "%s"}]},
                   {"name": "w-other", "sources": ["chain"], "filter": {"exact": {"type": "never"}},
                    "steps": [{"type": "http", "url": "%s"}]},
                   {"name": "w-h2", "sources": ["h2"], "steps": [{"type": "http", "url": "%s", "http2": true}]}]}
                """.formatted(webhook.url("/chain"), webhook.url("/other"), webhook.url("/h2"))));
        vertx = Vertx.vertx();
        managementPort = Ports.freePort();
        ExecutorConfig config = ExecutorConfig.from(Settings.of(Map.of("executor.instances", "1")))
                .withManagement("127.0.0.1", managementPort)
                .withGroup("it-steps-" + ThreadLocalRandom.current().nextInt(1 << 20))
                .withState(redisServer.uri(), postgres.createDatabase("workflow_steps"));
        executor = ExecutorApp.start(
                        vertx,
                        config,
                        KafkaConfig.of(kafka.bootstrapServers()),
                        catalog,
                        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))
                .toCompletionStage()
                .toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(60))
                .until(() ->
                        executor.readiness().ready() && !executor.assignment().isEmpty());
        fixtures = new Fixtures(kafka.bootstrapServers());
        redis = RedisAPI.api(io.vertx.redis.client.Redis.createClient(vertx, redisServer.uri()));
    }

    @AfterAll
    static void stop() throws Exception {
        if (executor != null) {
            executor.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        if (fixtures != null) {
            fixtures.close();
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aMatchingEventIsFilteredTransformedCountedPublishedAndPosted() throws Exception {
        String small = fixtures.send(
                "it.w.chain",
                "chain",
                null,
                "{\"device\": \"d-1\", \"amount\": 50}",
                "application/json",
                System.currentTimeMillis(),
                20_000);
        String big = fixtures.send(
                "it.w.chain",
                "chain",
                null,
                "{\"device\": \"d-1\", \"amount\": 150}",
                "application/json",
                System.currentTimeMillis(),
                20_000);
        fixtures.flush();

        await().atMost(Duration.ofSeconds(15))
                .until(() -> webhook.received("/chain").size() == 1);
        WebhookTarget.Received call = webhook.received("/chain").get(0);
        assertEquals(big, call.header("ce-id"), "the small amount stopped at the filter step");
        assertEquals(
                new JsonObject().put("who", "d-1").put("amount", 150).put("event", big),
                new JsonObject(call.bodyAsString()));
        assertEquals("application/json", call.header("content-type"));

        assertEquals(
                "1",
                redis.get("it:count:d-1")
                        .toCompletionStage()
                        .toCompletableFuture()
                        .get(5, TimeUnit.SECONDS)
                        .toString());
        long ttl = redis.pttl("it:count:d-1")
                .toCompletionStage()
                .toCompletableFuture()
                .get(5, TimeUnit.SECONDS)
                .toLong();
        assertTrue(ttl > 0 && ttl <= 60_000, "ttl " + ttl);

        List<ConsumerRecord<byte[], byte[]>> out = kafka.readAll("it.w.out", Duration.ofSeconds(10));
        assertEquals(1, out.size());
        assertEquals(big, EventRecords.text(out.get(0).headers(), "ce_id"));
        assertEquals("d-1", new JsonObject(new String(out.get(0).value(), StandardCharsets.UTF_8)).getString("who"));

        assertTrue(webhook.received("/other").isEmpty(), "w-other's filter matches nothing");
        String metrics = new String(
                java.net.http.HttpClient.newBuilder()
                        .version(java.net.http.HttpClient.Version.HTTP_1_1)
                        .build()
                        .send(
                                java.net.http.HttpRequest.newBuilder(
                                                java.net.URI.create("http://127.0.0.1:" + managementPort + "/metrics"))
                                        .build(),
                                java.net.http.HttpResponse.BodyHandlers.ofByteArray())
                        .body(),
                StandardCharsets.UTF_8);
        assertTrue(metrics.contains("sluice_executor_filtered_total{workflow=\"w-other\"} 2.0"), metrics);
        assertTrue(
                metrics.contains("sluice_executor_runs_total{outcome=\"succeeded\",workflow=\"w-chain\"} 2.0"),
                metrics);
        assertTrue(small != null);
    }

    @Test
    void anHttp2StepCallsItsTargetOverHttp2WithEveryHeaderAndBody() throws Exception {
        java.util.Set<String> sent = new java.util.HashSet<>();
        for (int i = 0; i < 50; i++) {
            sent.add(fixtures.send(
                    "it.w.h2",
                    "h2",
                    null,
                    "{\"n\": " + i + "}",
                    "application/json",
                    System.currentTimeMillis(),
                    20_000));
        }
        fixtures.flush();
        await().atMost(Duration.ofSeconds(15))
                .until(() -> webhook.received("/h2").size() >= 50);
        List<WebhookTarget.Received> calls = webhook.received("/h2");
        assertEquals(50, calls.size());
        java.util.Set<String> arrived = new java.util.HashSet<>();
        for (WebhookTarget.Received call : calls) {
            assertEquals("HTTP/2", call.version());
            assertEquals("application/json", call.header("content-type"));
            assertTrue(call.bodyAsString().startsWith("{\"n\": "), call.bodyAsString());
            arrived.add(call.header("ce-id"));
        }
        assertEquals(sent, arrived);
    }
}
