package dev.sluice.cli.faults;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.cli.chaos.IngestAudit;
import dev.sluice.cli.chaos.Ledger;
import dev.sluice.core.Catalog;
import dev.sluice.core.KafkaConfig;
import dev.sluice.core.Settings;
import dev.sluice.core.SluiceHeaders;
import dev.sluice.executor.ExecutorApp;
import dev.sluice.executor.ExecutorConfig;
import dev.sluice.testkit.KafkaCluster;
import dev.sluice.testkit.Ports;
import dev.sluice.testkit.Postgres;
import dev.sluice.testkit.Redis;
import dev.sluice.testkit.SluiceInfra;
import dev.sluice.testkit.WebhookTarget;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Router, executor, run log and a webhook target on the replicated cluster while the leader of a
 * partition is killed and restarted; then every 202 must end in exactly one kind of terminal
 * record: a run-log row, or a record in {@code .expired} or {@code .dlq}. No run starts after its
 * deadline, and a run sent twice carries the same {@code webhook-id} both times.
 */
@SluiceInfra
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ExecutorFaultIT {

    private static final String TOPIC = "it.faults.e2e";
    private static final String WORKFLOW = "w-faults";
    private static final int EVENTS_PER_SECOND = 50;
    private static final int PHASE_EVENTS = 20;

    private final KafkaCluster cluster;
    private final Postgres postgres;
    private final Redis redis;
    private final WebhookTarget webhook;
    private Vertx vertx;
    private FaultRouter router;
    private ExecutorApp executor;
    private Pool pg;

    ExecutorFaultIT(KafkaCluster cluster, Postgres postgres, Redis redis, WebhookTarget webhook) {
        this.cluster = cluster;
        this.postgres = postgres;
        this.redis = redis;
        this.webhook = webhook;
    }

    @AfterEach
    void stop() throws Exception {
        if (executor != null) {
            executor.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        if (router != null) {
            router.close();
        }
        if (pg != null) {
            pg.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void killingTheLeaderUnderRouterAndExecutorLeavesEveryAcceptedEventWithOneTerminalRecord() throws Exception {
        for (String topic : List.of(TOPIC, TOPIC + ".expired", TOPIC + ".dlq")) {
            cluster.createTopic(topic, 3, Duration.ofMinutes(10));
        }
        String pgUri = postgres.createDatabase("faults_e2e");
        Catalog catalog = Catalog.parse(new JsonObject()
                .put("routes", new JsonArray().add(FaultRouter.route(TOPIC)))
                .put(
                        "workflows",
                        new JsonArray()
                                .add(new JsonObject()
                                        .put("name", WORKFLOW)
                                        .put("sources", new JsonArray().add(FaultRouter.SOURCE))
                                        .put(
                                                "steps",
                                                new JsonArray()
                                                        .add(new JsonObject()
                                                                .put("type", "http")
                                                                .put("url", webhook.url("/hook"))
                                                                .put("timeout", "2s"))))));
        vertx = Vertx.vertx();
        pg = PgBuilder.pool().connectingTo(pgUri).using(vertx).build();
        router = FaultRouter.start(vertx, cluster, catalog);
        ExecutorConfig config = ExecutorConfig.from(Settings.of(Map.of(
                        "executor.instances",
                        "2",
                        "executor.runlog.flush",
                        "100ms",
                        "executor.retry.backoff",
                        "200ms")))
                .withManagement(Ports.LOOPBACK_HOST, Ports.freePort())
                .withGroup("it-faults-e2e-" + ThreadLocalRandom.current().nextInt(1 << 20))
                .withState(redis.uri(), pgUri);
        executor = ExecutorApp.start(
                        vertx,
                        config,
                        KafkaConfig.of(cluster.bootstrapServers()),
                        catalog,
                        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))
                .toCompletionStage()
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(30))
                .until(() ->
                        executor.readiness().ready() && executor.assignment().size() == 3);

        try (Ledger load = Ledger.start(router.ingest(), TOPIC, EVENTS_PER_SECOND)) {
            LeaderFault run = LeaderFault.run(cluster, TOPIC, load, PHASE_EVENTS, cluster::kill, cluster::restart);
            IngestAudit ingest = IngestAudit.of(load, cluster, TOPIC);
            Set<String> accepted = load.answers().entrySet().stream()
                    .filter(e -> e.getValue().accepted())
                    .map(Map.Entry::getKey)
                    .collect(Collectors.toSet());

            await("a terminal record for every 202")
                    .atMost(Duration.ofSeconds(25))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> undecided(accepted).isEmpty());
            Map<String, Integer> runs = runLogRows();
            Set<String> expired = ids(TOPIC + ".expired");
            Set<String> deadLettered = ids(TOPIC + ".dlq");
            long twoKinds = accepted.stream()
                    .filter(id -> (runs.containsKey(id) ? 1 : 0)
                                    + (expired.contains(id) ? 1 : 0)
                                    + (deadLettered.contains(id) ? 1 : 0)
                            > 1)
                    .count();
            long late = lateStarts();
            Map<String, List<WebhookTarget.Received>> calls =
                    webhook.received("/hook").stream().collect(Collectors.groupingBy(r -> r.header("ce-id")));
            long duplicated =
                    calls.values().stream().mapToLong(c -> c.size() - 1).sum();
            long duplicatesWithAnotherKey = calls.values().stream()
                    .filter(c -> c.stream()
                                    .map(r -> r.header("webhook-id"))
                                    .distinct()
                                    .count()
                            > 1)
                    .count();
            System.out.printf(
                    "%s: %s; %s; executed=%d expired=%d dead-lettered=%d LOST=%d in-two-kinds=%d"
                            + " DUPLICATED=%d (with another webhook-id: %d) late-starts=%d%n",
                    TOPIC,
                    run.timeline(),
                    ingest.summary(),
                    accepted.stream().filter(runs::containsKey).count(),
                    accepted.stream().filter(expired::contains).count(),
                    accepted.stream().filter(deadLettered::contains).count(),
                    undecided(accepted).size(),
                    twoKinds,
                    duplicated,
                    duplicatesWithAnotherKey,
                    late);

            assertTrue(accepted.size() >= 3 * PHASE_EVENTS, ingest.summary());
            assertEquals(0, ingest.lost().size(), "LOST at ingest must be 0: " + ingest.summary());
            assertEquals(Set.of(), undecided(accepted), "every 202 has a run-log row, an .expired or a .dlq record");
            assertEquals(0, twoKinds, "an event ends in one kind of terminal record, not two");
            assertEquals(0, late, "no run starts after its deadline");
            assertEquals(0, duplicatesWithAnotherKey, "a run sent again carries the same webhook-id");
        }
    }

    /** 202 ids with no terminal record yet. */
    private Set<String> undecided(Set<String> accepted) throws Exception {
        Set<String> open = new HashSet<>(accepted);
        open.removeAll(runLogRows().keySet());
        if (!open.isEmpty()) {
            open.removeAll(ids(TOPIC + ".expired"));
            open.removeAll(ids(TOPIC + ".dlq"));
        }
        return open;
    }

    /** Run-log rows of the workflow per event id. */
    private Map<String, Integer> runLogRows() throws Exception {
        Map<String, Integer> rows = new HashMap<>();
        for (Row row : pg.preparedQuery("SELECT event_id FROM sluice_run_log WHERE workflow = $1")
                .execute(Tuple.of(WORKFLOW))
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS)) {
            rows.merge(row.getString(0), 1, Integer::sum);
        }
        return rows;
    }

    /** Run-log rows whose run started after the event's deadline (ingest + the route's TTL). */
    private long lateStarts() throws Exception {
        return pg.preparedQuery(
                        "SELECT count(*) FROM sluice_run_log WHERE workflow = $1 AND started_at > ingest_at + make_interval(secs => $2)")
                .execute(Tuple.of(WORKFLOW, FaultRouter.TTL_SECONDS))
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS)
                .iterator()
                .next()
                .getLong(0);
    }

    private Set<String> ids(String topic) {
        Set<String> ids = new HashSet<>();
        cluster.readAll(topic, Duration.ofSeconds(10)).forEach(r -> {
            Header id = r.headers().lastHeader(SluiceHeaders.CE_ID);
            if (id != null) {
                ids.add(new String(id.value(), StandardCharsets.UTF_8));
            }
        });
        return ids;
    }
}
