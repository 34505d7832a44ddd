package dev.sluice.router;

import static dev.sluice.router.EdgeRouter.b;
import static dev.sluice.router.Problems.assertProblem;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.EventRecords;
import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.SluiceInfra;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The production ingest edge against the real broker, one event at a time: CloudEvents in
 * structured and binary mode, content types, pointer keys, trace context, gzip, signatures, hot
 * reload. Every rejection is checked for its status and problem body and for nothing reaching
 * Kafka. Batches are in {@link IngestBatchIT}; connection-level behaviour (pipelining, HTTP/2, slow
 * clients) is in {@link ConnectionEdgeIT}.
 */
@SluiceInfra
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class IngestEdgeIT {

    private static EdgeRouter edge;

    @BeforeAll
    static void start(KafkaBroker kafka) throws Exception {
        edge = EdgeRouter.start(kafka, "it.edge.events");
    }

    @AfterAll
    static void stop() throws Exception {
        if (edge != null) {
            edge.close();
        }
    }

    @Test
    void structuredCloudEventBecomesABinaryModeRecordWithoutReEncoding() throws Exception {
        HttpResponse<String> resp = edge.post(
                "/v1/events/batchy",
                b("{\"specversion\":\"1.0\",\"id\":\"ces-1\",\"source\":\"urn:x\","
                        + "\"type\":\"t.s\",\"subject\":\"s1\",\"data\":{ \"deep\" : [1,2] },\"traceid\":\"abc\"}"),
                "content-type",
                "application/cloudevents+json; charset=utf-8");
        assertEquals(202, resp.statusCode(), resp.body());
        ConsumerRecord<byte[], byte[]> r = edge.record("ces-1");
        assertEquals("{ \"deep\" : [1,2] }", new String(r.value(), StandardCharsets.UTF_8));
        assertEquals("urn:x", EventRecords.text(r.headers(), "ce_source"));
        assertEquals("s1", EventRecords.text(r.headers(), "ce_subject"));
        assertEquals("abc", EventRecords.text(r.headers(), "ce_traceid"));
        assertEquals("application/json", EventRecords.text(r.headers(), "content-type"));
    }

    @Test
    void binaryModeCloudEventKeepsItsAttributesAndAnInvalidOneIs400() throws Exception {
        HttpResponse<String> ok = edge.post(
                "/v1/events/batchy",
                new byte[] {1, 2, 3},
                "content-type",
                "application/octet-stream",
                "ce-specversion",
                "1.0",
                "ce-id",
                "ceb-bin",
                "ce-source",
                "/dev/9",
                "ce-type",
                "t.bin",
                "ce-region",
                "eu");
        assertEquals(202, ok.statusCode(), ok.body());
        ConsumerRecord<byte[], byte[]> r = edge.record("ceb-bin");
        assertArrayEquals(new byte[] {1, 2, 3}, r.value());
        assertEquals("eu", EventRecords.text(r.headers(), "ce_region"));

        long before = edge.count();
        HttpResponse<String> bad = edge.post(
                "/v1/events/batchy", new byte[] {1}, "ce-specversion", "1.0", "ce-id", "x", "ce-source", "/s");
        assertProblem(bad, 400, "invalid-cloudevent");
        assertTrue(new JsonObject(bad.body()).getString("detail").contains("type"));
        assertProblem(
                edge.post(
                        "/v1/events/batchy",
                        b("{\"specversion\":\"1.0\"}"),
                        "content-type",
                        "application/cloudevents+json"),
                400,
                "invalid-cloudevent");
        assertEquals(before, edge.count());
    }

    @Test
    void aRouteRefusesContentTypesItDoesNotTakeWith415() throws Exception {
        long before = edge.count();
        assertProblem(
                edge.post("/v1/events/typed", b("a,b"), "content-type", "text/csv"), 415, "unsupported-media-type");
        assertEquals(before, edge.count());
        assertEquals(
                202,
                edge.post("/v1/events/typed", b("{}"), "content-type", "application/json; charset=utf-8")
                        .statusCode());
    }

    @Test
    void anUnresolvedPointerKeyIs400UnlessTheRouteHasAFallback() throws Exception {
        long before = edge.count();
        assertProblem(
                edge.post("/v1/events/bypointer", b("{\"other\":1}"), "content-type", "application/json"),
                400,
                "bad-partition-key");
        assertEquals(before, edge.count());
        HttpResponse<String> ok =
                edge.post("/v1/events/bypointer", b("{\"device\":\"d-9\"}"), "content-type", "application/json");
        assertArrayEquals(
                b("d-9"), edge.record(new JsonObject(ok.body()).getString("id")).key());
        assertEquals(
                202,
                edge.post("/v1/events/lenient", b("{\"other\":1}"), "content-type", "application/json")
                        .statusCode());
    }

    @Test
    void aMissingTraceparentGetsANewOne() throws Exception {
        HttpResponse<String> resp = edge.post("/v1/events/batchy", b("{}"));
        String tp = EventRecords.text(
                edge.record(new JsonObject(resp.body()).getString("id")).headers(), "traceparent");
        assertTrue(tp != null && tp.matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01"), String.valueOf(tp));
    }

    @Test
    void gzipBodiesAreDecompressedBeforeTheyAreStored() throws Exception {
        ByteArrayOutputStream zipped = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(zipped)) {
            gz.write(b("{\"compressed\":true}"));
        }
        HttpResponse<String> resp = edge.post(
                "/v1/events/batchy",
                zipped.toByteArray(),
                "content-encoding",
                "gzip",
                "content-type",
                "application/json");
        assertEquals(202, resp.statusCode(), resp.body());
        assertEquals(
                "{\"compressed\":true}",
                new String(
                        edge.record(new JsonObject(resp.body()).getString("id")).value(), StandardCharsets.UTF_8));
    }

    @Test
    void aRouteAddedToTheCatalogFileTakesTrafficWithoutARestart() throws Exception {
        assertProblem(edge.post("/v1/events/hot", b("{}")), 404, "unknown-source");
        Files.writeString(
                edge.catalogFile,
                EdgeRouter.catalog(edge.topic, ",\n{\"source\": \"hot\", \"topic\": \"" + edge.topic + "\"}"));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> edge.post("/v1/events/hot", b("{}")).statusCode() == 202);
        // A broken file is ignored: the routes in force stay.
        Files.writeString(edge.catalogFile, "{ not json");
        Files.setLastModifiedTime(
                edge.catalogFile, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
        await().pollDelay(Duration.ofMillis(600))
                .atMost(Duration.ofSeconds(5))
                .until(() -> edge.post("/v1/events/hot", b("{}")).statusCode() == 202);
    }

    @Test
    void aSignedSourceRefusesBadSignaturesWith401AndProducesNothing() throws Exception {
        byte[] body = b("{\"pay\":1}");
        String t = Long.toString(System.currentTimeMillis() / 1000);
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(b("s3cret"), "HmacSHA256"));
        mac.update(b(t + "."));
        String sig = java.util.HexFormat.of().formatHex(mac.doFinal(body));
        long before = edge.count();
        assertProblem(edge.post("/v1/events/signed", body), 401, "bad-signature");
        assertProblem(
                edge.post(
                        "/v1/events/signed",
                        body,
                        "sluice-signature",
                        "t=" + t + ",v1=" + sig.substring(0, sig.length() - 1) + (sig.endsWith("0") ? "1" : "0")),
                401,
                "bad-signature");
        assertProblem(
                edge.post("/v1/events/signed", b("{\"pay\":2}"), "sluice-signature", "t=" + t + ",v1=" + sig),
                401,
                "bad-signature");
        assertEquals(before, edge.count(), "nothing reached Kafka");
        assertEquals(
                202,
                edge.post("/v1/events/signed", body, "sluice-signature", "t=" + t + ",v1=" + sig)
                        .statusCode());
    }
}
