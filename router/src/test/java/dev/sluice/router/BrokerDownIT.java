package dev.sluice.router;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Ports;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A broker of its own, stopped under the router: 503 within a second, readiness false, and back again. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class BrokerDownIT {

    private static final String TOPIC = "it.down.events";
    private static KafkaBroker broker;
    private static Vertx vertx;
    private static RouterApp router;
    private static int port;
    private static int managementPort;
    private static final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        broker = KafkaBroker.start();
        broker.createTopic(TOPIC, 3, Duration.ofMinutes(10));
        vertx = Vertx.vertx();
        port = Ports.freePort();
        managementPort = Ports.freePort();
        router = RouterIT.startRouter(vertx, broker, RouterIT.catalog(TOPIC), port, managementPort);
    }

    @AfterAll
    static void stop() throws Exception {
        if (router != null) {
            router.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        if (broker != null) {
            broker.close();
        }
    }

    private static HttpResponse<String> post() throws Exception {
        return ContractCheck.check(http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/events/byid"))
                        .timeout(Duration.ofSeconds(30))
                        .POST(HttpRequest.BodyPublishers.ofString("{}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString()));
    }

    private static boolean kafkaReachableInReadiness() throws Exception {
        HttpResponse<String> r = ContractCheck.check(http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/health/ready"))
                        .build(),
                HttpResponse.BodyHandlers.ofString()));
        return "reachable".equals(new JsonObject(r.body()).getString("kafka"));
    }

    @Test
    void brokerDownAnswers503WithRetryAfterWithinASecondAndReadinessGoesFalse() throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(BrokerDownIT::kafkaReachableInReadiness);
        // Reachable is not yet ready: on a loaded machine the topic's metadata, and the first acknowledgement from a
        // broker
        // that has just started, can take longer than the router's produce timeout (a 503 produce-timeout). Warm up
        // first.
        await().atMost(Duration.ofSeconds(30))
                .until(() -> "ready"
                        .equals(router.readiness()
                                .details()
                                .getJsonObject("topics")
                                .getString(TOPIC)));
        await().atMost(Duration.ofSeconds(30)).until(() -> post().statusCode() == 202);

        broker.stop();

        // The very first request after the broker died, and every later one, is answered within a second.
        for (int i = 0; i < 5; i++) {
            long t0 = System.nanoTime();
            HttpResponse<String> resp = post();
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertEquals(503, resp.statusCode(), resp.body());
            assertTrue(resp.headers().firstValue("retry-after").isPresent(), "Retry-After is set");
            assertTrue(ms <= 1000, "request " + i + " answered in " + ms + " ms");
            String reason = new JsonObject(resp.body()).getString("reason");
            assertTrue(
                    reason.equals("produce-timeout")
                            || reason.equals("broker-unavailable")
                            || reason.equals("produce-failed"),
                    reason);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> !kafkaReachableInReadiness());

        broker.restart();
        await().atMost(Duration.ofSeconds(60)).until(BrokerDownIT::kafkaReachableInReadiness);
        // A keep-alive connection the router closed as idle while the broker was away may fail once on reuse (POST is
        // not
        // retried by the client): that is the client's pool, not the router's answer.
        await().atMost(Duration.ofSeconds(30))
                .ignoreExceptionsInstanceOf(java.io.IOException.class)
                .until(() -> post().statusCode() == 202);
    }
}
