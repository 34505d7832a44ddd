package dev.sluice.router;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.SluiceInfra;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile events against a running router and the real broker: records Kafka refuses as too large
 * are the sender's 413 and never touch readiness or other traffic; attribute values no protocol
 * binding can carry are refused at ingest; a path with no source is a 404; CloudEvents rules hold
 * where the spec says must. Every refusal is checked for its problem and for nothing in Kafka.
 */
@SluiceInfra
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HostileEventsIT {

    private static final String TOPIC = "it.hostile.events";
    private static final String SMALL = "it.hostile.small";
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private static KafkaBroker kafka;
    private static RouterFixture it;
    private static RouterApp router;
    private static int port;
    private static PrometheusMeterRegistry registry;

    @BeforeAll
    static void start(KafkaBroker broker) throws Exception {
        kafka = broker;
        kafka.createTopic(TOPIC, 3, Duration.ofMinutes(10));
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            // A topic whose broker-side limit is far below the route's: the broker itself refuses the record.
            admin.createTopics(List.of(new NewTopic(SMALL, 1, (short) 1).configs(Map.of("max.message.bytes", "10000"))))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        }
        it = RouterFixture.start(kafka, """
                {"routes": [
                  {"source": "normal", "topic": "%1$s"},
                  {"source": "big", "topic": "%1$s", "maxBodyBytes": 4000000},
                  {"source": "small", "topic": "%2$s", "maxBodyBytes": 100000},
                  {"source": "schemed", "topic": "%1$s", "schema": {"type": "object", "required": ["device", "t"],
                   "properties": {"device": {"type": "string", "minLength": 1}, "t": {"type": "number", "minimum": -40, "maximum": 85}}}}]}
                """.formatted(TOPIC, SMALL), Map.of());
        router = it.app();
        registry = it.registry();
        port = it.port();
    }

    @AfterAll
    static void stop() throws Exception {
        if (it != null) {
            it.close();
        }
    }

    private static HttpResponse<String> post(String path, byte[] body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return ContractCheck.check(HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString()));
    }

    private static void assertProblem(HttpResponse<String> resp, int status, String reason) {
        assertEquals(status, resp.statusCode(), resp.body());
        assertEquals(
                "application/problem+json",
                resp.headers().firstValue("content-type").orElse(""),
                resp.body());
        assertEquals(reason, new JsonObject(resp.body()).getString("reason"), resp.body());
    }

    @Test
    void recordsKafkaRefusesAsTooLargeAre413AndLeaveReadinessAndOtherTrafficAlone() throws Exception {
        long before = kafka.count(TOPIC);
        // Random bytes: the producer compresses (lz4), and the broker's max.message.bytes bounds the
        // compressed batch, so 20,000 repeated bytes would fit and be stored.
        byte[] oversized = new byte[20_000];
        new java.util.Random(20).nextBytes(oversized);
        byte[] huge = new byte[1_500_000];
        java.util.Arrays.fill(huge, (byte) 'y');
        int normalAccepted = 0;
        int rounds = 30;
        for (int i = 0; i < rounds; i++) {
            // Refused by the broker (the topic's max.message.bytes), after the producer sent it.
            assertProblem(post("/v1/events/small", oversized), 413, "too-large");
            if (i % 10 == 0) {
                // Refused before it is sent: the record would be over the producer's max.request.size.
                assertProblem(post("/v1/events/big", huge), 413, "too-large");
            }
            assertTrue(
                    router.readiness().ready(),
                    "readiness is untouched by a client's oversized record: "
                            + router.readiness().details());
            HttpResponse<String> normal =
                    post("/v1/events/normal", ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8));
            if (normal.statusCode() == 202) {
                normalAccepted++;
            }
        }
        assertEquals(rounds, normalAccepted, "every normal event between the oversized ones was accepted");
        assertEquals(before + rounds, kafka.count(TOPIC));
        assertEquals(0, kafka.count(SMALL), "nothing oversized was stored");
    }

    @Test
    void attributeValuesThatCannotCrossIntoHttpHeadersAreRefusedAtIngest() throws Exception {
        long before = kafka.count(TOPIC);
        String[] bad = {
            "{\"specversion\":\"1.0\",\"id\":\"a\\r\\nX-Injected: 1\",\"source\":\"/s\",\"type\":\"t\"}",
            "{\"specversion\":\"1.0\",\"id\":\"b\",\"source\":\"/s\",\"type\":\"t\",\"subject\":\"nul\\u0000here\"}",
            "{\"specversion\":\"1.0\",\"id\":\"c\",\"source\":\"/s\",\"type\":\"t\",\"traceref\":\"line\\nbreak\"}",
            "{\"specversion\":\"1.0\",\"id\":\"" + "i".repeat(10 * 1024) + "\",\"source\":\"/s\",\"type\":\"t\"}",
            "{\"specversion\":\"1.0\",\"id\":\"d\",\"source\":\"/s\",\"type\":\"t\",\"time\":\"01/02/2026\"}",
            "{\"specversion\":\"1.0\",\"id\":\"e\",\"source\":\"/s\",\"type\":\"t\",\"data\":1,\"data_base64\":\"AA==\"}",
            "{\"specversion\":\"1.0\",\"id\":7,\"source\":\"/s\",\"type\":\"t\"}",
        };
        for (String body : bad) {
            assertProblem(
                    post(
                            "/v1/events/normal",
                            body.getBytes(StandardCharsets.UTF_8),
                            "content-type",
                            "application/cloudevents+json"),
                    400,
                    "invalid-cloudevent");
        }
        HttpResponse<String> batch = post(
                "/v1/events/normal/batch",
                ("[" + bad[0] + "," + bad[2] + "]").getBytes(StandardCharsets.UTF_8),
                "content-type",
                "application/cloudevents-batch+json");
        assertEquals(207, batch.statusCode(), batch.body());
        assertEquals(0, new JsonObject(batch.body()).getInteger("accepted"));
        assertProblem(
                post(
                        "/v1/events/normal",
                        "{}".getBytes(StandardCharsets.UTF_8),
                        "ce-specversion",
                        "1.0",
                        "ce-id",
                        "x%0Ay",
                        "ce-source",
                        "/s",
                        "ce-type",
                        "t"),
                400,
                "invalid-cloudevent");
        assertEquals(before, kafka.count(TOPIC), "nothing reached Kafka");
        // Legal, and accepted: an extension name of 25 characters (the spec's 20 is a recommendation).
        assertEquals(
                202,
                post(
                                "/v1/events/normal",
                                ("{\"specversion\":\"1.0\",\"id\":\"long-ext-" + System.nanoTime()
                                                + "\",\"source\":\"/s\",\"type\":\"t\",\"abcdefghijklmnopqrstuvwxy\":\"ok\"}")
                                        .getBytes(StandardCharsets.UTF_8),
                                "content-type",
                                "application/cloudevents+json")
                        .statusCode());
    }

    @Test
    void pathsThatNameNoSourceAre404ProblemsNotHangs() throws Exception {
        assertProblem(post("/v1/events/batch", "{}".getBytes(StandardCharsets.UTF_8)), 404, "unknown-source");
        assertProblem(post("/v1/events/", "{}".getBytes(StandardCharsets.UTF_8)), 404, "unknown-source");
        assertProblem(post("/v1/events//batch", "{}".getBytes(StandardCharsets.UTF_8)), 404, "unknown-source");
        assertProblem(post("/v1/events/normal/other", "{}".getBytes(StandardCharsets.UTF_8)), 404, "not-found");
        assertProblem(post("/v1/events/normal/batch/batch", "{}".getBytes(StandardCharsets.UTF_8)), 404, "not-found");
    }

    private static double counter(String name, String outcome) {
        io.micrometer.core.instrument.search.Search search = registry.find(name).tag("route", "normal");
        if (outcome != null) {
            search = search.tag("outcome", outcome);
        }
        io.micrometer.core.instrument.Counter c = search.counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void eventsWhoseSenderHungUpAfterTheProduceAreStillCounted() throws Exception {
        long before = kafka.count(TOPIC);
        double accepted = counter("sluice.router.events", "accepted");
        double unanswered = counter("sluice.router.unanswered", null);
        int n = 20;
        for (int i = 0; i < n; i++) {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                byte[] body = ("{\"gone\":" + i + "}").getBytes(StandardCharsets.UTF_8);
                s.getOutputStream()
                        .write(("POST /v1/events/normal HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                        + "Content-Length: " + body.length + "\r\n\r\n")
                                .getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().write(body);
                s.getOutputStream().flush();
            } // closed before any answer could come back
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> kafka.count(TOPIC) >= before + n);
        assertEquals(before + n, kafka.count(TOPIC));
        await().atMost(Duration.ofSeconds(5)).until(() -> counter("sluice.router.events", "accepted") - accepted >= n);
        assertEquals(
                n,
                counter("sluice.router.events", "accepted") - accepted,
                0.0,
                "every stored event is counted as accepted");
        assertTrue(counter("sluice.router.unanswered", null) - unanswered >= 1, "senders that hung up are counted");
    }

    @Test
    void aPayloadThatBreaksTheRoutesSchemaIs422NamingEachPointerAndRule() throws Exception {
        long before = kafka.count(TOPIC);
        HttpResponse<String> bad = post(
                "/v1/events/schemed",
                "{\"device\": \"\", \"t\": 120}".getBytes(StandardCharsets.UTF_8),
                "content-type",
                "application/json");
        assertProblem(bad, 422, "schema-violation");
        String detail = new JsonObject(bad.body()).getString("detail");
        assertTrue(detail.contains("/device (minLength)") && detail.contains("/t (maximum)"), detail);
        assertProblem(post("/v1/events/schemed", "not json".getBytes(StandardCharsets.UTF_8)), 422, "schema-violation");
        HttpResponse<String> batch = post(
                "/v1/events/schemed/batch",
                "{\"device\":\"d1\",\"t\":20}\n{\"t\":20}\n".getBytes(StandardCharsets.UTF_8),
                "content-type",
                "application/x-ndjson");
        assertEquals(207, batch.statusCode(), batch.body());
        assertEquals(
                422,
                new JsonObject(batch.body())
                        .getJsonArray("results")
                        .getJsonObject(1)
                        .getInteger("status"));
        assertEquals(before + 1, kafka.count(TOPIC), "only the event that satisfies the schema is stored");
        assertEquals(
                202,
                post("/v1/events/schemed", "{\"device\":\"d2\",\"t\":-3.5}".getBytes(StandardCharsets.UTF_8))
                        .statusCode());
    }

    @Test
    void metricsCarryTheJvmTheProcessAndTheKafkaProducer() throws Exception {
        assertEquals(
                202,
                post("/v1/events/normal", "{\"m\":1}".getBytes(StandardCharsets.UTF_8))
                        .statusCode());
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            String scrape = registry.scrape();
            for (String name : List.of(
                    "jvm_memory_used_bytes{",
                    "jvm_threads_live_threads",
                    "jvm_classes_loaded_classes",
                    "process_cpu_usage",
                    "process_uptime_seconds",
                    "system_cpu_count",
                    "kafka_producer_record_send_total",
                    "kafka_producer_record_error_total",
                    "kafka_producer_request_latency_avg")) {
                assertTrue(scrape.contains(name), name + " is on /metrics");
            }
        });
    }
}
