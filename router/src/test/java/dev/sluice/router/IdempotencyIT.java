package dev.sluice.router;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import io.vertx.core.json.JsonArray;
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

/**
 * Idempotent ingest against real Redis and Kafka: concurrent duplicates produce one record, for
 * single events and for each event of a batch; a failed produce releases its claim; Redis down per
 * source policy.
 */
@SluiceInfra
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class IdempotencyIT {

    private static final String TOPIC = "it.idem.events";
    private static final String CE_BATCH = "application/cloudevents-batch+json";
    private static KafkaBroker kafka;
    private static Redis redis;
    private static Vertx vertx;
    private static RouterApp router;
    private static int port;
    private static final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start(KafkaBroker broker, Redis redisServer) throws Exception {
        kafka = broker;
        redis = redisServer;
        kafka.createTopic(TOPIC, 3, Duration.ofMinutes(10));
        Catalog catalog = Catalog.parse(new JsonObject("""
                {"routes": [{"source": "pay", "topic": "%1$s", "idempotency": "fail-closed"},
                            {"source": "iot", "topic": "%1$s", "idempotency": "fail-open"},
                            {"source": "bulk", "topic": "%1$s", "idempotency": "fail-closed", "maxBodyBytes": 4000000}]}
                """.formatted(TOPIC)));
        vertx = Vertx.vertx();
        port = Ports.freePort();
        RouterConfig config = RouterConfig.from(Settings.of(Map.of("router.instances", "2"))).toBuilder()
                .ports("127.0.0.1", port, Ports.freePort())
                .redis(redis.uri())
                .build();
        router = RouterApp.start(
                        vertx,
                        config,
                        KafkaConfig.of(kafka.bootstrapServers()),
                        catalog,
                        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))
                .toCompletionStage()
                .toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
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
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString("{\"charge\":1}"));
        if (key != null) {
            b.header("Idempotency-Key", key);
        }
        return http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString()).thenApply(ContractCheck::check);
    }

    private static CompletableFuture<HttpResponse<String>> postBatch(
            String source, String contentType, String body, String key) {
        HttpRequest.Builder b = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/v1/events/" + source + "/batch"))
                .timeout(Duration.ofSeconds(20))
                .header("content-type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            b.header("Idempotency-Key", key);
        }
        return http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString()).thenApply(ContractCheck::check);
    }

    /** A CloudEvents batch with these ids, in this order. */
    private static String cloudEvents(String... ids) {
        JsonArray batch = new JsonArray();
        for (String id : ids) {
            batch.add(new JsonObject()
                    .put("specversion", "1.0")
                    .put("id", id)
                    .put("source", "/it/pay")
                    .put("type", "charge")
                    .put("datacontenttype", "application/json")
                    .put("data", new JsonObject().put("charge", id)));
        }
        return batch.encode();
    }

    private static long records(String id) {
        return kafka.readAll(TOPIC, Duration.ofSeconds(10)).stream()
                .filter(r -> id.equals(EventRecords.text(r.headers(), "ce_id")))
                .count();
    }

    private static JsonArray results(HttpResponse<String> r) {
        return new JsonObject(r.body()).getJsonArray("results");
    }

    @Test
    void aBatchSentTwiceIsProducedOnceAndTheSecondAnswerReplaysEveryEventWithItsId() throws Exception {
        String run = "b" + System.nanoTime();
        String[] ids = {run + "-1", run + "-2", run + "-3", run + "-4"};
        HttpResponse<String> first =
                postBatch("pay", CE_BATCH, cloudEvents(ids), null).get(30, TimeUnit.SECONDS);
        assertEquals(202, first.statusCode(), first.body());
        assertTrue(first.headers().firstValue("idempotent-replayed").isEmpty());
        HttpResponse<String> second =
                postBatch("pay", CE_BATCH, cloudEvents(ids), null).get(30, TimeUnit.SECONDS);
        assertEquals(202, second.statusCode(), second.body());
        assertEquals("true", second.headers().firstValue("idempotent-replayed").orElse(null));
        JsonObject answer = new JsonObject(second.body());
        assertEquals(4, answer.getInteger("accepted"));
        assertEquals(4, answer.getInteger("replayed"));
        for (int i = 0; i < ids.length; i++) {
            JsonObject item = results(second).getJsonObject(i);
            assertEquals(202, item.getInteger("status"));
            assertEquals(ids[i], item.getString("id"));
            assertEquals(true, item.getBoolean("replayed"));
            assertEquals(
                    results(first).getJsonObject(i).getString("deadline"),
                    item.getString("deadline"),
                    "the original's deadline");
            assertFalse(results(first).getJsonObject(i).containsKey("replayed"));
        }
        for (String id : ids) {
            assertEquals(1, records(id), "one record for " + id);
        }
    }

    @Test
    void twoConcurrentIdenticalBatchesProduceExactlyOneRecordPerEvent() throws Exception {
        String run = "c" + System.nanoTime();
        String[] ids = new String[20];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = run + "-" + i;
        }
        String body = cloudEvents(ids);
        List<CompletableFuture<HttpResponse<String>>> both =
                List.of(postBatch("pay", CE_BATCH, body, null), postBatch("pay", CE_BATCH, body, null));
        List<HttpResponse<String>> answers = new ArrayList<>();
        for (CompletableFuture<HttpResponse<String>> f : both) {
            answers.add(f.get(30, TimeUnit.SECONDS));
        }
        for (HttpResponse<String> a : answers) {
            assertEquals(202, a.statusCode(), a.body());
        }
        for (int i = 0; i < ids.length; i++) {
            int produced = 0;
            for (HttpResponse<String> a : answers) {
                JsonObject item = results(a).getJsonObject(i);
                assertEquals(ids[i], item.getString("id"));
                produced += item.getBoolean("replayed", false) ? 0 : 1;
            }
            assertEquals(1, produced, "exactly one answer produced event " + i);
        }
        for (String id : ids) {
            assertEquals(1, records(id), "one record for " + id);
        }
    }

    @Test
    void aDuplicateInsideOneBatchIsProducedOnceAndAnsweredWithTheFirstCopysId() throws Exception {
        String run = "d" + System.nanoTime();
        HttpResponse<String> r = postBatch("pay", CE_BATCH, cloudEvents(run + "-a", run + "-b", run + "-a"), null)
                .get(30, TimeUnit.SECONDS);
        assertEquals(202, r.statusCode(), r.body());
        JsonArray items = results(r);
        assertFalse(items.getJsonObject(0).containsKey("replayed"));
        assertEquals(run + "-a", items.getJsonObject(2).getString("id"));
        assertEquals(true, items.getJsonObject(2).getBoolean("replayed"));
        assertEquals(
                items.getJsonObject(0).getString("deadline"),
                items.getJsonObject(2).getString("deadline"));
        assertEquals(1, new JsonObject(r.body()).getInteger("replayed"));
        assertEquals(1, records(run + "-a"));
        assertEquals(1, records(run + "-b"));
    }

    @Test
    void anNdjsonBatchWithAnIdempotencyKeyIsDeduplicatedPerLine() throws Exception {
        String key = "upload-" + System.nanoTime();
        String ndjson = "{\"t\":1}\n{\"t\":2}\n{\"t\":1}\n";
        HttpResponse<String> first =
                postBatch("pay", "application/x-ndjson", ndjson, key).get(30, TimeUnit.SECONDS);
        assertEquals(202, first.statusCode(), first.body());
        HttpResponse<String> second =
                postBatch("pay", "application/x-ndjson", ndjson, key).get(30, TimeUnit.SECONDS);
        assertEquals(202, second.statusCode(), second.body());
        assertEquals("true", second.headers().firstValue("idempotent-replayed").orElse(null));
        Set<String> ids = new java.util.HashSet<>();
        for (int i = 0; i < 3; i++) {
            String id = results(first).getJsonObject(i).getString("id");
            assertEquals(id, results(second).getJsonObject(i).getString("id"), "line " + i + " names its original");
            ids.add(id);
        }
        // Equal lines are distinct events under <key>/<index>: three records, once each.
        assertEquals(3, ids.size());
        for (String id : ids) {
            assertEquals(1, records(id), "one record for " + id);
        }
    }

    @Test
    void aRefusedEventReleasesItsClaimSoTheRetryIsTriedAgain() throws Exception {
        String run = "f" + System.nanoTime();
        JsonArray batch = new JsonArray(cloudEvents(run + "-ok", run + "-big"));
        // Over the producer's max.request.size: never sent, refused as the sender's 413.
        batch.getJsonObject(1).put("data", new JsonObject().put("blob", "x".repeat(1_200_000)));
        HttpResponse<String> first =
                postBatch("bulk", CE_BATCH, batch.encode(), null).get(30, TimeUnit.SECONDS);
        assertEquals(
                207,
                first.statusCode(),
                first.body().substring(0, Math.min(2000, first.body().length())));
        assertEquals(202, results(first).getJsonObject(0).getInteger("status"));
        assertEquals(413, results(first).getJsonObject(1).getInteger("status"));
        // The retry: the stored event is replayed; the refused one was released, so it is tried again
        // (and refused again) instead of waiting on a claim that would never settle.
        HttpResponse<String>[] retry = new HttpResponse[1];
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            retry[0] = postBatch("bulk", CE_BATCH, batch.encode(), null).get(30, TimeUnit.SECONDS);
            return retry[0].statusCode() == 207;
        });
        JsonArray items = results(retry[0]);
        assertEquals(true, items.getJsonObject(0).getBoolean("replayed"));
        assertEquals(413, items.getJsonObject(1).getInteger("status"));
        assertEquals(
                "too-large", items.getJsonObject(1).getJsonObject("problem").getString("reason"));
        assertEquals(1, records(run + "-ok"));
        assertEquals(0, records(run + "-big"));
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
        assertTrue(
                responses.stream().allMatch(r -> r.statusCode() == 202),
                responses.stream().map(HttpResponse::body).toList().toString());
        Set<String> ids = responses.stream()
                .map(r -> new JsonObject(r.body()).getString("id"))
                .collect(Collectors.toSet());
        assertEquals(1, ids.size(), "every answer names the same event");
        assertEquals(
                49,
                responses.stream()
                        .filter(r ->
                                r.headers().firstValue("idempotent-replayed").isPresent())
                        .count());
        String id = ids.iterator().next();
        long records = kafka.readAll(TOPIC, Duration.ofSeconds(10)).stream()
                .filter(r -> id.equals(EventRecords.text(r.headers(), "ce_id")))
                .count();
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
            String run = "r" + System.nanoTime();
            HttpResponse<String> closedBatch = postBatch("pay", CE_BATCH, cloudEvents(run + "-1", run + "-2"), null)
                    .get(20, TimeUnit.SECONDS);
            assertEquals(503, closedBatch.statusCode(), closedBatch.body());
            assertEquals("idempotency-unavailable", new JsonObject(closedBatch.body()).getString("reason"));
            HttpResponse<String> openBatch = postBatch(
                            "iot", CE_BATCH, cloudEvents(run + "-3", run + "-4", run + "-3"), null)
                    .get(20, TimeUnit.SECONDS);
            assertEquals(202, openBatch.statusCode(), openBatch.body());
            assertEquals(0, records(run + "-1") + records(run + "-2"), "nothing of the refused batch reached Kafka");
            // Even unchecked, a duplicate inside the batch is produced once.
            assertEquals(1, records(run + "-3"));
            assertEquals(1, records(run + "-4"));
        } finally {
            redis.restart();
        }
        await().atMost(Duration.ofSeconds(20))
                .until(() -> post("pay", "k-" + System.nanoTime()).get().statusCode() == 202);
    }
}
