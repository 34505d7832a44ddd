package dev.sluice.executor;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every decision is on the record before its offset is committed: the offset waits for the
 * run-log rows (PostgreSQL stalled: the runs go on, the commit does not); rows carry the event's
 * deadline and the first write, so "nothing written after its deadline" is a query; a skipped
 * dead span has a run-log row and a summary on its own partition of {@code .expired}.
 */
@SluiceInfra
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class RunRecordsIT {

    private static KafkaBroker kafka;
    private static WebhookTarget webhook;
    private static Postgres postgres;
    private static Redis redis;
    private static Vertx vertx;
    private static Fixtures fixtures;
    private static Pool pg;
    private static String pgUri;
    private static Admin admin;

    private static final String CATALOG = """
            {"routes": [{"source": "rec", "topic": "it.rec.commit", "partitions": 1},
                        {"source": "spans", "topic": "it.rec.spans", "partitions": 3, "ttl": "30s"}],
             "workflows": [{"name": "w-rec", "sources": ["rec"], "steps": [{"url": "%s"}]},
                           {"name": "w-spans", "sources": ["spans"], "steps": [{"url": "%s"}]}]}
            """;

    @BeforeAll
    static void start(KafkaBroker broker, Postgres server, Redis redisServer, WebhookTarget target) throws Exception {
        kafka = broker;
        webhook = target;
        postgres = server;
        redis = redisServer;
        kafka.createTopic("it.rec.commit", 1, Duration.ofHours(1));
        kafka.createTopic("it.rec.commit.expired", 1, Duration.ofHours(1));
        kafka.createTopic("it.rec.commit.dlq", 1, Duration.ofHours(1));
        kafka.createTopic("it.rec.spans", 3, Duration.ofHours(1));
        kafka.createTopic("it.rec.spans.expired", 3, Duration.ofHours(1));
        kafka.createTopic("it.rec.spans.dlq", 3, Duration.ofHours(1));
        pgUri = postgres.createDatabase("run_records");
        vertx = Vertx.vertx();
        pg = PgBuilder.pool().connectingTo(pgUri).using(vertx).build();
        fixtures = new Fixtures(kafka.bootstrapServers());
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        admin = Admin.create(p);
    }

    @AfterAll
    static void stop() throws Exception {
        if (admin != null) {
            admin.close();
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

    private static ExecutorApp executor(String group, String pgUrl, String... sources) throws Exception {
        JsonObject all = new JsonObject(CATALOG.formatted(webhook.url("/rec"), webhook.url("/spans")));
        Set<String> keep = Set.of(sources);
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
        ExecutorConfig config = ExecutorConfig.from(Settings.of(Map.of(
                        "executor.instances",
                        "1",
                        "executor.runlog.flush",
                        "100ms",
                        "executor.runlog.timeout",
                        "1s",
                        "executor.commit.interval",
                        "200ms")))
                .withManagement("127.0.0.1", Ports.freePort())
                .withGroup(group)
                .withState(redis.uri(), pgUrl);
        ExecutorApp app = ExecutorApp.start(
                        vertx,
                        config,
                        KafkaConfig.of(kafka.bootstrapServers()),
                        Catalog.parse(new JsonObject().put("routes", routes).put("workflows", workflows)),
                        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))
                .toCompletionStage()
                .toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(60))
                .until(() -> app.readiness().ready() && !app.assignment().isEmpty());
        return app;
    }

    private static long committed(String group, TopicPartition tp) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata()
                .get(10, TimeUnit.SECONDS);
        OffsetAndMetadata om = offsets.get(tp);
        return om == null ? -1 : om.offset();
    }

    private static List<Row> rows(String sql, Tuple args) throws Exception {
        List<Row> out = new ArrayList<>();
        pg.preparedQuery(sql)
                .execute(args)
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS)
                .forEach(out::add);
        return out;
    }

    @Test
    void anOffsetIsCommittedOnlyOnceItsRunLogRowsAreDurable() throws Exception {
        String group = "it-rec-commit-" + ThreadLocalRandom.current().nextInt(1 << 20);
        TopicPartition tp = new TopicPartition("it.rec.commit", 0);
        String host = postgres.host();
        try (StallableProxy proxy = new StallableProxy(vertx, host, postgres.port())) {
            String viaProxy =
                    pgUri.replace("@" + host + ":" + postgres.port() + "/", "@127.0.0.1:" + proxy.port() + "/");
            ExecutorApp app = executor(group, viaProxy, "rec");
            try {
                String first = fixtures.send("it.rec.commit", "rec", null, "1", System.currentTimeMillis(), 20_000);
                fixtures.flush();
                await().atMost(Duration.ofSeconds(20)).until(() -> committed(group, tp) == 1);

                proxy.stall();
                Set<String> ids = new HashSet<>();
                for (int i = 0; i < 5; i++) {
                    ids.add(fixtures.send("it.rec.commit", "rec", null, "s" + i, System.currentTimeMillis(), 20_000));
                }
                fixtures.flush();
                // Execution goes on while PostgreSQL hangs...
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> webhook.received("/rec").stream()
                                .map(r -> r.header("ce-id"))
                                .collect(java.util.stream.Collectors.toSet())
                                .containsAll(ids));
                // ...but the offsets of runs whose rows are not durable are not committed.
                await().during(Duration.ofSeconds(2))
                        .atMost(Duration.ofSeconds(5))
                        .until(() -> committed(group, tp) == 1);

                proxy.release();
                await().atMost(Duration.ofSeconds(30)).until(() -> committed(group, tp) == 6);
                List<Row> logged = rows(
                        "SELECT event_id, outcome, deadline_at, first_write_at, started_at FROM sluice_run_log"
                                + " WHERE workflow = $1",
                        Tuple.of("w-rec"));
                Set<String> loggedIds = new HashSet<>();
                logged.forEach(r -> loggedIds.add(r.getString("event_id")));
                assertTrue(
                        loggedIds.containsAll(ids) && loggedIds.contains(first),
                        "every run is on the record: " + loggedIds);
                for (Row r : logged) {
                    assertNotNull(r.getOffsetDateTime("deadline_at"));
                    assertNotNull(r.getOffsetDateTime("first_write_at"));
                }
                // The documented check: no run wrote to its target at or after its deadline.
                assertEquals(
                        0L,
                        rows("SELECT count(*) FROM sluice_run_log WHERE first_write_at >= deadline_at", Tuple.tuple())
                                .get(0)
                                .getLong(0));
            } finally {
                app.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void eachSkippedDeadSpanHasARunLogRowAndASummaryOnItsOwnPartition() throws Exception {
        String group = "it-rec-spans-" + ThreadLocalRandom.current().nextInt(1 << 20);
        // Dead events (40-45 s old on a 30 s TTL) in every partition, then one live event in each.
        long old = System.currentTimeMillis() - 45_000;
        for (int p = 0; p < 3; p++) {
            for (int i = 0; i < 4 + p; i++) {
                fixtures.send("it.rec.spans", p, "spans", "dead", old + i * 100, 5000);
            }
        }
        Set<String> live = new HashSet<>();
        for (int p = 0; p < 3; p++) {
            live.add(fixtures.send("it.rec.spans", p, "spans", "live", System.currentTimeMillis(), 30_000));
        }
        fixtures.flush();
        ExecutorApp app = executor(group, pgUri, "spans");
        try {
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> webhook.received("/spans").size() == 3);
            List<ConsumerRecord<byte[], byte[]>> summaries = await().atMost(Duration.ofSeconds(20))
                    .until(
                            () -> kafka.readAll("it.rec.spans.expired", Duration.ofSeconds(3)).stream()
                                    .filter(r -> r.headers().lastHeader("ce_id") == null)
                                    .toList(),
                            l -> l.size() == 3);
            for (ConsumerRecord<byte[], byte[]> s : summaries) {
                JsonObject body = new JsonObject(new String(s.value(), StandardCharsets.UTF_8));
                assertEquals(
                        body.getInteger("partition"), s.partition(), "the summary is on its span's partition: " + body);
                assertEquals(4 + s.partition(), body.getInteger("skipped"), body.encode());
                assertNotNull(EventRecords.text(s.headers(), "sluice_expired_reason"));
            }
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> rows(
                                            "SELECT kafka_partition FROM sluice_run_log WHERE topic = $1"
                                                    + " AND outcome = 'skipped_dead_span'",
                                            Tuple.of("it.rec.spans"))
                                    .size()
                            == 3);
            for (Row r : rows(
                    "SELECT kafka_partition, kafka_offset, error FROM sluice_run_log WHERE topic = $1"
                            + " AND outcome = 'skipped_dead_span'",
                    Tuple.of("it.rec.spans"))) {
                int p = r.getInteger("kafka_partition");
                assertEquals(0L, r.getLong("kafka_offset"));
                assertTrue(
                        r.getString("error").startsWith((4 + p) + " events past their deadline"), r.getString("error"));
            }
            // Past each span and its live event: committed once the skip and the run are on the record.
            for (int p = 0; p < 3; p++) {
                TopicPartition tp = new TopicPartition("it.rec.spans", p);
                long end = 4 + p + 1;
                await().atMost(Duration.ofSeconds(20)).until(() -> committed(group, tp) == end);
            }
        } finally {
            app.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }
}
