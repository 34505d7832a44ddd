package dev.sluice.executor;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.Catalog;
import dev.sluice.core.EventRecords;
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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A stalled Redis (its process stopped with SIGSTOP, as in a pause) never freezes execution: an
 * at-least-once run whose claim gets no answer within the claim timeout goes ahead with its
 * webhook-id, and an at-most-once run, which is never sent unclaimed, expires at its deadline
 * with a reason.
 */
@SluiceInfra
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RedisStallIT {

    private static KafkaBroker kafka;
    private static WebhookTarget webhook;
    private static Redis redis;
    private static long redisPid;
    private static Vertx vertx;
    private static Fixtures fixtures;
    private static ExecutorApp executor;

    @BeforeAll
    static void start(KafkaBroker broker, Postgres postgres, WebhookTarget target) throws Exception {
        kafka = broker;
        webhook = target;
        // A Redis of this test's own, so that stopping it stalls nobody else: the one child process it adds.
        Set<Long> before =
                ProcessHandle.current().descendants().map(ProcessHandle::pid).collect(Collectors.toSet());
        redis = Redis.startLocal();
        redisPid = ProcessHandle.current()
                .descendants()
                .filter(p -> !before.contains(p.pid())
                        && p.info().command().map(c -> c.contains("redis")).orElse(false))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no new redis-server child process"))
                .pid();
        for (String t : List.of("it.r.alo", "it.r.amo")) {
            for (String suffix : List.of("", ".expired", ".dlq")) {
                kafka.createTopic(t + suffix, 1, Duration.ofHours(1));
            }
        }
        Catalog catalog = Catalog.parse(new JsonObject("""
                {"routes": [{"source": "alo", "topic": "it.r.alo", "partitions": 1, "ttl": "10s"},
                            {"source": "amo", "topic": "it.r.amo", "partitions": 1, "ttl": "6s"}],
                 "workflows": [{"name": "w-alo", "sources": ["alo"], "steps": [{"url": "%s"}]},
                               {"name": "w-amo", "sources": ["amo"], "delivery": "at-most-once", "steps": [{"url": "%s"}]}]}
                """.formatted(webhook.url("/alo"), webhook.url("/amo"))));
        vertx = Vertx.vertx();
        ExecutorConfig config = ExecutorConfig.from(
                        Settings.of(Map.of("executor.instances", "1", "executor.claim.timeout", "200ms")))
                .withManagement("127.0.0.1", Ports.freePort())
                .withGroup("it-redis-stall-" + ThreadLocalRandom.current().nextInt(1 << 20))
                .withState(redis.uri(), postgres.createDatabase("redis_stall"));
        executor = ExecutorApp.start(
                        vertx,
                        config,
                        KafkaConfig.of(kafka.bootstrapServers()),
                        catalog,
                        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))
                .toCompletionStage()
                .toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(60))
                .until(() ->
                        executor.readiness().ready() && executor.assignment().size() == 2);
        fixtures = new Fixtures(kafka.bootstrapServers());
    }

    @AfterAll
    static void stop() throws Exception {
        signal("CONT");
        if (executor != null) {
            executor.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        if (fixtures != null) {
            fixtures.close();
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        if (redis != null) {
            redis.close();
        }
    }

    private static void signal(String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(redisPid))
                .inheritIO()
                .start();
        assertEquals(0, kill.waitFor(), "kill -" + name);
    }

    @Test
    void whileRedisIsStoppedAtLeastOnceRunsGoAheadAndAtMostOnceRunsExpireWithAReason() throws Exception {
        // One run each while Redis answers, so the executor's connections to it are open and then stall.
        fixtures.send("it.r.alo", "alo", null, "warm", System.currentTimeMillis(), 10_000);
        fixtures.send("it.r.amo", "amo", null, "warm", System.currentTimeMillis(), 6000);
        fixtures.flush();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> webhook.received("/alo").size() == 1
                        && webhook.received("/amo").size() == 1);

        signal("STOP");
        try {
            Set<String> alo = new HashSet<>();
            long sentAt = System.currentTimeMillis();
            for (int i = 0; i < 20; i++) {
                alo.add(fixtures.send("it.r.alo", "alo", "k" + i, "x", System.currentTimeMillis(), 10_000));
            }
            String amo = fixtures.send("it.r.amo", "amo", null, "y", System.currentTimeMillis(), 6000);
            fixtures.flush();

            await().atMost(Duration.ofSeconds(20))
                    .until(() -> webhook.received("/alo").stream()
                            .map(r -> r.header("ce-id"))
                            .collect(Collectors.toSet())
                            .containsAll(alo));
            List<WebhookTarget.Received> got = webhook.received("/alo").stream()
                    .filter(r -> alo.contains(r.header("ce-id")))
                    .toList();
            assertTrue(
                    got.stream()
                            .allMatch(r -> r.header("webhook-id") != null && r.receivedAtMillis() < sentAt + 10_000),
                    "sent unclaimed, with their webhook-ids, before their deadlines");

            ConsumerRecord<byte[], byte[]> expired = await().atMost(Duration.ofSeconds(20))
                    .until(
                            () -> kafka.readAll("it.r.amo.expired", Duration.ofSeconds(3)).stream()
                                    .filter(r -> amo.equals(EventRecords.text(r.headers(), "ce_id")))
                                    .findFirst()
                                    .orElse(null),
                            r -> r != null);
            String reason = EventRecords.text(expired.headers(), "sluice_expired_reason");
            assertTrue(reason.contains("claim"), reason);
            assertTrue(
                    webhook.received("/amo").stream().noneMatch(r -> amo.equals(r.header("ce-id"))),
                    "at-most-once never sent unclaimed");
        } finally {
            signal("CONT");
        }
    }
}
