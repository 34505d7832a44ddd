package dev.sluice.executor;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.Catalog;
import dev.sluice.core.EventIds;
import dev.sluice.core.EventRecords;
import dev.sluice.core.IngestedEvent;
import dev.sluice.core.KafkaConfig;
import dev.sluice.core.Settings;
import dev.sluice.core.SluiceHeaders;
import dev.sluice.core.tracing.Tracing;
import dev.sluice.executor.impl.trigger.TriggerConfig;
import dev.sluice.router.RouterApp;
import dev.sluice.router.RouterConfig;
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
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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
 * Three workflows read one route: {@code notify}, {@code audit}, and {@code ticker} (a schedule, a
 * tick each second). A manual run of {@code notify} and each tick of {@code ticker} start that
 * workflow only; the others of the route neither run nor count them (no run, no "filtered"). An
 * ordinary event on the route still starts all three. A record for a workflow the route has not is
 * dead-lettered under that name, not dropped.
 */
@SluiceInfra
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TargetedRunIT {

    private static final String ADMIN_KEY = "admin-" + System.nanoTime();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private static String topic;
    private static KafkaBroker kafka;
    private static WebhookTarget webhook;
    private static Vertx vertx;
    private static RouterApp router;
    private static ExecutorApp executor;
    private static PrometheusMeterRegistry registry;
    private static String key;
    private static String group;

    @BeforeAll
    static void start(KafkaBroker broker, Postgres pg, Redis redis, WebhookTarget target) throws Exception {
        kafka = broker;
        webhook = target;
        topic = "it.targeted." + ThreadLocalRandom.current().nextInt(1 << 24);
        for (String t : List.of(topic, topic + ".expired", topic + ".dlq")) {
            kafka.createTopic(t, 1, Duration.ofMinutes(10));
        }
        Catalog catalog = Catalog.parse(new JsonObject(
                """
                {"routes": [{"source": "orders", "topic": "%s", "tenant": "acme", "ttl": "20s"}],
                 "workflows": [{"name": "notify", "sources": ["orders"], "steps": [{"url": "%s"}]},
                               {"name": "audit", "sources": ["orders"], "steps": [{"url": "%s"}]},
                               {"name": "ticker", "sources": ["orders"], "steps": [{"url": "%s"}],
                                "schedule": {"cron": "* * * * * *"}}]}
                """.formatted(topic, webhook.url("/notify"), webhook.url("/audit"), webhook.url("/ticker"))));
        String db = pg.createDatabase("targeted_run_it");
        vertx = Vertx.vertx();
        KafkaConfig kafkaConfig = KafkaConfig.of(kafka.bootstrapServers());
        RouterConfig rc = RouterConfig.from(Settings.of(Map.of("router.instances", "1"))).toBuilder()
                .ports("127.0.0.1", Ports.freePort(), Ports.freePort())
                .redis(redis.uri())
                .postgres(db)
                .adminKey(ADMIN_KEY)
                .build();
        router = RouterApp.start(vertx, rc, kafkaConfig, catalog, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))
                .toCompletionStage()
                .toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        group = "it-targeted-" + ThreadLocalRandom.current().nextInt(1 << 20);
        ExecutorConfig ec = ExecutorConfig.from(Settings.of(Map.of("executor.instances", "1")))
                .withManagement("127.0.0.1", Ports.freePort())
                .withGroup(group)
                .withState(redis.uri(), db);
        executor = ExecutorApp.start(
                        vertx,
                        ec,
                        TriggerConfig.from(Settings.of(Map.of("executor.triggers.lease", "3s"))),
                        kafkaConfig,
                        catalog,
                        registry,
                        Tracing.off())
                .toCompletionStage()
                .toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(30))
                .until(() ->
                        executor.readiness().ready() && executor.assignment().size() == 1);
        assertEquals(201, admin("/admin/tenants", "{\"id\": \"acme\"}").statusCode());
        HttpResponse<String> k = admin("/admin/tenants/acme/keys", "{}");
        assertEquals(201, k.statusCode(), k.body());
        key = new JsonObject(k.body()).getString("key");
        await().atMost(Duration.ofSeconds(15)).until(() -> router.readiness().ready());
    }

    @AfterAll
    static void stop() throws Exception {
        if (executor != null) {
            executor.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        if (router != null) {
            router.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private static HttpResponse<String> admin(String path, String body) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(
                                "http://127.0.0.1:" + router.config().listen().managementPort() + path))
                        .header("Authorization", "Bearer " + ADMIN_KEY)
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String post(String path, String body) throws Exception {
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(URI.create(
                                "http://127.0.0.1:" + router.config().listen().port() + path))
                        .header("Authorization", "Bearer " + key)
                        .header("content-type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(202, r.statusCode(), r.body());
        return new JsonObject(r.body()).getString("id");
    }

    private static List<String> ids(String path) {
        return webhook.received(path).stream().map(r -> r.header("ce-id")).toList();
    }

    private static double filtered(String workflow) {
        Counter c = registry.find("sluice.executor.filtered")
                .tag("workflow", workflow)
                .counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void aManualRunStartsItsWorkflowOnlyAndAnOrdinaryEventStartsEveryWorkflowOfTheRoute() throws Exception {
        String manual = post("/v1/workflows/notify/runs", "{\"reason\": \"by hand\"}");
        await().atMost(Duration.ofSeconds(20)).until(() -> ids("/notify").contains(manual));
        // An ordinary event after it: every workflow of the route runs it.
        String ordinary = post("/v1/events/orders", "{\"order\": 1}");
        await().atMost(Duration.ofSeconds(20))
                .until(() -> ids("/audit").contains(ordinary)
                        && ids("/notify").contains(ordinary)
                        && ids("/ticker").contains(ordinary));
        // The manual run's record is in Kafka with its target; once the executor committed past it, every decision on
        // it was made.
        ConsumerRecord<byte[], byte[]> rec = kafka.readAll(topic, Duration.ofSeconds(2)).stream()
                .filter(r -> manual.equals(EventRecords.text(r.headers(), SluiceHeaders.CE_ID)))
                .findFirst()
                .orElseThrow();
        assertEquals("notify", EventRecords.text(rec.headers(), SluiceHeaders.TARGET));
        await().atMost(Duration.ofSeconds(20)).until(() -> committedPast(rec));
        assertEquals(1, ids("/notify").stream().filter(manual::equals).count(), "notify ran the manual run once");
        assertTrue(!ids("/audit").contains(manual), "audit did not run notify's manual run");
        assertTrue(!ids("/ticker").contains(manual), "ticker did not run notify's manual run");
        assertEquals(0.0, filtered("audit"), "skipping another workflow's run is not a filter miss");
        assertEquals(0.0, filtered("ticker"));
    }

    @Test
    void aScheduleTickStartsItsWorkflowOnly() {
        await().atMost(Duration.ofSeconds(20))
                .until(() -> webhook.received("/ticker").stream()
                                .filter(r -> "dev.sluice.schedule".equals(r.header("ce-type")))
                                .count()
                        >= 3);
        for (String other : List.of("/notify", "/audit")) {
            assertEquals(
                    List.of(),
                    webhook.received(other).stream()
                            .filter(r -> "dev.sluice.schedule".equals(r.header("ce-type")))
                            .map(r -> r.header("ce-id"))
                            .toList(),
                    other + " ran no tick of ticker's schedule");
        }
        assertEquals(0.0, filtered("notify"));
    }

    @Test
    void anEventForAWorkflowTheRouteHasNotIsDeadLetteredUnderItsName() throws Exception {
        long now = System.currentTimeMillis();
        IngestedEvent e = new IngestedEvent(
                EventIds.nextString(now),
                "/sources/orders",
                "t",
                null,
                null,
                "application/json",
                null,
                null,
                "acme",
                "orders",
                now,
                now + 20_000,
                null,
                "{}".getBytes(StandardCharsets.UTF_8),
                Map.of());
        var record = EventRecords.toRecord(topic, e);
        record.headers().add(SluiceHeaders.TARGET, "ghost".getBytes(StandardCharsets.UTF_8));
        try (Fixtures fixtures = new Fixtures(kafka.bootstrapServers())) {
            fixtures.send(record);
        }
        await().atMost(Duration.ofSeconds(20))
                .until(() -> kafka.readAll(topic + ".dlq", Duration.ofSeconds(1)).stream()
                        .anyMatch(r -> e.id().equals(EventRecords.text(r.headers(), SluiceHeaders.CE_ID))));
        ConsumerRecord<byte[], byte[]> dead = kafka.readAll(topic + ".dlq", Duration.ofSeconds(1)).stream()
                .filter(r -> e.id().equals(EventRecords.text(r.headers(), SluiceHeaders.CE_ID)))
                .findFirst()
                .orElseThrow();
        assertEquals("ghost", EventRecords.text(dead.headers(), SluiceHeaders.WORKFLOW));
        assertTrue(EventRecords.text(dead.headers(), SluiceHeaders.ERROR).contains("not known on route orders"));
        assertEquals(
                1.0,
                registry.get("sluice.executor.runs")
                        .tag("workflow", "ghost")
                        .tag("outcome", "dead_lettered")
                        .counter()
                        .count());
        for (String path : List.of("/notify", "/audit", "/ticker")) {
            assertTrue(!ids(path).contains(e.id()), path + " did not run it");
        }
    }

    /** Whether the executor's group has committed past the record (every decision on it is made). */
    private static boolean committedPast(ConsumerRecord<byte[], byte[]> rec) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            OffsetAndMetadata committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata()
                    .get(10, TimeUnit.SECONDS)
                    .get(new TopicPartition(rec.topic(), rec.partition()));
            return committed != null && committed.offset() > rec.offset();
        }
    }
}
