package dev.sluice.router;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.EventRecords;
import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.SluiceInfra;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * JSON nested far past any real event (100,000 levels of {@code [} or {@code {"a":}) wherever the
 * router parses JSON: a structured CloudEvent, the three batch formats, a route's schema and a
 * partition key pointer. Each is a 4xx problem (never a 500 from a StackOverflowError), nothing of
 * it reaches Kafka, and the router takes the next event. Nesting up to the parser's bound stays legal.
 */
@SluiceInfra
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NestedJsonIT {

    private static final String TOPIC = "it.nested.events";
    private static final int DEEP = 100_000;
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private static KafkaBroker kafka;
    private static RouterFixture router;

    @BeforeAll
    static void start(KafkaBroker broker) throws Exception {
        kafka = broker;
        kafka.createTopic(TOPIC, 1, Duration.ofMinutes(10));
        router = RouterFixture.start(kafka, """
                {"routes": [
                  {"source": "plain", "topic": "%1$s", "maxBodyBytes": 1048576},
                  {"source": "keyed", "topic": "%1$s", "key": "pointer:/a", "maxBodyBytes": 1048576},
                  {"source": "schemed", "topic": "%1$s", "maxBodyBytes": 1048576,
                   "schema": {"type": ["array", "object", "number"], "items": {"$ref": "#"}, "additionalProperties": {"$ref": "#"}}}]}
                """.formatted(TOPIC), Map.of());
        router.warmUp("plain");
    }

    @AfterAll
    static void stop() throws Exception {
        if (router != null) {
            router.close();
        }
    }

    private static String arrays(int depth) {
        return "[".repeat(depth) + "1" + "]".repeat(depth);
    }

    private static String objects(int depth) {
        return "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
    }

    private static String cloudEvent(String id, String data) {
        return "{\"specversion\":\"1.0\",\"id\":\"" + id + "\",\"source\":\"/nested\",\"type\":\"t\",\"data\":" + data
                + "}";
    }

    @Test
    void aStructuredCloudEventWithDeeplyNestedDataIs400() throws Exception {
        for (String data : new String[] {arrays(DEEP), objects(DEEP), "[".repeat(DEEP)}) {
            HttpResponse<String> resp = post(
                    "/v1/events/plain", cloudEvent("deep-ce-" + data.length(), data), "application/cloudevents+json");
            assertProblem(resp, 400, "malformed-json");
            assertTrue(new JsonObject(resp.body()).getString("detail").contains("nest"), resp.body());
        }
        assertNothingProduced("deep-ce-");
        assertRouterTakesTheNextEvent();
    }

    @Test
    void batchesHoldingADeeplyNestedEventAre400AndStoreNothingOfIt() throws Exception {
        long before = kafka.count(TOPIC);
        // A JSON array or a CloudEvents batch that does not parse is refused whole.
        assertProblem(
                post("/v1/events/plain/batch", "[{\"ok\":1}," + arrays(DEEP) + "]", "application/json"),
                400,
                "malformed-json");
        assertProblem(
                post(
                        "/v1/events/plain/batch",
                        "[" + cloudEvent("deep-batch-1", objects(DEEP)) + "]",
                        "application/cloudevents-batch+json"),
                400,
                "malformed-json");
        // NDJSON: the nested line is refused on its own; the line beside it stands.
        HttpResponse<String> nd =
                post("/v1/events/plain/batch", objects(DEEP) + "\n{\"beside\":true}\n", "application/x-ndjson");
        assertEquals(207, nd.statusCode(), nd.body());
        JsonArray results = new JsonObject(nd.body()).getJsonArray("results");
        assertEquals(400, results.getJsonObject(0).getInteger("status"), nd.body());
        assertEquals(202, results.getJsonObject(1).getInteger("status"), nd.body());
        assertEquals(before + 1, kafka.count(TOPIC), "only the line beside the nested one is stored");
        assertRouterTakesTheNextEvent();
    }

    @Test
    void aDeeplyNestedPayloadIsRefusedWhereTheRouteReadsIt() throws Exception {
        long before = kafka.count(TOPIC);
        // A schema must parse the payload to check it: too deep to parse cannot satisfy it.
        assertProblem(post("/v1/events/schemed", arrays(DEEP), "application/json"), 422, "schema-violation");
        assertProblem(post("/v1/events/schemed", objects(DEEP), "application/json"), 422, "schema-violation");
        // A partition key pointer must parse it too.
        HttpResponse<String> keyed = post("/v1/events/keyed", objects(DEEP), "application/json");
        assertTrue(keyed.statusCode() >= 400 && keyed.statusCode() < 500, keyed.statusCode() + " " + keyed.body());
        assertEquals(
                "application/problem+json",
                keyed.headers().firstValue("content-type").orElse(""));
        assertEquals(before, kafka.count(TOPIC), "nothing reached Kafka");
        assertRouterTakesTheNextEvent();
    }

    @Test
    void nestingWithinTheBoundStaysLegalEvenAgainstARecursiveSchema() throws Exception {
        String legal = arrays(400);
        assertEquals(202, post("/v1/events/schemed", legal, "application/json").statusCode());
        assertEquals(
                202,
                post("/v1/events/plain", cloudEvent("legal-ce", objects(400)), "application/cloudevents+json")
                        .statusCode());
    }

    @Test
    void aPlainPayloadIsStoredAsReceivedWithoutBeingParsed() throws Exception {
        // A route without schema or pointer never parses the payload: its depth costs the router nothing.
        String id = "opaque-" + System.nanoTime();
        String deep = arrays(DEEP);
        HttpResponse<String> resp = ContractCheck.check(HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + router.port() + "/v1/events/plain"))
                        .header("content-type", "application/json")
                        .header("ce-id", id)
                        .POST(HttpRequest.BodyPublishers.ofString(deep))
                        .timeout(Duration.ofSeconds(20))
                        .build(),
                HttpResponse.BodyHandlers.ofString()));
        assertEquals(202, resp.statusCode(), resp.body());
        byte[] stored = kafka.readAll(TOPIC, Duration.ofSeconds(5)).stream()
                .filter(r -> id.equals(EventRecords.text(r.headers(), "ce_id")))
                .findFirst()
                .orElseThrow()
                .value();
        assertArrayEquals(deep.getBytes(StandardCharsets.UTF_8), stored);
    }

    // ---------------------------------------------------------------- helpers

    private static HttpResponse<String> post(String path, String body, String contentType) throws Exception {
        return ContractCheck.check(HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + router.port() + path))
                        .header("content-type", contentType)
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .timeout(Duration.ofSeconds(20))
                        .build(),
                HttpResponse.BodyHandlers.ofString()));
    }

    private static void assertProblem(HttpResponse<String> resp, int status, String reason) {
        assertEquals(status, resp.statusCode(), resp.body());
        assertEquals(
                "application/problem+json",
                resp.headers().firstValue("content-type").orElse(""),
                resp.body());
        assertEquals(reason, new JsonObject(resp.body()).getString("reason"), resp.body());
    }

    private static void assertNothingProduced(String idPrefix) {
        Set<String> ids = kafka.readAll(TOPIC, Duration.ofSeconds(3)).stream()
                .map(r -> EventRecords.text(r.headers(), "ce_id"))
                .filter(id -> id != null && id.startsWith(idPrefix))
                .collect(Collectors.toSet());
        assertEquals(Set.of(), ids, "nothing of the nested events reached Kafka");
    }

    private static void assertRouterTakesTheNextEvent() throws Exception {
        assertEquals(200, router.readinessStatus());
        assertEquals(
                202,
                post("/v1/events/plain", "{\"next\":true}", "application/json").statusCode());
        assertEquals(0.0, router.events("internal-error"), "no request ended in a 500");
    }
}
