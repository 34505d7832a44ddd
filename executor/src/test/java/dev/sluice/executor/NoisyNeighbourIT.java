package dev.sluice.executor;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two tenants on one topic and its partitions: tenant A's target answers at once, tenant B's takes
 * 3 s, past its step's 1 s timeout; B sends a fifth of the events. B's target may hold only its
 * budget of the partitions' in-flight slots and its circuit opens, so A's events keep starting
 * promptly and all run, and every one of B's ends in a recorded outcome, none started after its
 * deadline. With the partitions' slots left to B (no budgets, no circuit) A's events wait seconds
 * behind B's.
 */
@SluiceInfra
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class NoisyNeighbourIT {

    private static final int EVENTS = 1000;
    private static final int RATE = 100;
    private static final long TTL = 20_000;

    @Test
    void aSlowTenantsTargetDoesNotDelayTheOtherTenantsEvents(
            KafkaBroker kafka, Postgres postgres, Redis redis, WebhookTarget fast) throws Exception {
        for (String suffix : List.of("", ".expired", ".dlq")) {
            kafka.createTopic("it.noisy" + suffix, 4, Duration.ofHours(1));
        }
        try (WebhookTarget slow = WebhookTarget.start();
                Fixtures fixtures = new Fixtures(kafka.bootstrapServers())) {
            slow.delay(Duration.ofSeconds(3));
            Catalog catalog = Catalog.parse(new JsonObject("""
                    {"routes": [{"source": "tenant-a", "topic": "it.noisy", "partitions": 4, "ttl": "20s"},
                                {"source": "tenant-b", "topic": "it.noisy", "partitions": 4, "ttl": "20s"}],
                     "workflows": [{"name": "w-a", "sources": ["tenant-a"], "steps": [{"url": "%s"}]},
                                   {"name": "w-b", "sources": ["tenant-b"], "steps": [{"url": "%s", "timeout": "1s"}]}]}
                    """.formatted(fast.url("/a"), slow.url("/b"))));
            Vertx vertx = Vertx.vertx();
            String pgUri = postgres.createDatabase("noisy_neighbour");
            Pool pg = PgBuilder.pool().connectingTo(pgUri).using(vertx).build();
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            // Slot counts the slow target's runs could fill within the TTL (20/s for 20 s): 100 per partition, 400 per
            // process.
            ExecutorConfig config = ExecutorConfig.from(Settings.of(Map.of(
                            "executor.instances",
                            "2",
                            "executor.inflight.partition",
                            "100",
                            "executor.inflight.max",
                            "400",
                            "executor.target.inflight",
                            "32",
                            "executor.target.queue",
                            "256",
                            "executor.circuit.failures",
                            "5",
                            "executor.circuit.cooldown",
                            "2s")))
                    .withManagement("127.0.0.1", Ports.freePort())
                    .withGroup("it-noisy-" + ThreadLocalRandom.current().nextInt(1 << 20))
                    .withState(redis.uri(), pgUri);
            ExecutorApp app = ExecutorApp.start(
                            vertx, config, KafkaConfig.of(kafka.bootstrapServers()), catalog, registry)
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(60, TimeUnit.SECONDS);
            try {
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> app.readiness().ready() && app.assignment().size() == 4);
                Map<String, Long> ingestA = new HashMap<>();
                Map<String, Long> deadlineB = new HashMap<>();
                long start = System.nanoTime();
                for (int i = 0; i < EVENTS; i++) {
                    // Open loop: each event leaves at its intended time, whatever the executor does.
                    long wait = start + i * (1_000_000_000L / RATE) - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    long ingest = System.currentTimeMillis();
                    boolean b = i % 5 == 0;
                    String tenant = b ? "tenant-b" : "tenant-a";
                    // Both tenants' keys spread over every partition.
                    String id = fixtures.send(
                            "it.noisy",
                            tenant,
                            tenant + "-" + (i % 256),
                            "{\"n\":" + i + "}",
                            "application/json",
                            ingest,
                            TTL);
                    (b ? deadlineB : ingestA).put(id, b ? ingest + TTL : ingest);
                    if (i % 20 == 19) {
                        fixtures.flush();
                    }
                }
                fixtures.flush();
                Set<String> all = new HashSet<>(ingestA.keySet());
                all.addAll(deadlineB.keySet());
                // Every event of both tenants ends in a run-log row (succeeded, expired or dead-lettered).
                Map<String, List<String>> outcomes = new HashMap<>();
                await().atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(500))
                        .until(() -> {
                            outcomes.clear();
                            for (Row r : pg.query("SELECT event_id, outcome FROM sluice_run_log")
                                    .execute()
                                    .toCompletionStage()
                                    .toCompletableFuture()
                                    .get(10, TimeUnit.SECONDS)) {
                                outcomes.computeIfAbsent(r.getString(0), k -> new ArrayList<>())
                                        .add(r.getString(1));
                            }
                            return outcomes.keySet().containsAll(all);
                        });
                List<Long> latencies = new ArrayList<>();
                Set<String> deliveredA = new HashSet<>();
                for (WebhookTarget.Received r : fast.received("/a")) {
                    String id = r.header("ce-id");
                    if (deliveredA.add(id)) {
                        latencies.add(r.receivedAtMillis() - ingestA.get(id));
                    }
                }
                Collections.sort(latencies);
                long p99 = latencies.isEmpty()
                        ? Long.MAX_VALUE
                        : latencies.get((int) Math.ceil(latencies.size() * 0.99) - 1);
                long lateB = slow.received("/b").stream()
                        .filter(r -> r.receivedAtMillis() >= deadlineB.get(r.header("ce-id")))
                        .count();
                long lateInLog = pg.query("SELECT count(*) FROM sluice_run_log WHERE first_write_at >= deadline_at")
                        .execute()
                        .toCompletionStage()
                        .toCompletableFuture()
                        .get(10, TimeUnit.SECONDS)
                        .iterator()
                        .next()
                        .getLong(0);
                Map<String, Integer> aOutcomes = new HashMap<>();
                ingestA.keySet().forEach(id -> outcomes.get(id).forEach(o -> aOutcomes.merge(o, 1, Integer::sum)));
                Map<String, Integer> bOutcomes = new HashMap<>();
                deadlineB.keySet().forEach(id -> outcomes.get(id).forEach(o -> bOutcomes.merge(o, 1, Integer::sum)));
                Map<String, Double> refused = new HashMap<>();
                registry.find("sluice.executor.target.refused")
                        .counters()
                        .forEach(c -> refused.merge(
                                c.getId().getTag("target").equals(slow.url("").substring(7))
                                        ? "b/" + c.getId().getTag("reason")
                                        : "a/" + c.getId().getTag("reason"),
                                c.count(),
                                Double::sum));
                long aSucceeded = ingestA.keySet().stream()
                        .filter(id -> outcomes.get(id).contains("succeeded"))
                        .count();
                double opened =
                        registry
                                .find("sluice.executor.target.circuit.transitions")
                                .tag("state", "open")
                                .counters()
                                .stream()
                                .mapToDouble(c -> c.count())
                                .sum();
                Row split = pg.query(
                                "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM started_at - ingest_at)),"
                                        + " percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM first_write_at - started_at))"
                                        + " FROM sluice_run_log WHERE workflow = 'w-a'")
                        .execute()
                        .toCompletionStage()
                        .toCompletableFuture()
                        .get(10, TimeUnit.SECONDS)
                        .iterator()
                        .next();
                System.out.printf(
                        "noisy neighbour: tenant A median ingest -> start %.0f ms, start -> write %.0f ms%n",
                        split.getDouble(0) * 1000, split.getDouble(1) * 1000);
                var pollAge = registry.find(dev.sluice.core.MetricNames.EXECUTOR_POLL_AGE)
                        .timer();
                var startWait = registry.find(dev.sluice.core.MetricNames.EXECUTOR_START_WAIT)
                        .timer();
                System.out.printf(
                        "noisy neighbour: poll age mean %.0f ms max %.0f ms, poll -> turn mean %.0f ms max %.0f ms%n",
                        pollAge.mean(TimeUnit.MILLISECONDS),
                        pollAge.max(TimeUnit.MILLISECONDS),
                        startWait.mean(TimeUnit.MILLISECONDS),
                        startWait.max(TimeUnit.MILLISECONDS));
                System.out.printf(
                        "noisy neighbour: %d events at %d/s, tenant B (%d events) on a 3 s target with a 1 s step timeout:"
                                + " tenant A %d/%d delivered, outcomes %s, ingest -> delivery p50 %d ms p99 %d ms max %d ms;"
                                + " tenant B outcomes %s, %d requests arriving after the deadline, %d run-log rows written after the deadline,"
                                + " circuit opened %.0f times, refused %s%n",
                        EVENTS,
                        RATE,
                        deadlineB.size(),
                        deliveredA.size(),
                        ingestA.size(),
                        aOutcomes,
                        latencies.isEmpty() ? -1 : latencies.get(latencies.size() / 2),
                        p99,
                        latencies.isEmpty() ? -1 : latencies.get(latencies.size() - 1),
                        bOutcomes,
                        lateB,
                        lateInLog,
                        opened,
                        refused);
                assertEquals(
                        ingestA.size(),
                        ingestA.keySet().stream().filter(deliveredA::contains).count(),
                        "events of tenant A that reached its target");
                assertEquals(ingestA.size(), aSucceeded, "every event of tenant A has a succeeded run");
                // Generous for a slow, shared CI machine: B's runs holding the partitions' slots make it the TTL.
                assertTrue(p99 < 5_000, "tenant A's ingest -> delivery p99 is " + p99 + " ms");
                // A start is the executor's write, as the run log records it (the target's clock on arrival runs a
                // little later).
                assertEquals(0, lateInLog, "run-log rows with a write after the deadline");
                assertEquals(
                        0,
                        outcomes.values().stream().filter(o -> o.size() != 1).count(),
                        "events with other than one run-log row");
                assertTrue(opened >= 1, "tenant B's circuit opened");
                assertTrue(
                        bOutcomes.getOrDefault("dead_lettered", 0) > 0,
                        "tenant B's refused events are dead-lettered: " + bOutcomes);
            } finally {
                app.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
                pg.close();
                vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
        }
    }
}
