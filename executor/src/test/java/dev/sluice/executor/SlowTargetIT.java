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
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A slow target under a steady load: 2,000 events at 400/s to a target that answers in 3 s, TTL
 * 20 s. Every event is delivered; no request is written after its event's deadline; an event
 * delivered more than once is only ever a re-send of the same webhook-id; no delivered event is
 * also dead-lettered; and the run log's own check query finds no write after a deadline.
 */
@SluiceInfra
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class SlowTargetIT {

    @Test
    void aThreeSecondTargetGetsEveryEventInTimeAndDuplicatesOnlyAsCountedResends(
            KafkaBroker kafka, Postgres postgres, Redis redis, WebhookTarget webhook) throws Exception {
        for (String suffix : List.of("", ".expired", ".dlq")) {
            kafka.createTopic("it.slow3" + suffix, 4, Duration.ofHours(1));
        }
        Catalog catalog = Catalog.parse(new JsonObject("""
                {"routes": [{"source": "slow3", "topic": "it.slow3", "partitions": 4, "ttl": "20s"}],
                 "workflows": [{"name": "w-slow3", "sources": ["slow3"], "steps": [{"url": "%s"}]}]}
                """.formatted(webhook.url("/slow3"))));
        webhook.delay(Duration.ofSeconds(3));
        Vertx vertx = Vertx.vertx();
        String pgUri = postgres.createDatabase("slow_target");
        Pool pg = PgBuilder.pool().connectingTo(pgUri).using(vertx).build();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // 400/s to a 3 s target is 1,200 calls in flight to it: a budget for that (the default is 500).
        ExecutorConfig config = ExecutorConfig.from(
                        Settings.of(Map.of("executor.instances", "2", "executor.target.inflight", "2000")))
                .withManagement("127.0.0.1", Ports.freePort())
                .withGroup("it-slow3-" + ThreadLocalRandom.current().nextInt(1 << 20))
                .withState(redis.uri(), pgUri);
        ExecutorApp app = ExecutorApp.start(vertx, config, KafkaConfig.of(kafka.bootstrapServers()), catalog, registry)
                .toCompletionStage()
                .toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
        Map<String, Long> deadlines = new HashMap<>();
        try (Fixtures fixtures = new Fixtures(kafka.bootstrapServers())) {
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> app.readiness().ready() && app.assignment().size() == 4);
            long start = System.nanoTime();
            for (int i = 0; i < 2000; i++) {
                // Open loop at 400/s: each event leaves at its intended time, whatever the executor does.
                long due = start + i * 2_500_000L;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                long ingest = System.currentTimeMillis();
                deadlines.put(
                        fixtures.send("it.slow3", "slow3", null, Integer.toString(i), ingest, 20_000), ingest + 20_000);
                if (i % 100 == 99) {
                    fixtures.flush();
                }
            }
            fixtures.flush();
            await().atMost(Duration.ofSeconds(120))
                    .until(() -> webhook.received("/slow3").stream()
                            .map(r -> r.header("ce-id"))
                            .collect(Collectors.toSet())
                            .containsAll(deadlines.keySet()));
            List<WebhookTarget.Received> got = webhook.received("/slow3");
            Map<String, List<WebhookTarget.Received>> perId =
                    got.stream().collect(Collectors.groupingBy(r -> r.header("ce-id")));
            long late = got.stream()
                    .filter(r -> r.receivedAtMillis() >= deadlines.get(r.header("ce-id")))
                    .count();
            long repeated = perId.values().stream().filter(l -> l.size() > 1).count();
            long repeatedWithNewId = perId.values().stream()
                    .filter(l -> l.stream()
                                    .map(r -> r.header("webhook-id"))
                                    .distinct()
                                    .count()
                            > 1)
                    .count();
            Set<String> dead = new HashSet<>();
            kafka.readAll("it.slow3.dlq", Duration.ofSeconds(5))
                    .forEach(r -> dead.add(EventRecords.text(r.headers(), "ce_id")));
            long both = dead.stream().filter(perId::containsKey).count();
            double resends = registry.get("sluice.executor.resends").counter().count();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> pg.query("SELECT count(*) FROM sluice_run_log")
                                    .execute()
                                    .toCompletionStage()
                                    .toCompletableFuture()
                                    .get(10, TimeUnit.SECONDS)
                                    .iterator()
                                    .next()
                                    .getLong(0)
                            >= 2000);
            long lateInLog = pg.query("SELECT count(*) FROM sluice_run_log WHERE first_write_at >= deadline_at")
                    .execute()
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS)
                    .iterator()
                    .next()
                    .getLong(0);
            System.out.printf(
                    "slow target: %d events at 400/s, 3 s target, 20 s TTL: %d deliveries, %d events delivered more than once"
                            + " (%d of them with a new webhook-id), %.0f counted re-sends, %d deliveries after the deadline,"
                            + " %d events both delivered and dead-lettered, %d run-log rows with a write after the deadline%n",
                    deadlines.size(), got.size(), repeated, repeatedWithNewId, resends, late, both, lateInLog);
            assertEquals(0, late, "deliveries after the deadline");
            assertEquals(0, both, "delivered and dead-lettered");
            assertEquals(0, repeatedWithNewId, "a repeat is only ever a re-send of the same webhook-id");
            assertTrue(got.size() - deadlines.size() <= resends, "every extra delivery is a counted re-send");
            assertEquals(0, lateInLog);
        } finally {
            app.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            pg.close();
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
