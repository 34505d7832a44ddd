package dev.sluice.router;

import static dev.sluice.router.EdgeRouter.b;
import static dev.sluice.router.Problems.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.EventRecords;
import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.SluiceInfra;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Batches at the production ingest edge against the real broker: NDJSON, JSON arrays and
 * CloudEvents batches are accepted, a bad line gets a 207 naming it while the good events are
 * stored, and a refused batch (too many events, wrong media type, empty, malformed) is a problem
 * with nothing reaching Kafka.
 */
@SluiceInfra
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class IngestBatchIT {

    private static EdgeRouter edge;

    @BeforeAll
    static void start(KafkaBroker kafka) throws Exception {
        edge = EdgeRouter.start(kafka, "it.edge.batches");
    }

    @AfterAll
    static void stop() throws Exception {
        if (edge != null) {
            edge.close();
        }
    }

    @Test
    void ndjsonBatchIsAcceptedWhole() throws Exception {
        HttpResponse<String> resp = edge.post(
                "/v1/events/batchy/batch", b("{\"n\":1}\n{\"n\": 2}\n[3]\n"), "content-type", "application/x-ndjson");
        assertEquals(202, resp.statusCode(), resp.body());
        JsonObject body = new JsonObject(resp.body());
        assertEquals(3, body.getInteger("accepted"));
        JsonArray results = body.getJsonArray("results");
        ConsumerRecord<byte[], byte[]> second =
                edge.record(results.getJsonObject(1).getString("id"));
        assertNotNull(second, "every event of an accepted batch is in Kafka");
        assertEquals(
                "{\"n\": 2}",
                new String(second.value(), StandardCharsets.UTF_8),
                "the line is the payload, as written");
    }

    @Test
    void aBatchWithABadLineIs207WithTheLineNumberAndTheGoodEventsStored() throws Exception {
        long before = edge.count();
        HttpResponse<String> resp = edge.post(
                "/v1/events/batchy/batch",
                b("{\"ok\":1}\n{oops\n{\"ok\":3}\n"),
                "content-type",
                "application/x-ndjson");
        assertEquals(207, resp.statusCode(), resp.body());
        JsonObject body = new JsonObject(resp.body());
        assertEquals(2, body.getInteger("accepted"));
        assertEquals(1, body.getInteger("rejected"));
        JsonObject bad = body.getJsonArray("results").getJsonObject(1);
        assertEquals(400, bad.getInteger("status"));
        assertEquals("malformed-json", bad.getJsonObject("problem").getString("reason"));
        assertTrue(bad.getJsonObject("problem").getString("detail").startsWith("line 2:"), bad.encode());
        assertEquals(before + 2, edge.count(), "the two good events, and only they, reached Kafka");
    }

    @Test
    void jsonArrayAndCloudEventsBatchesAreAccepted() throws Exception {
        HttpResponse<String> arr =
                edge.post("/v1/events/batchy/batch", b("[{\"a\":1},{\"a\":2}]"), "content-type", "application/json");
        assertEquals(202, arr.statusCode(), arr.body());
        HttpResponse<String> ce = edge.post(
                "/v1/events/batchy/batch",
                b(
                        "[{\"specversion\":\"1.0\",\"id\":\"ceb-1\",\"source\":\"/x\","
                                + "\"type\":\"t.b\",\"data\":{\"v\":1}},{\"specversion\":\"1.0\",\"id\":\"ceb-2\",\"source\":\"/x\"}]"),
                "content-type",
                "application/cloudevents-batch+json");
        assertEquals(207, ce.statusCode(), ce.body());
        ConsumerRecord<byte[], byte[]> r = edge.record("ceb-1");
        assertEquals("t.b", EventRecords.text(r.headers(), "ce_type"));
        assertEquals("{\"v\":1}", new String(r.value(), StandardCharsets.UTF_8));
        assertEquals(null, edge.record("ceb-2"), "the invalid CloudEvent is not produced");
    }

    @Test
    void malformedJsonArrayIs400AndProducesNothing() throws Exception {
        long before = edge.count();
        assertProblem(
                edge.post("/v1/events/batchy/batch", b("[{\"a\":1},"), "content-type", "application/json"),
                400,
                "malformed-json");
        assertEquals(before, edge.count());
    }

    @Test
    void batchRejectionsAreProblems() throws Exception {
        long before = edge.count();
        assertProblem(
                edge.post("/v1/events/batchy/batch", b("1\n2\n3\n4\n5\n6\n"), "content-type", "application/x-ndjson"),
                413,
                "batch-too-large");
        assertProblem(
                edge.post("/v1/events/batchy/batch", b("1"), "content-type", "text/csv"),
                415,
                "unsupported-media-type");
        assertProblem(
                edge.post("/v1/events/batchy/batch", b("\n\n"), "content-type", "application/x-ndjson"),
                400,
                "empty-batch");
        assertEquals(before, edge.count());
    }
}
