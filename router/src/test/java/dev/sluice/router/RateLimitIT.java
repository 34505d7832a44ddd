package dev.sluice.router;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.Catalog;
import dev.sluice.core.KafkaConfig;
import dev.sluice.core.Settings;
import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Ports;
import dev.sluice.testkit.Redis;
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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A source's rate limit holds across two routers sharing one Redis: offered about three times the
 * limit for 10 s, split over both, the routers together accept the limit × 10 s within ±10 %,
 * and refuse the rest with 429, Retry-After and the RateLimit headers.
 */
@SluiceInfra
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RateLimitIT {

    private static final String TOPIC = "it.ratelimit.events";
    private static final String TINY_TOPIC = "it.ratelimit.tiny";
    private static KafkaBroker broker;
    private static final int LIMIT = 50;
    private static final int OFFERED_PER_ROUTER = 80;
    private static final int SECONDS = 10;
    // HTTP/1.1: the JDK client fails (instead of queueing) a request past the server's 100 concurrent
    // HTTP/2 streams, which a busy machine reaches when answers slow down.
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private static Vertx vertx;
    private static Redis redis;
    private static final List<RouterApp> routers = new ArrayList<>();
    private static final List<PrometheusMeterRegistry> registries = new ArrayList<>();

    @BeforeAll
    static void start(KafkaBroker kafka, Redis redisServer) throws Exception {
        redis = redisServer;
        broker = kafka;
        kafka.createTopic(TOPIC, 3, Duration.ofMinutes(10));
        kafka.createTopic(TINY_TOPIC, 1, Duration.ofMinutes(10));
        Catalog catalog = Catalog.parse(new JsonObject("""
                {"routes": [{"source": "limited", "topic": "%s", "rateLimit": {"events": %d}},
                            {"source": "tiny", "topic": "%s", "rateLimit": {"bytes": 100}}]}
                """.formatted(TOPIC, LIMIT, TINY_TOPIC)));
        vertx = Vertx.vertx();
        for (int i = 0; i < 2; i++) {
            RouterConfig config =
                    RouterConfig.from(Settings.of(Map.of("router.instances", "2", "router.drain.grace", "100ms")))
                            .toBuilder()
                            .ports("127.0.0.1", Ports.freePort(), Ports.freePort())
                            .redis(redis.uri())
                            .build();
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            registries.add(registry);
            routers.add(RouterApp.start(vertx, config, KafkaConfig.of(kafka.bootstrapServers()), catalog, registry)
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(60, TimeUnit.SECONDS));
        }
        await().atMost(Duration.ofSeconds(30))
                .until(() -> routers.stream().allMatch(r -> r.readiness().ready()));
    }

    @AfterAll
    static void stop() throws Exception {
        for (RouterApp r : routers) {
            r.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aBodyLargerThanTheBytesPerSecondLimitIsRefusedWith413NotWith429() throws Exception {
        URI tiny = URI.create(
                "http://127.0.0.1:" + routers.get(0).config().listen().port() + "/v1/events/tiny");
        HttpResponse<String> big = ContractCheck.check(HTTP.send(
                HttpRequest.newBuilder(tiny)
                        .timeout(Duration.ofSeconds(10))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"v\":\"" + "x".repeat(200) + "\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString()));
        assertEquals(413, big.statusCode(), big.body());
        JsonObject problem = new JsonObject(big.body());
        assertEquals("over-rate-capacity", problem.getString("reason"));
        assertEquals("urn:sluice:problem:over-rate-capacity", problem.getString("type"));
        assertTrue(problem.getString("detail").contains("source-bytes limit of 100"), problem.getString("detail"));
        assertTrue(big.headers().firstValue("retry-after").isEmpty(), "no wait makes it fit, so no Retry-After");
        // A body that fits the window is accepted; the oversized one never reached Kafka.
        HttpResponse<String> small = ContractCheck.check(HTTP.send(
                HttpRequest.newBuilder(tiny)
                        .timeout(Duration.ofSeconds(10))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"v\":1}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString()));
        assertEquals(202, small.statusCode(), small.body());
        assertEquals(1, broker.readAll(TINY_TOPIC, Duration.ofSeconds(5)).size());
    }

    @Test
    void aSourceLimitHoldsAcrossTwoRoutersWithinTenPercentOverTenSeconds() throws Exception {
        for (RouterApp r : routers) {
            // Warm up (topic metadata) outside the measured windows.
            ContractCheck.check(HTTP.send(
                    HttpRequest.newBuilder(URI.create(
                                    "http://127.0.0.1:" + r.config().listen().port() + "/v1/events/limited"))
                            .POST(HttpRequest.BodyPublishers.ofString("{}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        double countedBefore = rateLimited();
        // Start on a second boundary so the run covers exactly SECONDS shared windows.
        long t0 = (System.currentTimeMillis() / 1000 + 1) * 1000;
        Thread.sleep(t0 - System.currentTimeMillis());
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
        long periodMicros = 1_000_000L / OFFERED_PER_ROUTER;
        long end = t0 + SECONDS * 1000L;
        timer.scheduleAtFixedRate(
                () -> {
                    if (System.currentTimeMillis() >= end) {
                        return;
                    }
                    synchronized (sent) {
                        for (RouterApp r : routers) {
                            sent.add(HTTP.sendAsync(
                                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                                                    + r.config().listen().port() + "/v1/events/limited"))
                                            .timeout(Duration.ofSeconds(10))
                                            .POST(HttpRequest.BodyPublishers.ofString("{\"v\":1}"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString()));
                        }
                    }
                },
                0,
                periodMicros,
                TimeUnit.MICROSECONDS);
        Thread.sleep(end - System.currentTimeMillis() + 50);
        timer.shutdownNow();
        int accepted = 0;
        int limited = 0;
        HttpResponse<String> refusal = null;
        List<CompletableFuture<HttpResponse<String>>> all;
        synchronized (sent) {
            all = new ArrayList<>(sent);
        }
        int index = 0;
        int unanswered = 0;
        for (CompletableFuture<HttpResponse<String>> f : all) {
            index++;
            HttpResponse<String> r;
            try {
                r = ContractCheck.check(f.get(20, TimeUnit.SECONDS));
            } catch (java.util.concurrent.ExecutionException e) {
                if (unanswered == 0) {
                    System.out.println("request " + index + " of " + all.size() + " failed: " + e.getCause());
                }
                unanswered++;
                continue;
            }
            if (r.statusCode() == 202 || r.statusCode() == 503) {
                // Passed the limiter; a 503 is Kafka being slow on a busy machine, not the limit.
                accepted++;
            } else if (r.statusCode() == 429) {
                limited++;
                refusal = r;
            } else {
                throw new AssertionError("unexpected " + r.statusCode() + ": " + r.body());
            }
        }
        int expected = LIMIT * SECONDS;
        System.out.printf(
                "offered %d over %d s to 2 routers, admitted %d (limit %d/s => %d), refused %d%n",
                all.size(), SECONDS, accepted, LIMIT, expected, limited);
        assertTrue(all.size() > 2.5 * expected, "the load offered well over the limit: " + all.size());
        assertTrue(
                Math.abs(accepted - expected) <= expected / 10,
                "accepted " + accepted + ", expected " + expected + " ± 10 %");
        assertEquals(0, unanswered, "every request is answered");
        assertEquals(all.size(), accepted + limited);

        JsonObject problem = new JsonObject(refusal.body());
        assertEquals("rate-limited", problem.getString("reason"));
        assertEquals(429, problem.getInteger("status"));
        assertEquals(
                "application/problem+json",
                refusal.headers().firstValue("content-type").orElse(""));
        long retryAfter =
                Long.parseLong(refusal.headers().firstValue("retry-after").orElseThrow());
        assertTrue(retryAfter >= 1 && retryAfter <= 2, "retry-after " + retryAfter);
        assertEquals(
                "\"source-events\";q=" + LIMIT + ";w=1",
                refusal.headers().firstValue("ratelimit-policy").orElseThrow());
        assertTrue(
                refusal.headers().firstValue("ratelimit").orElseThrow().matches("\"source-events\";r=0;t=[12]"),
                refusal.headers().firstValue("ratelimit").orElseThrow());
        assertEquals(
                limited, (long) (rateLimited() - countedBefore), "every refusal is counted with outcome rate_limited");
    }

    private static double rateLimited() {
        return registries.stream()
                .mapToDouble(reg -> reg.get("sluice.router.events")
                        .tag("route", "limited")
                        .tag("outcome", "rate_limited")
                        .counter()
                        .count())
                .sum();
    }

    @Test
    void withRedisDownEachRouterCountsTheLimitLocallyAndSaysSo() throws Exception {
        redis.stop();
        try {
            RouterApp r = routers.get(0);
            int accepted = 0;
            int limited = 0;
            for (int i = 0; i < 3 * LIMIT; i++) {
                HttpResponse<String> res = ContractCheck.check(HTTP.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                                        + r.config().listen().port() + "/v1/events/limited"))
                                .timeout(Duration.ofSeconds(10))
                                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString()));
                if (res.statusCode() == 429) {
                    limited++;
                } else {
                    assertEquals(202, res.statusCode(), res.body());
                    accepted++;
                }
            }
            assertTrue(accepted > 0, "ingest goes on without Redis");
            double degraded = registries
                    .get(0)
                    .get("sluice.router.ratelimit.degraded")
                    .counter()
                    .count();
            assertTrue(degraded > 0, "leases that fell back to local counting are counted");
            System.out.printf("Redis down: %d accepted, %d limited, %.0f local leases%n", accepted, limited, degraded);
        } finally {
            redis.restart();
        }
    }
}
