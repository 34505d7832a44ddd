package dev.sluice.executor;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.Catalog;
import dev.sluice.core.EventIds;
import dev.sluice.core.EventRecords;
import dev.sluice.core.IngestedEvent;
import dev.sluice.core.KafkaConfig;
import dev.sluice.core.Settings;
import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Ports;
import dev.sluice.testkit.Postgres;
import dev.sluice.testkit.Redis;
import dev.sluice.testkit.SluiceInfra;
import dev.sluice.testkit.WebhookTarget;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every event the executor reads ends in a recorded outcome, even when its run throws: an event
 * whose attributes cannot become HTTP headers (CR, LF, NUL) is dead-lettered with the error, has a
 * run-log row and is counted, and the events after it on the partition still run.
 */
@SluiceInfra
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RunAccountingIT {

    private static KafkaBroker kafka;
    private static WebhookTarget webhook;
    private static Vertx vertx;
    private static Pool pg;
    private static Fixtures fixtures;
    private static ExecutorApp executor;
    private static PrometheusMeterRegistry registry;

    @BeforeAll
    static void start(KafkaBroker broker, Postgres postgres, Redis redis, WebhookTarget target) throws Exception {
        kafka = broker;
        webhook = target;
        for (String t : List.of("it.a.bad", "it.a.slow", "it.a.mute")) {
            for (String suffix : List.of("", ".expired", ".dlq")) {
                kafka.createTopic(t + suffix, 1, Duration.ofHours(1));
            }
        }
        Catalog catalog = Catalog.parse(
                new JsonObject("""
                {"routes": [{"source": "bad", "topic": "it.a.bad", "partitions": 1},
                            {"source": "slow", "topic": "it.a.slow", "partitions": 1, "ttl": "2s"},
                            {"source": "mute", "topic": "it.a.mute", "partitions": 1, "ttl": "3s"}],
                 "workflows": [{"name": "w-bad", "sources": ["bad"], "steps": [{"url": "%s"}]},
                               {"name": "w-slow", "sources": ["slow"], "steps": [{"url": "%s", "timeout": "5s"}]},
                               {"name": "w-mute", "sources": ["mute"], "steps": [{"url": "%s", "timeout": "300ms"}]}]}
                """.formatted(webhook.url("/bad"), webhook.url("/slow"), webhook.url("/mute"))));
        String pgUri = postgres.createDatabase("run_accounting");
        vertx = Vertx.vertx();
        pg = PgBuilder.pool().connectingTo(pgUri).using(vertx).build();
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ExecutorConfig config = ExecutorConfig.from(Settings.of(Map.of(
                        "executor.instances", "1", "executor.runlog.flush", "100ms", "executor.retry.backoff", "50ms")))
                .withManagement("127.0.0.1", Ports.freePort())
                .withGroup("it-accounting-" + ThreadLocalRandom.current().nextInt(1 << 20))
                .withState(redis.uri(), pgUri);
        executor = ExecutorApp.start(vertx, config, KafkaConfig.of(kafka.bootstrapServers()), catalog, registry)
                .toCompletionStage()
                .toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(60))
                .until(() ->
                        executor.readiness().ready() && !executor.assignment().isEmpty());
        fixtures = new Fixtures(kafka.bootstrapServers());
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

    private static IngestedEvent event(String id, String subject, Map<String, String> extensions, String payload) {
        long now = System.currentTimeMillis();
        return new IngestedEvent(
                id,
                "/sources/bad",
                "t",
                subject,
                null,
                "text/plain",
                null,
                null,
                "default",
                "bad",
                now,
                now + 20_000,
                null,
                payload.getBytes(StandardCharsets.UTF_8),
                extensions);
    }

    private static Map<Long, Row> runLogByOffset() throws Exception {
        return runLogByOffset("w-bad");
    }

    private static Map<Long, Row> runLogByOffset(String workflow) throws Exception {
        Map<Long, Row> rows = new HashMap<>();
        pg.preparedQuery("SELECT kafka_offset, outcome, attempts, error FROM sluice_run_log WHERE workflow = $1")
                .execute(Tuple.of(workflow))
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS)
                .forEach(r -> rows.put(r.getLong("kafka_offset"), r));
        return rows;
    }

    private static double counter(String name, String... tags) {
        Counter c = registry.find(name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void aRunThatThrowsIsDeadLetteredWithTheErrorLoggedAndCountedAndThePartitionGoesOn() throws Exception {
        long now = System.currentTimeMillis();
        List<IngestedEvent> bad = List.of(
                event("crlf\r\nX-Injected: 1-" + EventIds.nextString(now), null, Map.of(), "cr lf in the id"),
                event(EventIds.nextString(now), null, Map.of("note", "line one\nline two"), "lf in an extension"),
                event(
                        "nul\u0000" + EventIds.nextString(now),
                        "sub\u0000ject",
                        Map.of(),
                        "nul in the id and the subject"));
        for (IngestedEvent e : bad) {
            fixtures.send("it.a.bad", e);
        }
        String good = fixtures.send("it.a.bad", event(EventIds.nextString(now), null, Map.of(), "fine"));
        fixtures.flush();

        await().atMost(Duration.ofSeconds(20))
                .until(() -> webhook.received("/bad").size() == 1);
        assertEquals(good, webhook.received("/bad").get(0).header("ce-id"), "only the good event reached the target");

        // Each bad event: a dead-letter record naming the error, at its own offset.
        List<ConsumerRecord<byte[], byte[]>> dead = await().atMost(Duration.ofSeconds(20))
                .until(() -> kafka.readAll("it.a.bad.dlq", Duration.ofSeconds(5)), l -> l.size() >= 3);
        assertEquals(3, dead.size());
        List<Long> deadOffsets = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> d : dead) {
            String error = EventRecords.text(d.headers(), "sluice_error");
            assertNotNull(error, "the error is recorded");
            assertTrue(error.contains("unexpected"), error);
            assertEquals("w-bad", EventRecords.text(d.headers(), "sluice_workflow"));
            String origin = EventRecords.text(d.headers(), "sluice_origin");
            deadOffsets.add(Long.parseLong(origin.substring(origin.lastIndexOf('/') + 1)));
        }
        assertEquals(List.of(0L, 1L, 2L), deadOffsets.stream().sorted().toList());

        // Each one has a dead_lettered run-log row with the error (NUL included: the row is not refused).
        await().atMost(Duration.ofSeconds(20)).until(() -> runLogByOffset().size() == 4);
        Map<Long, Row> rows = runLogByOffset();
        for (long offset = 0; offset < 3; offset++) {
            Row r = rows.get(offset);
            assertEquals("dead_lettered", r.getString("outcome"), "offset " + offset);
            assertTrue(r.getString("error").contains("unexpected"), r.getString("error"));
        }
        assertEquals("succeeded", rows.get(3L).getString("outcome"));

        assertEquals(3.0, counter("sluice.executor.runs", "workflow", "w-bad", "outcome", "dead_lettered"));
        assertEquals(3.0, counter("sluice.executor.unexpected.errors", "workflow", "w-bad"));
        // The partition's offset moved past all four: nothing is waiting on a run that threw.
        await().atMost(Duration.ofSeconds(10))
                .until(() -> executor.assignment().values().stream()
                                .mapToInt(Integer::intValue)
                                .sum()
                        == 0);
    }

    @Test
    void aRequestWrittenBeforeTheDeadlineAndAnsweredAfterItIsDeliveredNotDeadLettered() throws Exception {
        // The target takes 3 s; the event's TTL is 2 s; the step's timeout 5 s covers the exchange.
        webhook.delayFor("ce-partitionkey", "slow", Duration.ofSeconds(3));
        long ingest = System.currentTimeMillis();
        String id = fixtures.send("it.a.slow", "slow", "slow", "s", ingest, 2000);
        fixtures.flush();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> runLogByOffset("w-slow").containsKey(0L));
        assertEquals("succeeded", runLogByOffset("w-slow").get(0L).getString("outcome"));
        List<WebhookTarget.Received> got = webhook.received("/slow");
        assertEquals(1, got.size());
        assertEquals(id, got.get(0).header("ce-id"));
        assertTrue(got.get(0).receivedAtMillis() < ingest + 2000, "written before the deadline");
        assertTrue(
                kafka.readAll("it.a.slow.dlq", Duration.ofSeconds(3)).isEmpty(), "delivered, so never dead-lettered");
    }

    @Test
    void retriesAfterUnansweredWritesAreResendsOfOneWebhookIdAndTheDeadLetterCountsTheWrites() throws Exception {
        webhook.delayFor("ce-partitionkey", "mute", Duration.ofSeconds(5));
        long ingest = System.currentTimeMillis();
        String id = fixtures.send("it.a.mute", "mute", "mute", "m", ingest, 3000);
        fixtures.flush();
        ConsumerRecord<byte[], byte[]> dead = await().atMost(Duration.ofSeconds(20))
                .until(
                        () -> kafka.readAll("it.a.mute.dlq", Duration.ofSeconds(3)).stream()
                                .findFirst()
                                .orElse(null),
                        r -> r != null);
        List<WebhookTarget.Received> got = webhook.received("/mute");
        assertTrue(got.size() >= 2, "re-sent after no answer: " + got.size());
        assertEquals(
                1,
                got.stream().map(r -> r.header("webhook-id")).distinct().count(),
                "every re-send carries one webhook-id");
        assertTrue(
                got.stream().allMatch(r -> r.receivedAtMillis() < ingest + 3000), "nothing written after the deadline");
        assertEquals(id, EventRecords.text(dead.headers(), "ce_id"));
        assertEquals(Integer.toString(got.size()), EventRecords.text(dead.headers(), "sluice_attempts_written"));
        String error = EventRecords.text(dead.headers(), "sluice_error");
        assertTrue(error.contains("after the request was written") && error.contains(got.size() + " written"), error);
        assertEquals(got.size() - 1.0, counter("sluice.executor.resends"));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> runLogByOffset("w-mute").containsKey(0L));
        assertEquals("dead_lettered", runLogByOffset("w-mute").get(0L).getString("outcome"));
    }
}
