package dev.sluice.executor;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.Catalog;
import dev.sluice.core.KafkaConfig;
import dev.sluice.core.Settings;
import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Ports;
import dev.sluice.testkit.Postgres;
import dev.sluice.testkit.Redis;
import dev.sluice.testkit.SluiceInfra;
import dev.sluice.testkit.WebhookTarget;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Readiness follows real liveness: a PostgreSQL that stops taking run-log rows, and a broker that
 * dies, each make the executor unready within executor.ready.stall, and ready again once back.
 * (The poll loop's own sign of life is ConsumerLoopHealthTest's.)
 */
@SluiceInfra
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ReadinessIT {

    private static WebhookTarget webhook;
    private static Postgres postgres;
    private static Redis redis;
    private static Vertx vertx;

    @BeforeAll
    static void start(Postgres server, Redis redisServer, WebhookTarget target) {
        webhook = target;
        postgres = server;
        redis = redisServer;
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() throws Exception {
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private static ExecutorApp executor(KafkaBroker kafka, String topic, String pgUrl) throws Exception {
        Catalog catalog = Catalog.parse(new JsonObject("""
                {"routes": [{"source": "ready", "topic": "%s", "partitions": 1}],
                 "workflows": [{"name": "w-ready", "sources": ["ready"], "steps": [{"url": "%s"}]}]}
                """.formatted(topic, webhook.url("/ready"))));
        ExecutorConfig config = ExecutorConfig.from(Settings.of(Map.of(
                        "executor.instances",
                        "1",
                        "executor.runlog.flush",
                        "100ms",
                        "executor.runlog.timeout",
                        "2s",
                        "executor.ready.stall",
                        "4s",
                        "executor.commit.interval",
                        "200ms")))
                .withManagement("127.0.0.1", Ports.freePort())
                .withGroup("it-ready-" + ThreadLocalRandom.current().nextInt(1 << 20))
                .withState(redis.uri(), pgUrl);
        ExecutorApp app = ExecutorApp.start(
                        vertx,
                        config,
                        KafkaConfig.of(kafka.bootstrapServers()),
                        catalog,
                        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))
                .toCompletionStage()
                .toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(60))
                .until(() -> app.readiness().ready() && !app.assignment().isEmpty());
        return app;
    }

    @Test
    void aRunLogThatWritesNothingWhileRowsWaitMakesTheExecutorUnready(KafkaBroker kafka) throws Exception {
        for (String t : List.of("it.ready.pg", "it.ready.pg.expired", "it.ready.pg.dlq")) {
            kafka.createTopic(t, 1, Duration.ofHours(1));
        }
        String pgUri = postgres.createDatabase("readiness");
        String host = postgres.host();
        try (Fixtures fixtures = new Fixtures(kafka.bootstrapServers());
                StallableProxy proxy = new StallableProxy(vertx, host, postgres.port())) {
            ExecutorApp app = executor(
                    kafka,
                    "it.ready.pg",
                    pgUri.replace("@" + host + ":" + postgres.port() + "/", "@127.0.0.1:" + proxy.port() + "/"));
            try {
                proxy.stall();
                fixtures.send("it.ready.pg", "ready", null, "x", System.currentTimeMillis(), 20_000);
                fixtures.flush();
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> !app.readiness().ready());
                assertTrue(
                        app.readiness().details().getString("broker").equals("reachable"),
                        app.readiness().details().encode());
                String runLog = app.readiness().details().getString("runLog");
                assertTrue(runLog.startsWith("buffering (1 rows"), runLog);
                proxy.release();
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> app.readiness().ready());
            } finally {
                app.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void aDeadBrokerMakesTheExecutorUnreadyAndItsReturnReadyAgain() throws Exception {
        // A broker of this test's own: the shared one stays up for everyone else.
        try (KafkaBroker own = KafkaBroker.start();
                Fixtures fixtures = new Fixtures(own.bootstrapServers())) {
            for (String t : List.of("it.ready.kafka", "it.ready.kafka.expired", "it.ready.kafka.dlq")) {
                own.createTopic(t, 1, Duration.ofHours(1));
            }
            ExecutorApp app = executor(own, "it.ready.kafka", postgres.createDatabase("readiness_kafka"));
            try {
                fixtures.send("it.ready.kafka", "ready", null, "x", System.currentTimeMillis(), 20_000);
                fixtures.flush();
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> webhook.received("/ready").size() == 1);
                own.stop();
                long stoppedAt = System.currentTimeMillis();
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> !app.readiness().ready());
                long unreadyAt = System.currentTimeMillis();
                // The consumer's connections to the broker are gone (offsets waiting uncommitted, if any, show too:
                // ConsumerLoopHealthTest).
                await().atMost(Duration.ofSeconds(30))
                        .until(() ->
                                app.readiness().details().getString("broker").startsWith("no connection"));
                JsonObject details = app.readiness().details();
                assertTrue(!app.readiness().ready(), details.encode());
                System.out.printf(
                        "readiness: unready %d ms after the broker's stop returned (%s)%n",
                        unreadyAt - stoppedAt, details.encode());
                own.restart();
                try {
                    await().atMost(Duration.ofSeconds(60))
                            .until(() -> app.readiness().ready());
                } catch (RuntimeException e) {
                    throw new AssertionError(
                            "not ready again: " + app.readiness().details().encode(), e);
                }
            } finally {
                app.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
        }
    }
}
