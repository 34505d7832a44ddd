package dev.sluice.router;

import dev.sluice.core.EventRecords;
import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Redis;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A router with Redis and three idempotent sources on a topic of its own: {@code pay}
 * (fail-closed), {@code iot} (fail-open) and {@code bulk} (fail-closed, bodies up to 4 MB).
 */
final class IdempotentRouter implements AutoCloseable {

    static final String CE_BATCH = "application/cloudevents-batch+json";
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String topic;
    private final KafkaBroker kafka;
    private final RouterFixture router;

    private IdempotentRouter(String topic, KafkaBroker kafka, RouterFixture router) {
        this.topic = topic;
        this.kafka = kafka;
        this.router = router;
    }

    static IdempotentRouter start(KafkaBroker kafka, Redis redis, String topic) throws Exception {
        kafka.createTopic(topic, 3, Duration.ofMinutes(10));
        String catalog = """
                {"routes": [{"source": "pay", "topic": "%1$s", "idempotency": "fail-closed"},
                            {"source": "iot", "topic": "%1$s", "idempotency": "fail-open"},
                            {"source": "bulk", "topic": "%1$s", "idempotency": "fail-closed", "maxBodyBytes": 4000000}]}
                """.formatted(topic);
        return new IdempotentRouter(
                topic, kafka, RouterFixture.start(kafka, catalog, Map.of(), b -> b.redis(redis.uri())));
    }

    /** One event to {@code source}, with {@code key} as its Idempotency-Key unless it is null. */
    CompletableFuture<HttpResponse<String>> post(String source, String key) {
        HttpRequest.Builder b = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + router.port() + "/v1/events/" + source))
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString("{\"charge\":1}"));
        if (key != null) {
            b.header("Idempotency-Key", key);
        }
        return HTTP.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString()).thenApply(ContractCheck::check);
    }

    CompletableFuture<HttpResponse<String>> postBatch(String source, String contentType, String body, String key) {
        HttpRequest.Builder b = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + router.port() + "/v1/events/" + source + "/batch"))
                .timeout(Duration.ofSeconds(20))
                .header("content-type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            b.header("Idempotency-Key", key);
        }
        return HTTP.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString()).thenApply(ContractCheck::check);
    }

    /** A CloudEvents batch with these ids, in this order. */
    static String cloudEvents(String... ids) {
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

    /** How many records in the topic carry {@code ce_id} {@code id}. */
    long records(String id) {
        return kafka.readAll(topic, Duration.ofSeconds(10)).stream()
                .filter(r -> id.equals(EventRecords.text(r.headers(), "ce_id")))
                .count();
    }

    static JsonArray results(HttpResponse<String> r) {
        return new JsonObject(r.body()).getJsonArray("results");
    }

    @Override
    public void close() throws Exception {
        router.close();
    }
}
