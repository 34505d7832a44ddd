package dev.sluice.router;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.Catalog;
import dev.sluice.core.EventRecords;
import dev.sluice.core.KafkaConfig;
import dev.sluice.core.Settings;
import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Ports;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Idempotent ingest against real Redis and Kafka: concurrent duplicates produce one record; Redis down per source policy. */
@SluiceInfra
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class IdempotencyIT {

    private static final String TOPIC = "it.idem.events";
    private static KafkaBroker kafka;
    private static Redis redis;
    private static Vertx vertx;
    private static RouterApp router;
    private static int port;
    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start(KafkaBroker broker, Redis redisServer) throws Exception {
        kafka = broker;
        redis = redisServer;
        kafka.createTopic(TOPIC, 3, Duration.ofMinutes(10));
        Catalog catalog = Catalog.parse(new JsonObject("""
                {"routes": [{"source": "pay", "topic": "%1$s", "idempotency": "fail-closed"},
                            {"source": "iot", "topic": "%1$s", "idempotency": "fail-open"}]}
                """.formatted(TOPIC)));
        vertx = Vertx.vertx();
        port = Ports.freePort();
        RouterConfig config = RouterConfig.from(Settings.of(Map.of("router.instances", "2")))
                .withPorts("127.0.0.1", port, Ports.freePort()).withRedis(redis.uri());
        router = RouterApp.start(vertx, config, KafkaConfig.of(kafka.bootstrapServers()), catalog,
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(30)).until(() -> router.readiness().ready());
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

    private static CompletableFuture<HttpResponse<String>> post(String source, String key) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/events/" + source))
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString("{\"charge\":1}"));
        if (key != null) {
            b.header("Idempotency-Key", key);
        }
        return http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void fiftyConcurrentDuplicatesProduceOneRecordAndAllNameTheSameId() throws Exception {
        String key = "order-" + System.nanoTime();
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            all.add(post("pay", key));
        }
        List<HttpResponse<String>> responses = new ArrayList<>();
        for (CompletableFuture<HttpResponse<String>> f : all) {
            responses.add(f.get(20, TimeUnit.SECONDS));
        }
        assertTrue(responses.stream().allMatch(r -> r.statusCode() == 202), responses.stream().map(HttpResponse::body).toList().toString());
        Set<String> ids = responses.stream().map(r -> new JsonObject(r.body()).getString("id")).collect(Collectors.toSet());
        assertEquals(1, ids.size(), "every answer names the same event");
        assertEquals(49, responses.stream().filter(r -> r.headers().firstValue("idempotent-replayed").isPresent()).count());
        String id = ids.iterator().next();
        long records = kafka.readAll(TOPIC, Duration.ofSeconds(10)).stream()
                .filter(r -> id.equals(EventRecords.text(r.headers(), "ce_id"))).count();
        assertEquals(1, records, "exactly one record in Kafka");
    }

    @Test
    void withRedisDownAFailClosedSourceAnswers503AndAFailOpenSourceKeepsIngesting() throws Exception {
        redis.stop();
        try {
            HttpResponse<String> closed = post("pay", "k-" + System.nanoTime()).get(20, TimeUnit.SECONDS);
            assertEquals(503, closed.statusCode(), closed.body());
            assertEquals("idempotency-unavailable", new JsonObject(closed.body()).getString("reason"));
            HttpResponse<String> open = post("iot", "k-" + System.nanoTime()).get(20, TimeUnit.SECONDS);
            assertEquals(202, open.statusCode(), open.body());
        } finally {
            redis.restart();
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> post("pay", "k-" + System.nanoTime()).get().statusCode() == 202);
    }
}
