package dev.sluice.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.KafkaConfig;
import dev.sluice.core.Settings;
import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Ports;
import dev.sluice.testkit.SluiceInfra;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The in-flight bound: past it, 503 overloaded with Retry-After at once, counted, and nothing produced for those. */
@SluiceInfra
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BackpressureIT {

    @Test
    void pastTheInFlightBoundRequestsGet503OverloadedAndOnlyAcceptedEventsAreStored(KafkaBroker kafka)
            throws Exception {
        String topic = "it.bp.events";
        kafka.createTopic(topic, 1, Duration.ofMinutes(10));
        Vertx vertx = Vertx.vertx();
        int port = Ports.freePort();
        int management = Ports.freePort();
        RouterConfig config = RouterConfig.from(Settings.of(
                        Map.of("router.instances", "2", "router.inflight.records", "2", "router.drain.grace", "100ms")))
                .toBuilder()
                .ports("127.0.0.1", port, management)
                .build();
        RouterApp router = RouterApp.start(
                        vertx,
                        config,
                        KafkaConfig.of(kafka.bootstrapServers()),
                        RouterIT.catalog(topic),
                        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))
                .toCompletionStage()
                .toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
        HttpClient http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try {
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> router.readiness()
                            .details()
                            .getJsonObject("topics")
                            .getString(topic)
                            .equals("ready"));
            List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                all.add(http.sendAsync(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/events/byid"))
                                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            int accepted = 0;
            int overloaded = 0;
            for (CompletableFuture<HttpResponse<String>> f : all) {
                HttpResponse<String> r = ContractCheck.check(f.get(30, TimeUnit.SECONDS));
                if (r.statusCode() == 202) {
                    accepted++;
                } else {
                    assertEquals(503, r.statusCode(), r.body());
                    assertEquals("overloaded", new JsonObject(r.body()).getString("reason"));
                    assertTrue(r.headers().firstValue("retry-after").isPresent());
                    overloaded++;
                }
            }
            assertTrue(overloaded > 0, "200 concurrent requests against a bound of 2 in flight: some must be refused");
            assertEquals(accepted, kafka.count(topic), "exactly the accepted events are in Kafka");
            String metrics = ContractCheck.check(http.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + management + "/metrics"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString()))
                    .body();
            assertTrue(
                    metrics.contains(
                            "sluice_router_events_total{outcome=\"overloaded\",route=\"byid\"} " + overloaded + ".0"),
                    metrics);
        } finally {
            router.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
