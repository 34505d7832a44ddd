package dev.sluice.router;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.EventRecords;
import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Redis;
import dev.sluice.testkit.Signals;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a sender is told is true, with faults injected into a broker and a Redis of this test's own:
 * a retry after a retryable refusal goes through (every signature scheme); a retry after a
 * {@code produce-timeout} whose record landed late gets the original id, and the event is in Kafka
 * once; a stalled Redis is answered within the Redis bound, fail-closed with 503 and fail-open
 * with 202.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SenderPromiseIT {

    private static final String TOPIC = "it.promise.events";
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private static final byte[] WH_KEY = "standard webhooks key".getBytes(StandardCharsets.UTF_8);

    private static KafkaBroker kafka;
    private static Redis redis;
    private static RouterFixture router;
    private static int port;

    private static final String CATALOG = """
            {"routes": [
              {"source": "s-sluice", "topic": "%1$s", "rateLimit": {"events": 1}, "signature": {"scheme": "sluice", "secrets": ["k"]}},
              {"source": "s-stripe", "topic": "%1$s", "rateLimit": {"events": 1}, "signature": {"scheme": "stripe", "secrets": ["k"]}},
              {"source": "s-github", "topic": "%1$s", "rateLimit": {"events": 1}, "signature": {"scheme": "github", "secrets": ["k"]}},
              {"source": "s-standard", "topic": "%1$s", "rateLimit": {"events": 1},
               "signature": {"scheme": "standard-webhooks", "secrets": ["whsec_%2$s"]}},
              {"source": "idem-closed", "topic": "%1$s", "idempotency": "fail-closed"},
              {"source": "idem-open", "topic": "%1$s", "idempotency": "fail-open"}]}
            """;

    @BeforeAll
    static void start() throws Exception {
        kafka = KafkaBroker.start();
        kafka.createTopic(TOPIC, 3, Duration.ofMinutes(10));
        redis = Redis.startLocal();
        router = RouterFixture.start(
                kafka,
                CATALOG.formatted(TOPIC, Base64.getEncoder().encodeToString(WH_KEY)),
                Map.of("router.instances", "1", "redis.url", redis.uri()));
        port = router.port();
    }

    @AfterAll
    static void stop() throws Exception {
        if (router != null) {
            router.close();
        }
        if (redis != null) {
            redis.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    private static HttpResponse<String> post(String source, String body, List<String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/events/" + source))
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (!headers.isEmpty()) {
            b.headers(headers.toArray(String[]::new));
        }
        return ContractCheck.check(HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString()));
    }

    private static String hmacHex(String key, String text) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** The headers that sign {@code body} for the scheme, the way that scheme's senders do. */
    private static List<String> signed(String scheme, String body, String deliveryId) throws Exception {
        long t = System.currentTimeMillis() / 1000;
        return switch (scheme) {
            case "sluice" -> List.of("Sluice-Signature", "t=" + t + ",v1=" + hmacHex("k", t + "." + body));
            case "stripe" -> List.of("Stripe-Signature", "t=" + t + ",v1=" + hmacHex("k", t + "." + body));
            case "github" -> List.of("X-Hub-Signature-256", "sha256=" + hmacHex("k", body));
            default -> {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(WH_KEY, "HmacSHA256"));
                String sig = Base64.getEncoder()
                        .encodeToString(
                                mac.doFinal((deliveryId + "." + t + "." + body).getBytes(StandardCharsets.UTF_8)));
                yield List.of(
                        "webhook-id",
                        deliveryId,
                        "webhook-timestamp",
                        Long.toString(t),
                        "webhook-signature",
                        "v1," + sig);
            }
        };
    }

    private static List<ConsumerRecord<byte[], byte[]>> withBody(String body) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.readAll(TOPIC, Duration.ofSeconds(5))) {
            if (body.equals(new String(r.value(), StandardCharsets.UTF_8))) {
                out.add(r);
            }
        }
        return out;
    }

    @Test
    void aSignedDeliveryRefusedWithA429IsAcceptedWhenResentUnchangedInEveryScheme() throws Exception {
        for (String scheme : List.of("sluice", "stripe", "github", "standard")) {
            String source = "s-" + scheme;
            String run = scheme + "-" + System.nanoTime();
            // Use up the source's one event per second, then send the delivery that gets 429.
            HttpResponse<String> limited = null;
            String body = null;
            List<String> headers = null;
            for (int attempt = 0; attempt < 20 && (limited == null || limited.statusCode() != 429); attempt++) {
                String filler = "{\"filler\":\"" + run + "-" + attempt + "\"}";
                post(source, filler, signed(scheme, filler, "f-" + run + "-" + attempt));
                body = "{\"run\":\"" + run + "\",\"attempt\":" + attempt + "}";
                headers = signed(scheme, body, "d-" + run + "-" + attempt);
                limited = post(source, body, headers);
            }
            assertEquals(429, limited.statusCode(), scheme + ": " + limited.body());
            // The sender's retry, byte for byte the same, once the window has passed.
            String sameBody = body;
            List<String> sameHeaders = headers;
            HttpResponse<String>[] retry = new HttpResponse[1];
            await().atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        retry[0] = post(source, sameBody, sameHeaders);
                        return retry[0].statusCode() != 429;
                    });
            assertEquals(
                    202,
                    retry[0].statusCode(),
                    scheme + ": the retry of a refused delivery is accepted, not punished: " + retry[0].body());
            String id = new JsonObject(retry[0].body()).getString("id");
            // And a replay of the accepted delivery is answered with the original, not stored again (replays count
            // against the rate limit like any request, so it too may have to wait for the next window).
            HttpResponse<String>[] again = new HttpResponse[1];
            await().atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        again[0] = post(source, sameBody, sameHeaders);
                        return again[0].statusCode() != 429;
                    });
            HttpResponse<String> replay = again[0];
            assertEquals(202, replay.statusCode(), replay.body());
            assertEquals(id, new JsonObject(replay.body()).getString("id"));
            assertEquals(
                    "true", replay.headers().firstValue("idempotent-replayed").orElse(null));
            assertEquals(1, withBody(sameBody).size(), scheme + ": one delivery, one record");
        }
    }

    @Test
    void aRetryAfterAProduceTimeoutGetsTheOriginalIdAndTheEventIsInKafkaOnce() throws Exception {
        String body = "{\"pay\":\"" + System.nanoTime() + "\"}";
        List<String> headers =
                List.of("Idempotency-Key", "pay-" + System.nanoTime(), "content-type", "application/json");
        ProcessHandle broker = brokerProcess();
        Signals.send(broker, "STOP");
        HttpResponse<String> timedOut;
        try {
            timedOut = post("idem-closed", body, headers);
        } finally {
            // Back within the producer's delivery timeout: the record lands after its request was answered 503.
            Thread.sleep(500);
            Signals.send(broker, "CONT");
        }
        assertEquals(503, timedOut.statusCode(), timedOut.body());
        assertEquals("produce-timeout", new JsonObject(timedOut.body()).getString("reason"));
        HttpResponse<String>[] retry = new HttpResponse[1];
        await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    retry[0] = post("idem-closed", body, headers);
                    return retry[0].statusCode() != 503;
                });
        assertEquals(202, retry[0].statusCode(), retry[0].body());
        List<ConsumerRecord<byte[], byte[]>> stored = withBody(body);
        assertEquals(1, stored.size(), "the retry did not store the event a second time");
        assertEquals(
                EventRecords.text(stored.get(0).headers(), "ce_id"),
                new JsonObject(retry[0].body()).getString("id"),
                "the retry answers with the id the late record landed under");
        assertEquals(
                "true", retry[0].headers().firstValue("idempotent-replayed").orElse(null));
    }

    @Test
    void aStalledRedisIsAnsweredWithinItsBoundFailClosedWith503AndFailOpenWith202() throws Exception {
        redis.pause();
        try {
            for (int i = 0; i < 3; i++) {
                long start = System.nanoTime();
                HttpResponse<String> closed = post(
                        "idem-closed", "{\"n\":" + i + "}", List.of("Idempotency-Key", "stall-c-" + System.nanoTime()));
                long closedMillis = (System.nanoTime() - start) / 1_000_000;
                assertEquals(503, closed.statusCode(), closed.body());
                assertEquals("idempotency-unavailable", new JsonObject(closed.body()).getString("reason"));
                assertTrue(closed.headers().firstValue("retry-after").isPresent());
                String openBody = "{\"open\":\"" + System.nanoTime() + "\"}";
                HttpResponse<String> open =
                        post("idem-open", openBody, List.of("Idempotency-Key", "stall-o-" + System.nanoTime()));
                assertEquals(202, open.statusCode(), open.body());
                assertEquals(1, withBody(openBody).size());
                System.out.printf("Redis stalled: fail-closed answered 503 in %d ms%n", closedMillis);
            }
        } finally {
            redis.resume();
        }
        String key = "after-" + System.nanoTime();
        HttpResponse<String> after = post("idem-closed", "{\"after\":1}", List.of("Idempotency-Key", key));
        assertEquals(202, after.statusCode(), after.body());
        HttpResponse<String> again = post("idem-closed", "{\"after\":1}", List.of("Idempotency-Key", key));
        assertEquals(new JsonObject(after.body()).getString("id"), new JsonObject(again.body()).getString("id"));
        assertNotEquals(null, again.headers().firstValue("idempotent-replayed").orElse(null));
    }

    /** This test's own broker process (a child JVM of this one, found by its data directory). */
    private static ProcessHandle brokerProcess() {
        String dir = kafka.logFile().getParent().toString();
        return ProcessHandle.current()
                .descendants()
                .filter(p -> p.info().commandLine().orElse("").contains(dir))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no broker process under " + dir));
    }
}
