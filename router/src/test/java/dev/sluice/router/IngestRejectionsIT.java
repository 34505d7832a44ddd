package dev.sluice.router;

import static dev.sluice.router.Problems.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.SluiceInfra;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every rejection the router's skeleton knows, against the real broker: an oversized body (with or
 * without a Content-Length), an unknown source or path, a wrong method, a missing partition key,
 * and a source whose topic does not exist, which answers 503 at once and keeps readiness false.
 * Each is a problem, and none produces anything.
 */
@SluiceInfra
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class IngestRejectionsIT {

    private static SkeletonRouter skeleton;

    @BeforeAll
    static void start(KafkaBroker kafka) throws Exception {
        skeleton = SkeletonRouter.start(kafka, "it.router.rejections");
    }

    @AfterAll
    static void stop() throws Exception {
        if (skeleton != null) {
            skeleton.close();
        }
    }

    @Test
    void rejectsOversizedBodyWith413AndProducesNothing() throws Exception {
        long before = skeleton.count();
        HttpResponse<String> resp = skeleton.post("/v1/events/orders", new byte[1025], "X-Key", "k");
        assertProblem(resp, 413, "too-large");

        // Without a Content-Length (chunked), the limit is enforced while reading.
        HttpRequest chunked = HttpRequest.newBuilder(skeleton.uri("/v1/events/orders"))
                .header("X-Key", "k")
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(new byte[4096])))
                .build();
        try {
            HttpResponse<String> c = skeleton.send(chunked);
            assertProblem(c, 413, "too-large");
        } catch (java.io.IOException e) {
            // The server may close before the client finished writing; what matters is that nothing was produced.
        }
        assertEquals(before, skeleton.count(), "nothing reached Kafka");
    }

    @Test
    void unknownSourceIs404Problem() throws Exception {
        assertProblem(skeleton.post("/v1/events/nope", new byte[] {1}), 404, "unknown-source");
        assertProblem(skeleton.post("/v2/whatever", new byte[] {1}), 404, "not-found");
    }

    @Test
    void wrongMethodIs405WithAllow() throws Exception {
        HttpResponse<String> resp = skeleton.send(HttpRequest.newBuilder(skeleton.uri("/v1/events/orders"))
                .PUT(HttpRequest.BodyPublishers.ofString("x"))
                .build());
        assertProblem(resp, 405, "method-not-allowed");
        assertEquals("POST", resp.headers().firstValue("allow").orElse(""));
    }

    @Test
    void missingPartitionKeyHeaderIs400AndProducesNothing() throws Exception {
        long before = skeleton.count();
        assertProblem(skeleton.post("/v1/events/orders", new byte[] {1}), 400, "bad-partition-key");
        assertEquals(before, skeleton.count());
    }

    @Test
    void aSourceWhoseTopicDoesNotExistAnswers503AtOnceInsteadOfHanging() throws Exception {
        long t0 = System.nanoTime();
        HttpResponse<String> resp = skeleton.post("/v1/events/ghost", new byte[] {1});
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertProblem(resp, 503, "topic-unavailable");
        assertTrue(resp.headers().firstValue("retry-after").isPresent());
        assertTrue(ms < 1000, "answered in " + ms + " ms");
    }

    @Test
    void readinessIsFalseWhileATopicIsMissing() throws Exception {
        HttpResponse<String> ready = skeleton.get("/health/ready");
        assertEquals(503, ready.statusCode());
        JsonObject details = new JsonObject(ready.body());
        assertEquals("missing", details.getJsonObject("topics").getString("it.router.never-created"));
        assertEquals("reachable", details.getString("kafka"));
    }
}
