package dev.sluice.router;

import static dev.sluice.router.IdempotentRouter.CE_BATCH;
import static dev.sluice.router.IdempotentRouter.cloudEvents;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Redis;
import dev.sluice.testkit.SluiceInfra;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Idempotent single events against real Redis and Kafka: concurrent duplicates produce one record
 * and all name it; with Redis down a fail-closed source refuses and a fail-open one keeps
 * ingesting. Batches are in {@link IdempotentBatchIT}.
 */
@SluiceInfra
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class IdempotencyIT {

    private static IdempotentRouter idem;
    private static Redis redis;

    @BeforeAll
    static void start(KafkaBroker kafka, Redis redisServer) throws Exception {
        redis = redisServer;
        idem = IdempotentRouter.start(kafka, redisServer, "it.idem.events");
    }

    @AfterAll
    static void stop() throws Exception {
        if (idem != null) {
            idem.close();
        }
    }

    @Test
    void fiftyConcurrentDuplicatesProduceOneRecordAndAllNameTheSameId() throws Exception {
        String key = "order-" + System.nanoTime();
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            all.add(idem.post("pay", key));
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
        assertEquals(1, idem.records(id), "exactly one record in Kafka");
    }

    @Test
    void withRedisDownAFailClosedSourceAnswers503AndAFailOpenSourceKeepsIngesting() throws Exception {
        redis.stop();
        try {
            HttpResponse<String> closed =
                    idem.post("pay", "k-" + System.nanoTime()).get(20, TimeUnit.SECONDS);
            assertEquals(503, closed.statusCode(), closed.body());
            assertEquals("idempotency-unavailable", new JsonObject(closed.body()).getString("reason"));
            HttpResponse<String> open =
                    idem.post("iot", "k-" + System.nanoTime()).get(20, TimeUnit.SECONDS);
            assertEquals(202, open.statusCode(), open.body());
            String run = "r" + System.nanoTime();
            HttpResponse<String> closedBatch = idem.postBatch(
                            "pay", CE_BATCH, cloudEvents(run + "-1", run + "-2"), null)
                    .get(20, TimeUnit.SECONDS);
            assertEquals(503, closedBatch.statusCode(), closedBatch.body());
            assertEquals("idempotency-unavailable", new JsonObject(closedBatch.body()).getString("reason"));
            HttpResponse<String> openBatch = idem.postBatch(
                            "iot", CE_BATCH, cloudEvents(run + "-3", run + "-4", run + "-3"), null)
                    .get(20, TimeUnit.SECONDS);
            assertEquals(202, openBatch.statusCode(), openBatch.body());
            assertEquals(
                    0,
                    idem.records(run + "-1") + idem.records(run + "-2"),
                    "nothing of the refused batch reached Kafka");
            // Even unchecked, a duplicate inside the batch is produced once.
            assertEquals(1, idem.records(run + "-3"));
            assertEquals(1, idem.records(run + "-4"));
        } finally {
            redis.restart();
        }
        await().atMost(Duration.ofSeconds(20))
                .until(() -> idem.post("pay", "k-" + System.nanoTime()).get().statusCode() == 202);
    }
}
