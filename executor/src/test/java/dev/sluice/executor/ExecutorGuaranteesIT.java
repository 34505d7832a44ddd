package dev.sluice.executor;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
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
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
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
 * The executor's promises against the real broker, PostgreSQL (run log), Redis (claims) and a
 * real webhook target: key order, isolation of a slow key, the deadline guard, retries bounded
 * by the deadline, no double runs on redelivery, no loss when an executor is killed, and dead
 * spans skipped with an exact count.
 */
@SluiceInfra
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ExecutorGuaranteesIT {

    private static final String CATALOG = """
            {"routes": [
              {"source": "order", "topic": "it.g.order", "partitions": 3},
              {"source": "slow", "topic": "it.g.slow", "partitions": 1},
              {"source": "short", "topic": "it.g.short", "partitions": 1, "ttl": "2s"},
              {"source": "retry", "topic": "it.g.retry", "partitions": 1, "ttl": "3s"},
              {"source": "dup", "topic": "it.g.dup", "partitions": 1},
              {"source": "kill", "topic": "it.g.kill", "partitions": 3, "ttl": "120s"},
              {"source": "span", "topic": "it.g.span", "partitions": 1, "ttl": "30s"},
              {"source": "pool", "topic": "it.g.pool", "partitions": 1, "ttl": "2s"}],
             "workflows": [
              {"name": "w-order", "sources": ["order"], "steps": [{"url": "%1$s/order"}]},
              {"name": "w-slow", "sources": ["slow"], "steps": [{"url": "%1$s/slow", "timeout": "10s"}]},
              {"name": "w-short", "sources": ["short"], "steps": [{"url": "%1$s/short", "timeout": "10s"}]},
              {"name": "w-retry", "sources": ["retry"], "steps": [{"url": "%1$s/retry"}]},
              {"name": "w-dup", "sources": ["dup"], "steps": [{"url": "%1$s/dup"}]},
              {"name": "w-kill", "sources": ["kill"], "steps": [{"url": "%1$s/kill"}]},
              {"name": "w-span", "sources": ["span"], "steps": [{"url": "%1$s/span"}]},
              {"name": "w-pool", "sources": ["pool"], "steps": [{"url": "%1$s/pool", "timeout": "10s"}]}]}
            """;

    private static KafkaBroker kafka;
    private static WebhookTarget webhook;
    private static Vertx vertx;
    private static String catalogJson;
    private static String pgUri;
    private static String redisUri;
    private static Pool pg;
    private static Fixtures fixtures;
    private static ExecutorApp executor;
    private static String group;

    @BeforeAll
    static void start(KafkaBroker broker, Postgres postgres, Redis redis, WebhookTarget target) throws Exception {
        kafka = broker;
        webhook = target;
        for (String t : List.of("order", "slow", "short", "retry", "dup", "kill", "span", "pool")) {
            int partitions = t.equals("order") || t.equals("kill") ? 3 : 1;
            for (String suffix : List.of("", ".expired", ".dlq")) {
                kafka.createTopic("it.g." + t + suffix, partitions, Duration.ofHours(1));
            }
        }
        catalogJson = CATALOG.formatted(webhook.url("").replaceAll("/$", ""));
        pgUri = postgres.createDatabase("executor_guarantees");
        redisUri = redis.uri();
        vertx = Vertx.vertx();
        pg = PgBuilder.pool().connectingTo(pgUri).using(vertx).build();
        fixtures = new Fixtures(kafka.bootstrapServers());
        group = "it-guarantees-" + ThreadLocalRandom.current().nextInt(1 << 20);
        executor = startExecutor(group, "order", "slow", "short", "retry", "dup");
    }

    /** The catalog JSON restricted to some sources, so each executor reads only its tests' topics. */
    static JsonObject catalogFor(String... sources) {
        Set<String> keep = Set.of(sources);
        JsonObject all = new JsonObject(catalogJson);
        io.vertx.core.json.JsonArray routes = new io.vertx.core.json.JsonArray();
        all.getJsonArray("routes").forEach(r -> {
            if (keep.contains(((JsonObject) r).getString("source"))) {
                routes.add(r);
            }
        });
        io.vertx.core.json.JsonArray workflows = new io.vertx.core.json.JsonArray();
        all.getJsonArray("workflows").forEach(w -> {
            if (keep.contains(((JsonObject) w).getJsonArray("sources").getString(0))) {
                workflows.add(w);
            }
        });
        return new JsonObject().put("routes", routes).put("workflows", workflows);
    }

    static ExecutorApp startExecutor(String group, String... sources) throws Exception {
        return startExecutor(Map.of(), group, sources);
    }

    static ExecutorApp startExecutor(Map<String, String> extra, String group, String... sources) throws Exception {
        Catalog catalog = Catalog.parse(catalogFor(sources));
        Map<String, String> settings = new HashMap<>(Map.of("executor.instances", "2", "executor.retry.attempts", "50",
                "executor.retry.backoff", "200ms", "executor.runlog.flush", "100ms"));
        settings.putAll(extra);
        ExecutorConfig config = ExecutorConfig.from(Settings.of(settings))
                .withManagement("127.0.0.1", Ports.freePort()).withGroup(group).withState(redisUri, pgUri);
        ExecutorApp app = ExecutorApp.start(vertx, config, KafkaConfig.of(kafka.bootstrapServers()), catalog,
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(60)).until(() -> app.readiness().ready() && !app.assignment().isEmpty());
        return app;
    }

    @AfterAll
    static void stop() throws Exception {
        if (executor != null) {
            executor.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        if (fixtures != null) {
            fixtures.close();
        }
        if (pg != null) {
            pg.close();
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private static List<WebhookTarget.Received> calls(String path) {
        return webhook.received(path);
    }

    private static List<Row> runLog(String workflow) throws Exception {
        List<Row> rows = new ArrayList<>();
        pg.preparedQuery("SELECT event_id, outcome, attempts, error FROM sluice_run_log WHERE workflow = $1 ORDER BY ended_at")
                .execute(Tuple.of(workflow)).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).forEach(rows::add);
        return rows;
    }

    private static ConsumerRecord<byte[], byte[]> find(String topic, String id) {
        return kafka.readAll(topic, Duration.ofSeconds(10)).stream()
                .filter(r -> id.equals(EventRecords.text(r.headers(), "ce_id"))).findFirst().orElse(null);
    }

    @Test
    void eachKeysEventsRunInOrderWhileKeysRunConcurrentlyAndTheRunLogMatchesTheWebhook() throws Exception {
        long now = System.currentTimeMillis();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            ids.add(fixtures.send("it.g.order", "order", "key-" + (i % 50), Integer.toString(i), now, 20_000));
        }
        fixtures.flush();
        await().atMost(Duration.ofSeconds(60)).until(() -> calls("/order").size() >= 1000);
        Map<String, List<Integer>> byKey = new HashMap<>();
        for (WebhookTarget.Received r : calls("/order")) {
            byKey.computeIfAbsent(r.header("ce-partitionkey"), k -> new ArrayList<>()).add(Integer.parseInt(r.bodyAsString()));
        }
        assertEquals(50, byKey.size());
        byKey.forEach((key, seq) -> {
            for (int i = 1; i < seq.size(); i++) {
                assertTrue(seq.get(i) > seq.get(i - 1), key + " ran out of order: " + seq);
            }
            assertEquals(20, seq.size(), key);
        });
        assertEquals(ids, calls("/order").stream().map(r -> r.header("ce-id")).collect(Collectors.toSet()));

        await().atMost(Duration.ofSeconds(10)).until(() -> runLog("w-order").size() >= 1000);
        List<Row> rows = runLog("w-order");
        assertEquals(1000, rows.size());
        assertTrue(rows.stream().allMatch(r -> r.getString("outcome").equals("succeeded") && r.getInteger("attempts") == 1));
        assertEquals(ids, rows.stream().map(r -> r.getString("event_id")).collect(Collectors.toSet()), "run log = webhook record");
    }

    @Test
    void aSlowKeyDoesNotHoldUpAnotherKeyOnTheSamePartition() throws Exception {
        webhook.delayFor("ce-partitionkey", "A", Duration.ofSeconds(5));
        fixtures.send("it.g.slow", "slow", "A", "a", System.currentTimeMillis(), 20_000);
        fixtures.flush();
        await().atMost(Duration.ofSeconds(10)).until(() -> calls("/slow").size() == 1);
        long ingestB = System.currentTimeMillis();
        String b = fixtures.send("it.g.slow", "slow", "B", "b", ingestB, 20_000);
        fixtures.flush();
        await().atMost(Duration.ofSeconds(10)).until(() -> calls("/slow").stream().anyMatch(r -> b.equals(r.header("ce-id"))));
        long arrival = calls("/slow").stream().filter(r -> b.equals(r.header("ce-id"))).findFirst().orElseThrow().receivedAtMillis();
        assertTrue(arrival - ingestB < 100, "B reached the webhook " + (arrival - ingestB) + " ms after ingest, while A was still running");
    }

    @Test
    void anEventWhoseDeadlinePassesWhileWaitingBehindItsKeyIsExpiredNotStarted() throws Exception {
        webhook.delayFor("ce-partitionkey", "K", Duration.ofSeconds(3));
        long now = System.currentTimeMillis();
        String first = fixtures.send("it.g.short", "short", "K", "1", now, 2000);
        String second = fixtures.send("it.g.short", "short", "K", "2", now, 2000);
        fixtures.flush();
        await().atMost(Duration.ofSeconds(15)).until(() -> find("it.g.short.expired", second) != null);
        assertTrue(calls("/short").stream().anyMatch(r -> first.equals(r.header("ce-id"))), "the first one ran");
        assertFalse(calls("/short").stream().anyMatch(r -> second.equals(r.header("ce-id"))), "the second one never started");
        await().atMost(Duration.ofSeconds(10)).until(() -> runLog("w-short").stream()
                .anyMatch(r -> r.getString("event_id").equals(second) && r.getString("outcome").equals("expired")));
    }

    @Test
    void aRequestStillWaitingForAConnectionAtTheDeadlineIsNeverSentAndExpires() throws Exception {
        // One event loop with one connection to the target: while A's slow call holds it, B (another
        // key, so not ordered behind A) waits in the pool until its deadline, then must not be sent.
        ExecutorApp one = startExecutor(Map.of("executor.instances", "1", "executor.http.pool", "1"),
                "it-pool-" + ThreadLocalRandom.current().nextInt(1 << 20), "pool");
        try {
            webhook.delayFor("ce-partitionkey", "A", Duration.ofSeconds(4));
            long now = System.currentTimeMillis();
            String a = fixtures.send("it.g.pool", "pool", "A", "a", now, 20_000);
            fixtures.flush();
            await().atMost(Duration.ofSeconds(10)).until(() -> calls("/pool").size() == 1);
            String b = fixtures.send("it.g.pool", "pool", "B", "b", System.currentTimeMillis(), 2000);
            fixtures.flush();
            await().atMost(Duration.ofSeconds(15)).until(() -> find("it.g.pool.expired", b) != null);
            String reason = EventRecords.text(find("it.g.pool.expired", b).headers(), "sluice_expired_reason");
            assertTrue(reason.contains("waited") && reason.contains("connection"), reason);
            await().atMost(Duration.ofSeconds(10)).until(() -> runLog("w-pool").stream()
                    .anyMatch(r -> r.getString("event_id").equals(b) && r.getString("outcome").equals("expired")));
            // A's call ends and frees the connection: B, already expired, must still not follow.
            await().atMost(Duration.ofSeconds(15)).until(() -> runLog("w-pool").stream()
                    .anyMatch(r -> r.getString("event_id").equals(a) && r.getString("outcome").equals("succeeded")));
            assertEquals(List.of(a), calls("/pool").stream().map(r -> r.header("ce-id")).toList());
            assertNull(find("it.g.pool.dlq", b), "expired, not dead-lettered");
        } finally {
            one.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void retriesStopAtTheDeadlineAndTheEventIsDeadLettered() throws Exception {
        webhook.respondWith(503);
        long ingest = System.currentTimeMillis();
        String id = fixtures.send("it.g.retry", "retry", null, "r", ingest, 3000);
        fixtures.flush();
        await().atMost(Duration.ofSeconds(15)).until(() -> find("it.g.retry.dlq", id) != null);
        ConsumerRecord<byte[], byte[]> dead = find("it.g.retry.dlq", id);
        String error = EventRecords.text(dead.headers(), "sluice_error");
        assertTrue(error.contains("503") && error.contains("before the deadline"), error);
        List<WebhookTarget.Received> attempts = calls("/retry").stream().filter(r -> id.equals(r.header("ce-id"))).toList();
        assertTrue(attempts.size() >= 3, "retried: " + attempts.size());
        assertTrue(attempts.stream().allMatch(r -> r.receivedAtMillis() < ingest + 3000), "no attempt after the deadline");
        assertEquals(Integer.toString(attempts.size()), EventRecords.text(dead.headers(), "sluice_attempts"));
    }

    @Test
    void aRedeliveredEventIsNotRunTwiceWhileLive() throws Exception {
        String id = fixtures.send("it.g.dup", "dup", null, "once", System.currentTimeMillis(), 20_000);
        fixtures.flush();
        await().atMost(Duration.ofSeconds(10)).until(() -> calls("/dup").size() == 1);
        // A second consumer group reads the same records again: a redelivery, as after a lost commit.
        ExecutorApp second = startExecutor(group + "-replay", "dup");
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> runLog("w-dup").stream()
                    .anyMatch(r -> r.getString("event_id").equals(id) && r.getString("outcome").equals("skipped_duplicate")));
            assertEquals(1, calls("/dup").size(), "the webhook saw the event once");
        } finally {
            second.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void killingAnExecutorMidLoadLosesNoEventAndRunsNoneTwice() throws Exception {
        String killGroup = group + "-kill";
        Path catalogFile = Files.createTempFile("sluice-it-catalog", ".json");
        Files.writeString(catalogFile, catalogFor("kill").encode());
        // The executor that dies is a real process, killed with SIGKILL: no hook, no commit, no flush.
        ProcessBuilder pb = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), "dev.sluice.executor.main.ExecutorMain");
        Map<String, String> env = pb.environment();
        env.put("SLUICE_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        env.put("SLUICE_CATALOG_FILE", catalogFile.toString());
        env.put("SLUICE_REDIS_URL", redisUri);
        env.put("SLUICE_PG_URL", pgUri);
        env.put("SLUICE_EXECUTOR_GROUP", killGroup);
        env.put("SLUICE_EXECUTOR_MANAGEMENT_PORT", Integer.toString(Ports.freePort()));
        env.put("SLUICE_EXECUTOR_INSTANCES", "2");
        pb.redirectErrorStream(true).redirectOutput(Files.createTempFile("sluice-it-executor", ".log").toFile());
        Process doomed = pb.start();
        ExecutorApp survivor = null;
        Set<String> ids = new HashSet<>();
        try {
            webhook.delay(Duration.ofMillis(20));
            for (int i = 0; i < 150; i++) {
                ids.add(fixtures.send("it.g.kill", "kill", "k" + (i % 30), Integer.toString(i), System.currentTimeMillis(), 120_000));
            }
            fixtures.flush();
            await().atMost(Duration.ofSeconds(60)).until(() -> calls("/kill").size() >= 40);
            doomed.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            for (int i = 150; i < 300; i++) {
                ids.add(fixtures.send("it.g.kill", "kill", "k" + (i % 30), Integer.toString(i), System.currentTimeMillis(), 120_000));
            }
            fixtures.flush();
            survivor = startExecutor(killGroup, "kill");
            // Every event reaches the webhook: sent before the kill, or by the survivor, which takes over the
            // runs whose leases the dead executor left behind and re-sends them with the same webhook-id.
            await().atMost(Duration.ofSeconds(90)).until(() -> calls("/kill").stream().map(r -> r.header("ce-id"))
                    .collect(Collectors.toSet()).containsAll(ids));
            Map<String, List<WebhookTarget.Received>> perId = calls("/kill").stream().collect(Collectors.groupingBy(r -> r.header("ce-id")));
            Set<String> lost = ids.stream().filter(id -> !perId.containsKey(id)).collect(Collectors.toSet());
            assertEquals(Set.of(), lost, "lost");
            // A run delivered more than once is a counted re-send: the survivor's run log says resent, and
            // every delivery carries the same webhook-id, so the target can tell it is the same run.
            List<String> twice = perId.entrySet().stream().filter(e -> e.getValue().size() > 1).map(Map.Entry::getKey).toList();
            await().atMost(Duration.ofSeconds(20)).until(() -> runLog("w-kill").stream()
                    .filter(r -> r.getString("outcome").equals("resent")).map(r -> r.getString("event_id")).toList()
                    .containsAll(twice));
            Set<String> resent = runLog("w-kill").stream().filter(r -> r.getString("outcome").equals("resent"))
                    .map(r -> r.getString("event_id")).collect(Collectors.toSet());
            for (String id : twice) {
                assertEquals(1, perId.get(id).stream().map(r -> r.header("webhook-id")).distinct().count(), id + " re-sent with a new id");
            }
            assertTrue(runLog("w-kill").stream().filter(r -> r.getString("outcome").equals("resent")).allMatch(r -> r.getInteger("attempts") >= 2),
                    "a re-send counts the dead executor's send");
            // What the dead executor had in flight is bounded by its keys (30): one run per key at a time.
            assertTrue(resent.size() <= 30, resent.size() + " re-sends");
            System.out.printf("kill test: %d events, %d lost, %d delivered once, %d delivered twice (re-sends with the same webhook-id),"
                            + " %d re-sends in the run log%n", ids.size(), lost.size(), perId.values().stream().filter(l -> l.size() == 1).count(),
                    twice.size(), resent.size());
        } finally {
            if (doomed.isAlive()) {
                doomed.destroyForcibly();
            }
            if (survivor != null) {
                survivor.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
            Files.deleteIfExists(catalogFile);
        }
    }

    @Test
    void anExecutorThatComesBackLateSkipsTheDeadSpanAndReportsTheExactCount() throws Exception {
        String spanGroup = group + "-span";
        // The executor reads one event, commits, and stops. Timestamps are ingest times, so they rise
        // along the partition: the first event came 70 s ago, so it is accounted as expired.
        long t0 = System.currentTimeMillis() - 70_000;
        ExecutorApp first = startExecutor(spanGroup, "span");
        String early = fixtures.send("it.g.span", "span", null, "early", t0, 5000);
        fixtures.flush();
        await().atMost(Duration.ofSeconds(10)).until(() -> find("it.g.span.expired", early) != null);
        first.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);

        // While no executor runs, 40 events arrive and die (65-69 s old, past the route's 30 s TTL),
        // then 3 live ones, which stay live however long the second executor takes to start.
        Set<String> dead = new HashSet<>();
        for (int i = 0; i < 40; i++) {
            dead.add(fixtures.send("it.g.span", "span", null, "dead", t0 + 1000 + i * 100, 5000));
        }
        Set<String> live = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            live.add(fixtures.send("it.g.span", "span", null, "live", System.currentTimeMillis(), 30_000));
        }
        fixtures.flush();

        ExecutorApp back = startExecutor(spanGroup, "span");
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> calls("/span").size() == 3);
            Set<String> ran = calls("/span").stream().map(r -> r.header("ce-id")).collect(Collectors.toSet());
            assertEquals(live, ran, "exactly the live events ran");
            assertTrue(kafka.readAll("it.g.span.expired", Duration.ofSeconds(10)).stream()
                    .noneMatch(r -> dead.contains(EventRecords.text(r.headers(), "ce_id"))), "the dead span was not read one by one");
            ConsumerRecord<byte[], byte[]> summary = await().atMost(Duration.ofSeconds(10)).until(
                    () -> kafka.readAll("it.g.span.expired", Duration.ofSeconds(10)).stream()
                            .filter(r -> r.headers().lastHeader("ce_id") == null).findFirst().orElse(null), r -> r != null);
            JsonObject s = new JsonObject(new String(summary.value(), StandardCharsets.UTF_8));
            assertEquals(40, s.getInteger("skipped"), s.encode());
            assertEquals(1, s.getInteger("fromOffset"));
            assertEquals(41, s.getInteger("toOffset"));
            assertNotNull(EventRecords.text(summary.headers(), "sluice_expired_reason"));
        } finally {
            back.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }
}
