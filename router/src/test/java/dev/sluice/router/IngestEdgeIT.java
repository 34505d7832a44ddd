package dev.sluice.router;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.Catalog;
import dev.sluice.core.EventRecords;
import dev.sluice.core.KafkaConfig;
import dev.sluice.core.Settings;
import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Ports;
import dev.sluice.testkit.SluiceInfra;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The production ingest edge against the real broker: batches, CloudEvents, content types, keys,
 * gzip, signatures, hot reload. Every rejection is checked for its status and problem body and for
 * nothing reaching Kafka. Connection-level behaviour (pipelining, HTTP/2, slow clients) is in
 * {@link ConnectionEdgeIT}.
 */
@SluiceInfra
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class IngestEdgeIT {

    private static final String TOPIC = "it.edge.events";
    private static KafkaBroker kafka;
    private static Vertx vertx;
    private static RouterApp router;
    private static int port;
    private static Path catalogFile;
    private static final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static final String CATALOG = """
            {"routes": [
              {"source": "batchy", "topic": "%1$s", "partitions": 3, "maxBatchEvents": 5, "maxBodyBytes": 4096},
              {"source": "typed", "topic": "%1$s", "contentTypes": ["application/json"]},
              {"source": "bypointer", "topic": "%1$s", "key": "pointer:/device"},
              {"source": "lenient", "topic": "%1$s", "key": "pointer:/device", "keyFallback": "id"},
              {"source": "signed", "topic": "%1$s", "signature": {"scheme": "sluice", "secrets": ["s3cret"]}}%2$s]}
            """;

    @BeforeAll
    static void start(KafkaBroker broker) throws Exception {
        kafka = broker;
        kafka.createTopic(TOPIC, 3, Duration.ofMinutes(10));
        catalogFile = Files.createTempFile("sluice-catalog", ".json");
        Files.writeString(catalogFile, CATALOG.formatted(TOPIC, ""));
        vertx = Vertx.vertx();
        port = Ports.freePort();
        RouterConfig config = RouterConfig.from(Settings.of(Map.of(
                        "router.instances",
                        "2",
                        "router.header.timeout",
                        "1s",
                        "router.body.timeout",
                        "1s",
                        "router.catalog.reload",
                        "200ms",
                        "router.read.idle.timeout",
                        "2s")))
                .toBuilder()
                .ports("127.0.0.1", port, Ports.freePort())
                .build();
        router = RouterApp.start(
                        vertx,
                        config,
                        KafkaConfig.of(kafka.bootstrapServers()),
                        Catalog.load(catalogFile),
                        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))
                .toCompletionStage()
                .toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
        router.watchCatalog(catalogFile);
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
        Files.deleteIfExists(catalogFile);
    }

    private static HttpResponse<String> post(String path, byte[] body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .version(HttpClient.Version.HTTP_1_1)
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return ContractCheck.check(http.send(b.build(), HttpResponse.BodyHandlers.ofString()));
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static ConsumerRecord<byte[], byte[]> record(String id) {
        return kafka.readAll(TOPIC, Duration.ofSeconds(10)).stream()
                .filter(r -> id.equals(EventRecords.text(r.headers(), "ce_id")))
                .findFirst()
                .orElse(null);
    }

    private static void assertProblem(HttpResponse<String> resp, int status, String reason) {
        assertEquals(status, resp.statusCode(), resp.body());
        assertEquals(
                "application/problem+json",
                resp.headers().firstValue("content-type").orElse(""));
        JsonObject p = new JsonObject(resp.body());
        assertEquals(reason, p.getString("reason"), resp.body());
        assertEquals(status, p.getInteger("status"));
    }

    @Test
    void ndjsonBatchIsAcceptedWhole() throws Exception {
        HttpResponse<String> resp = post(
                "/v1/events/batchy/batch", b("{\"n\":1}\n{\"n\": 2}\n[3]\n"), "content-type", "application/x-ndjson");
        assertEquals(202, resp.statusCode(), resp.body());
        JsonObject body = new JsonObject(resp.body());
        assertEquals(3, body.getInteger("accepted"));
        JsonArray results = body.getJsonArray("results");
        ConsumerRecord<byte[], byte[]> second = record(results.getJsonObject(1).getString("id"));
        assertNotNull(second, "every event of an accepted batch is in Kafka");
        assertEquals(
                "{\"n\": 2}",
                new String(second.value(), StandardCharsets.UTF_8),
                "the line is the payload, as written");
    }

    @Test
    void aBatchWithABadLineIs207WithTheLineNumberAndTheGoodEventsStored() throws Exception {
        long before = kafka.count(TOPIC);
        HttpResponse<String> resp = post(
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
        assertEquals(before + 2, kafka.count(TOPIC), "the two good events, and only they, reached Kafka");
    }

    @Test
    void jsonArrayAndCloudEventsBatchesAreAccepted() throws Exception {
        HttpResponse<String> arr =
                post("/v1/events/batchy/batch", b("[{\"a\":1},{\"a\":2}]"), "content-type", "application/json");
        assertEquals(202, arr.statusCode(), arr.body());
        HttpResponse<String> ce = post(
                "/v1/events/batchy/batch",
                b(
                        "[{\"specversion\":\"1.0\",\"id\":\"ceb-1\",\"source\":\"/x\","
                                + "\"type\":\"t.b\",\"data\":{\"v\":1}},{\"specversion\":\"1.0\",\"id\":\"ceb-2\",\"source\":\"/x\"}]"),
                "content-type",
                "application/cloudevents-batch+json");
        assertEquals(207, ce.statusCode(), ce.body());
        ConsumerRecord<byte[], byte[]> r = record("ceb-1");
        assertEquals("t.b", EventRecords.text(r.headers(), "ce_type"));
        assertEquals("{\"v\":1}", new String(r.value(), StandardCharsets.UTF_8));
        assertEquals(null, record("ceb-2"), "the invalid CloudEvent is not produced");
    }

    @Test
    void malformedJsonArrayIs400AndProducesNothing() throws Exception {
        long before = kafka.count(TOPIC);
        assertProblem(
                post("/v1/events/batchy/batch", b("[{\"a\":1},"), "content-type", "application/json"),
                400,
                "malformed-json");
        assertEquals(before, kafka.count(TOPIC));
    }

    @Test
    void batchRejectionsAreProblems() throws Exception {
        long before = kafka.count(TOPIC);
        assertProblem(
                post("/v1/events/batchy/batch", b("1\n2\n3\n4\n5\n6\n"), "content-type", "application/x-ndjson"),
                413,
                "batch-too-large");
        assertProblem(
                post("/v1/events/batchy/batch", b("1"), "content-type", "text/csv"), 415, "unsupported-media-type");
        assertProblem(
                post("/v1/events/batchy/batch", b("\n\n"), "content-type", "application/x-ndjson"), 400, "empty-batch");
        assertEquals(before, kafka.count(TOPIC));
    }

    @Test
    void structuredCloudEventBecomesABinaryModeRecordWithoutReEncoding() throws Exception {
        HttpResponse<String> resp = post(
                "/v1/events/batchy",
                b("{\"specversion\":\"1.0\",\"id\":\"ces-1\",\"source\":\"urn:x\","
                        + "\"type\":\"t.s\",\"subject\":\"s1\",\"data\":{ \"deep\" : [1,2] },\"traceid\":\"abc\"}"),
                "content-type",
                "application/cloudevents+json; charset=utf-8");
        assertEquals(202, resp.statusCode(), resp.body());
        ConsumerRecord<byte[], byte[]> r = record("ces-1");
        assertEquals("{ \"deep\" : [1,2] }", new String(r.value(), StandardCharsets.UTF_8));
        assertEquals("urn:x", EventRecords.text(r.headers(), "ce_source"));
        assertEquals("s1", EventRecords.text(r.headers(), "ce_subject"));
        assertEquals("abc", EventRecords.text(r.headers(), "ce_traceid"));
        assertEquals("application/json", EventRecords.text(r.headers(), "content-type"));
    }

    @Test
    void binaryModeCloudEventKeepsItsAttributesAndAnInvalidOneIs400() throws Exception {
        HttpResponse<String> ok = post(
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
        ConsumerRecord<byte[], byte[]> r = record("ceb-bin");
        assertArrayEquals(new byte[] {1, 2, 3}, r.value());
        assertEquals("eu", EventRecords.text(r.headers(), "ce_region"));

        long before = kafka.count(TOPIC);
        HttpResponse<String> bad =
                post("/v1/events/batchy", new byte[] {1}, "ce-specversion", "1.0", "ce-id", "x", "ce-source", "/s");
        assertProblem(bad, 400, "invalid-cloudevent");
        assertTrue(new JsonObject(bad.body()).getString("detail").contains("type"));
        assertProblem(
                post(
                        "/v1/events/batchy",
                        b("{\"specversion\":\"1.0\"}"),
                        "content-type",
                        "application/cloudevents+json"),
                400,
                "invalid-cloudevent");
        assertEquals(before, kafka.count(TOPIC));
    }

    @Test
    void aRouteRefusesContentTypesItDoesNotTakeWith415() throws Exception {
        long before = kafka.count(TOPIC);
        assertProblem(post("/v1/events/typed", b("a,b"), "content-type", "text/csv"), 415, "unsupported-media-type");
        assertEquals(before, kafka.count(TOPIC));
        assertEquals(
                202,
                post("/v1/events/typed", b("{}"), "content-type", "application/json; charset=utf-8")
                        .statusCode());
    }

    @Test
    void anUnresolvedPointerKeyIs400UnlessTheRouteHasAFallback() throws Exception {
        long before = kafka.count(TOPIC);
        assertProblem(
                post("/v1/events/bypointer", b("{\"other\":1}"), "content-type", "application/json"),
                400,
                "bad-partition-key");
        assertEquals(before, kafka.count(TOPIC));
        HttpResponse<String> ok =
                post("/v1/events/bypointer", b("{\"device\":\"d-9\"}"), "content-type", "application/json");
        assertArrayEquals(
                b("d-9"), record(new JsonObject(ok.body()).getString("id")).key());
        assertEquals(
                202,
                post("/v1/events/lenient", b("{\"other\":1}"), "content-type", "application/json")
                        .statusCode());
    }

    @Test
    void aMissingTraceparentGetsANewOne() throws Exception {
        HttpResponse<String> resp = post("/v1/events/batchy", b("{}"));
        String tp = EventRecords.text(
                record(new JsonObject(resp.body()).getString("id")).headers(), "traceparent");
        assertTrue(tp != null && tp.matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01"), String.valueOf(tp));
    }

    @Test
    void gzipBodiesAreDecompressedBeforeTheyAreStored() throws Exception {
        ByteArrayOutputStream zipped = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(zipped)) {
            gz.write(b("{\"compressed\":true}"));
        }
        HttpResponse<String> resp = post(
                "/v1/events/batchy",
                zipped.toByteArray(),
                "content-encoding",
                "gzip",
                "content-type",
                "application/json");
        assertEquals(202, resp.statusCode(), resp.body());
        assertEquals(
                "{\"compressed\":true}",
                new String(record(new JsonObject(resp.body()).getString("id")).value(), StandardCharsets.UTF_8));
    }

    @Test
    void aRouteAddedToTheCatalogFileTakesTrafficWithoutARestart() throws Exception {
        assertProblem(post("/v1/events/hot", b("{}")), 404, "unknown-source");
        Files.writeString(
                catalogFile, CATALOG.formatted(TOPIC, ",\n{\"source\": \"hot\", \"topic\": \"" + TOPIC + "\"}"));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> post("/v1/events/hot", b("{}")).statusCode() == 202);
        // A broken file is ignored: the routes in force stay.
        Files.writeString(catalogFile, "{ not json");
        Files.setLastModifiedTime(
                catalogFile, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
        await().pollDelay(Duration.ofMillis(600))
                .atMost(Duration.ofSeconds(5))
                .until(() -> post("/v1/events/hot", b("{}")).statusCode() == 202);
    }

    @Test
    void aSignedSourceRefusesBadSignaturesWith401AndProducesNothing() throws Exception {
        byte[] body = b("{\"pay\":1}");
        String t = Long.toString(System.currentTimeMillis() / 1000);
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(b("s3cret"), "HmacSHA256"));
        mac.update(b(t + "."));
        String sig = java.util.HexFormat.of().formatHex(mac.doFinal(body));
        long before = kafka.count(TOPIC);
        assertProblem(post("/v1/events/signed", body), 401, "bad-signature");
        assertProblem(
                post(
                        "/v1/events/signed",
                        body,
                        "sluice-signature",
                        "t=" + t + ",v1=" + sig.substring(0, sig.length() - 1) + (sig.endsWith("0") ? "1" : "0")),
                401,
                "bad-signature");
        assertProblem(
                post("/v1/events/signed", b("{\"pay\":2}"), "sluice-signature", "t=" + t + ",v1=" + sig),
                401,
                "bad-signature");
        assertEquals(before, kafka.count(TOPIC), "nothing reached Kafka");
        assertEquals(
                202,
                post("/v1/events/signed", body, "sluice-signature", "t=" + t + ",v1=" + sig)
                        .statusCode());
    }
}
