package dev.sluice.router;

import static dev.sluice.router.IdempotentRouter.CE_BATCH;
import static dev.sluice.router.IdempotentRouter.cloudEvents;
import static dev.sluice.router.IdempotentRouter.results;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Redis;
import dev.sluice.testkit.SluiceInfra;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Idempotent batches against real Redis and Kafka: a batch sent twice, or twice at once, is
 * produced once per event and the second answer replays every event with its original id; a
 * duplicate inside one batch is produced once; an NDJSON batch with an Idempotency-Key is
 * deduplicated per line; a refused event releases its claim so a retry tries it again.
 */
@SluiceInfra
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class IdempotentBatchIT {

    private static IdempotentRouter idem;

    @BeforeAll
    static void start(KafkaBroker kafka, Redis redisServer) throws Exception {
        idem = IdempotentRouter.start(kafka, redisServer, "it.idem.batches");
    }

    @AfterAll
    static void stop() throws Exception {
        if (idem != null) {
            idem.close();
        }
    }

    @Test
    void aBatchSentTwiceIsProducedOnceAndTheSecondAnswerReplaysEveryEventWithItsId() throws Exception {
        String run = "b" + System.nanoTime();
        String[] ids = {run + "-1", run + "-2", run + "-3", run + "-4"};
        HttpResponse<String> first =
                idem.postBatch("pay", CE_BATCH, cloudEvents(ids), null).get(30, TimeUnit.SECONDS);
        assertEquals(202, first.statusCode(), first.body());
        assertTrue(first.headers().firstValue("idempotent-replayed").isEmpty());
        HttpResponse<String> second =
                idem.postBatch("pay", CE_BATCH, cloudEvents(ids), null).get(30, TimeUnit.SECONDS);
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
            assertEquals(1, idem.records(id), "one record for " + id);
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
                List.of(idem.postBatch("pay", CE_BATCH, body, null), idem.postBatch("pay", CE_BATCH, body, null));
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
            assertEquals(1, idem.records(id), "one record for " + id);
        }
    }

    @Test
    void aDuplicateInsideOneBatchIsProducedOnceAndAnsweredWithTheFirstCopysId() throws Exception {
        String run = "d" + System.nanoTime();
        HttpResponse<String> r = idem.postBatch("pay", CE_BATCH, cloudEvents(run + "-a", run + "-b", run + "-a"), null)
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
        assertEquals(1, idem.records(run + "-a"));
        assertEquals(1, idem.records(run + "-b"));
    }

    @Test
    void anNdjsonBatchWithAnIdempotencyKeyIsDeduplicatedPerLine() throws Exception {
        String key = "upload-" + System.nanoTime();
        String ndjson = "{\"t\":1}\n{\"t\":2}\n{\"t\":1}\n";
        HttpResponse<String> first =
                idem.postBatch("pay", "application/x-ndjson", ndjson, key).get(30, TimeUnit.SECONDS);
        assertEquals(202, first.statusCode(), first.body());
        HttpResponse<String> second =
                idem.postBatch("pay", "application/x-ndjson", ndjson, key).get(30, TimeUnit.SECONDS);
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
            assertEquals(1, idem.records(id), "one record for " + id);
        }
    }

    @Test
    void aRefusedEventReleasesItsClaimSoTheRetryIsTriedAgain() throws Exception {
        String run = "f" + System.nanoTime();
        JsonArray batch = new JsonArray(cloudEvents(run + "-ok", run + "-big"));
        // Over the producer's max.request.size: never sent, refused as the sender's 413.
        batch.getJsonObject(1).put("data", new JsonObject().put("blob", "x".repeat(1_200_000)));
        HttpResponse<String> first =
                idem.postBatch("bulk", CE_BATCH, batch.encode(), null).get(30, TimeUnit.SECONDS);
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
            retry[0] = idem.postBatch("bulk", CE_BATCH, batch.encode(), null).get(30, TimeUnit.SECONDS);
            return retry[0].statusCode() == 207;
        });
        JsonArray items = results(retry[0]);
        assertEquals(true, items.getJsonObject(0).getBoolean("replayed"));
        assertEquals(413, items.getJsonObject(1).getInteger("status"));
        assertEquals(
                "too-large", items.getJsonObject(1).getJsonObject("problem").getString("reason"));
        assertEquals(1, idem.records(run + "-ok"));
        assertEquals(0, idem.records(run + "-big"));
    }
}
