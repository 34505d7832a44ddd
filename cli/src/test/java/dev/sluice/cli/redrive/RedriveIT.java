package dev.sluice.cli.redrive;

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
import dev.sluice.core.SluiceHeaders;
import dev.sluice.executor.ExecutorApp;
import dev.sluice.executor.ExecutorConfig;
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
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code sluice redrive} on real Kafka and PostgreSQL, with events really dead-lettered by an
 * executor (their webhook answers 400): a dry run changes nothing; a re-drive re-publishes each
 * original once to its topic with {@code redriven-from} and a fresh deadline of the same TTL; a
 * second re-drive finds every original re-driven already, counts them, and publishes nothing; an
 * original whose mark has no landing place (a re-drive stopped half-way) is skipped with its reason;
 * a filter narrows what is matched.
 */
@SluiceInfra
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RedriveIT {

    private static final String TOPIC = "it.redrive.orders";
    private static final String DLQ = TOPIC + ".dlq";
    /** Short, so the test need not wait long for the originals' deadlines; long enough for a loaded machine to start them. */
    private static final long TTL = 6000;

    /** The output of one command run. */
    private record Run(int code, String out, String err) {}

    private static Run redrive(Settings settings, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = RedriveCommand.run(
                settings,
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        Run r = new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        System.out.println(r.out() + r.err());
        return r;
    }

    private static List<ConsumerRecord<byte[], byte[]>> redriven(KafkaBroker kafka) {
        return kafka.readAll(TOPIC, Duration.ofSeconds(2)).stream()
                .filter(r -> r.headers().lastHeader(DeadRecord.REDRIVEN_FROM) != null)
                .toList();
    }

    @Test
    void eachDeadLetteredEventIsRedrivenOnceWithItsOriginAndAFreshDeadline(
            KafkaBroker kafka, Postgres pg, Redis redis, WebhookTarget webhook) throws Exception {
        for (String t : List.of(TOPIC, TOPIC + ".expired", DLQ)) {
            kafka.createTopic(t, 2, Duration.ofHours(1));
        }
        String db = pg.createDatabase("redrive_it");
        webhook.respondWith(400);
        Catalog catalog = Catalog.parse(new JsonObject("""
                {"routes": [{"source": "orders", "topic": "%s", "ttl": "6s"}],
                 "workflows": [{"name": "notify", "sources": ["orders"], "steps": [{"url": "%s"}]}]}
                """.formatted(TOPIC, webhook.url("/hook"))));
        Vertx vertx = Vertx.vertx();
        ExecutorConfig config = ExecutorConfig.from(
                        Settings.of(Map.of("executor.instances", "1", "executor.runlog.flush", "100ms")))
                .withManagement("127.0.0.1", Ports.freePort())
                .withGroup("it-redrive-" + ThreadLocalRandom.current().nextInt(1 << 20))
                .withState(redis.uri(), db);
        ExecutorApp executor = ExecutorApp.start(
                        vertx,
                        config,
                        KafkaConfig.of(kafka.bootstrapServers()),
                        catalog,
                        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))
                .toCompletionStage()
                .toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
        Map<String, String> subjects = new HashMap<>();
        try {
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> executor.readiness().ready()
                            && !executor.assignment().isEmpty());
            Properties p = new Properties();
            p.put("bootstrap.servers", kafka.bootstrapServers());
            p.put("acks", "all");
            try (KafkaProducer<byte[], byte[]> producer =
                    new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
                for (String subject : List.of("a", "b", "vip")) {
                    long now = System.currentTimeMillis();
                    String id = EventIds.nextString(now);
                    subjects.put(id, subject);
                    producer.send(EventRecords.toRecord(
                            TOPIC,
                            new IngestedEvent(
                                    id,
                                    "/sources/orders",
                                    "order.created",
                                    subject,
                                    null,
                                    "application/json",
                                    null,
                                    null,
                                    "default",
                                    "orders",
                                    now,
                                    now + TTL,
                                    null,
                                    ("{\"n\": \"" + subject + "\"}").getBytes(StandardCharsets.UTF_8),
                                    Map.of())));
                }
            }
            await().atMost(Duration.ofSeconds(20))
                    .alias("3 dead-lettered (expired instead: the machine was too slow for the TTL)")
                    .until(() -> kafka.count(DLQ) == 3);
        } finally {
            // No executor while re-driving: what is re-published stays on the topic to be counted.
            executor.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        List<ConsumerRecord<byte[], byte[]>> dead = kafka.readAll(DLQ, Duration.ofSeconds(2));
        long lastDeadline =
                dead.stream().mapToLong(EventRecords::deadline).max().orElseThrow();
        await().atMost(Duration.ofSeconds(15)).until(() -> System.currentTimeMillis() > lastDeadline);
        Settings settings = Settings.of(Map.of("kafka.bootstrap.servers", kafka.bootstrapServers(), "pg.url", db));
        long liveBefore = kafka.count(TOPIC);

        Run dry = redrive(settings, "--from", DLQ, "--dry-run");
        assertEquals(0, dry.code(), dry.err());
        assertTrue(dry.out().contains("re-driven:        3 (dry run"), dry.out());
        assertEquals(liveBefore, kafka.count(TOPIC), "a dry run publishes nothing");

        Run filtered =
                redrive(settings, "--from", DLQ, "--since", "10m", "--filter", "{\"exact\": {\"subject\": \"vip\"}}");
        assertEquals(0, filtered.code(), filtered.err());
        assertTrue(filtered.out().contains("scanned:          3"), filtered.out());
        assertTrue(filtered.out().contains("matched:          1"), filtered.out());
        assertTrue(filtered.out().contains("re-driven:        1"), filtered.out());
        assertTrue(filtered.err().contains("redrive: scanned 3 of 3 (100%)"), "a progress line: " + filtered.err());

        long started = System.currentTimeMillis();
        Run first = redrive(settings, "--from", DLQ);
        assertEquals(0, first.code(), first.err());
        assertTrue(first.out().contains("matched:          3"), first.out());
        assertTrue(first.out().contains("re-driven:        2"), first.out());
        assertTrue(first.out().contains("already re-driven: 1"), first.out());

        Run second = redrive(settings, "--from", DLQ);
        assertEquals(0, second.code(), second.err());
        assertTrue(second.out().contains("re-driven:        0"), second.out());
        assertTrue(second.out().contains("already re-driven: 3"), second.out());

        // A re-drive that stopped between its mark and Kafka's answer leaves a mark without a landing place:
        // that original is skipped with the reason and what to do, not re-published and not called re-driven.
        Vertx pgVertx = Vertx.vertx();
        Pool pool = PgBuilder.pool().connectingTo(db).using(pgVertx).build();
        try {
            assertEquals(
                    1,
                    pool.query(
                                    "UPDATE sluice_redrives SET published_to = NULL WHERE origin = (SELECT min(origin) FROM sluice_redrives)")
                            .execute()
                            .toCompletionStage()
                            .toCompletableFuture()
                            .get(10, TimeUnit.SECONDS)
                            .rowCount());
        } finally {
            pgVertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        Run third = redrive(settings, "--from", DLQ);
        assertEquals(0, third.code(), third.err());
        assertTrue(third.out().contains("re-driven:        0"), third.out());
        assertTrue(third.out().contains("already re-driven: 2"), third.out());
        assertTrue(third.out().contains("skipped:          1"), third.out());
        assertTrue(third.out().contains("  1 " + Redrive.UNFINISHED), third.out());

        List<ConsumerRecord<byte[], byte[]>> again = redriven(kafka);
        assertEquals(3, again.size(), "each original re-published exactly once");
        Set<String> from = dead.stream()
                .map(r -> r.topic() + "/" + r.partition() + "/" + r.offset())
                .collect(Collectors.toSet());
        Map<String, String> ids = again.stream()
                .collect(Collectors.toMap(
                        r -> EventRecords.text(r.headers(), DeadRecord.REDRIVEN_FROM),
                        r -> EventRecords.text(r.headers(), SluiceHeaders.CE_ID)));
        assertEquals(from, ids.keySet(), "redriven-from names each dead-letter record");
        assertEquals(subjects.keySet(), Set.copyOf(ids.values()), "the events keep their ids");
        for (ConsumerRecord<byte[], byte[]> r : again) {
            assertEquals(TTL, EventRecords.deadline(r) - r.timestamp(), "a fresh deadline of the same TTL");
            assertTrue(
                    r.timestamp() >= started - 60_000 && EventRecords.deadline(r) > lastDeadline,
                    "a fresh ingest time");
            assertEquals(null, r.headers().lastHeader(SluiceHeaders.ERROR), "the accounting headers stay behind");
            assertNotNull(EventRecords.text(r.headers(), SluiceHeaders.ROUTE));
            assertEquals(
                    "notify",
                    EventRecords.text(r.headers(), SluiceHeaders.TARGET),
                    "for the workflow that failed only");
            assertEquals(
                    subjects.get(EventRecords.text(r.headers(), SluiceHeaders.CE_ID)),
                    EventRecords.text(r.headers(), SluiceHeaders.CE_SUBJECT));
        }
    }

    @Test
    void aTopicThatIsNotADeadLetterOrExpiredTopicIsAUsageError() {
        Run r = redrive(Settings.of(Map.of("pg.url", "postgresql://x@127.0.0.1:1/x")), "--from", TOPIC);
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--from must name a <topic>.dlq or <topic>.expired topic"), r.err());
        assertEquals(
                2, redrive(Settings.empty(), "--from", DLQ, "--since", "-5m").code());
        assertEquals(
                2,
                redrive(Settings.empty(), "--from", DLQ, "--filter", "{\"nope\": 1}")
                        .code());
    }
}
