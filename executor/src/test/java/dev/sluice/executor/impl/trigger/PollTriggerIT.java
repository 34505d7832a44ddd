package dev.sluice.executor.impl.trigger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.Catalog;
import dev.sluice.core.EventRecords;
import dev.sluice.core.IngestedEvent;
import dev.sluice.core.KafkaConfig;
import dev.sluice.core.Settings;
import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Postgres;
import dev.sluice.testkit.Redis;
import dev.sluice.testkit.SluiceInfra;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A poll against a real HTTP server: conditional GETs, one event per new item (ids remembered in
 * Redis), the cursor sent back, and failures backing off.
 */
@SluiceInfra
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PollTriggerIT {

    /** What the test server saw of one request. */
    private record Seen(long at, String ifNoneMatch, String after) {}

    @Test
    void aPollEmitsEachNewItemOnceSendsItsValidatorsAndCursorBackAndBacksOffOnErrors(
            KafkaBroker kafka, Postgres postgres, Redis redis) throws Exception {
        int run = ThreadLocalRandom.current().nextInt(1 << 24);
        String topic = "it.poll." + run;
        String workflow = "orders-" + run;
        kafka.createTopic(topic, 1, Duration.ofHours(1));
        Vertx vertx = Vertx.vertx();
        AtomicReference<JsonObject> page = new AtomicReference<>(new JsonObject()
                .put(
                        "data",
                        new JsonArray()
                                .add(new JsonObject().put("id", "a").put("n", 1))
                                .add(new JsonObject().put("id", 2).put("n", 2))
                                .add(new JsonObject().put("n", "no id")))
                .put("next", "p2"));
        AtomicReference<String> etag = new AtomicReference<>("\"v1\"");
        AtomicInteger status = new AtomicInteger(200);
        List<Seen> seen = new CopyOnWriteArrayList<>();
        HttpServer server = vertx.createHttpServer()
                .requestHandler(req -> {
                    seen.add(new Seen(
                            System.currentTimeMillis(), req.getHeader("if-none-match"), req.getParam("after")));
                    if (status.get() != 200) {
                        req.response().setStatusCode(status.get()).end();
                    } else if (etag.get().equals(req.getHeader("if-none-match"))) {
                        req.response().setStatusCode(304).end();
                    } else {
                        req.response()
                                .putHeader("etag", etag.get())
                                .putHeader("content-type", "application/json")
                                .end(page.get().encode());
                    }
                })
                .listen(0, "127.0.0.1")
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        Catalog catalog = Catalog.parse(new JsonObject(
                "{\"routes\": [{\"source\": \"orders\", \"topic\": \"" + topic + "\", \"partitions\": 1}],"
                        + " \"workflows\": [{\"name\": \"" + workflow
                        + "\", \"sources\": [\"orders\"], \"steps\": [{\"url\": \"http://127.0.0.1:9/x\"}],"
                        + " \"poll\": {\"url\": \"http://127.0.0.1:" + server.actualPort()
                        + "/orders?since=0\", \"every\": \"1s\", \"items\": \"/data\","
                        + " \"id\": \"/id\", \"cursor\": \"/next\", \"cursorParam\": \"after\"}}]}"));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        TriggerConfig config = TriggerConfig.from(Settings.of(Map.of("executor.triggers.lease", "3s")));
        String db = postgres.createDatabase("poll_trigger");
        Triggers triggers = Triggers.start(
                        vertx,
                        config,
                        catalog,
                        KafkaConfig.of(kafka.bootstrapServers()),
                        db,
                        redis.uri(),
                        registry,
                        "one")
                .toCompletionStage()
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
        // A second executor runs the same poll: it stands by while the first holds the lease.
        Triggers standBy = Triggers.start(
                        vertx,
                        config,
                        catalog,
                        KafkaConfig.of(kafka.bootstrapServers()),
                        db,
                        redis.uri(),
                        new SimpleMeterRegistry(),
                        "two")
                .toCompletionStage()
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
        try {
            // The first answer: two items with an id, one without.
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> kafka.count(topic) == 2 && count(registry, "invalid") == 1);
            // The next poll is conditional and carries the cursor; the server answers 304.
            await().atMost(Duration.ofSeconds(5))
                    .until(() ->
                            seen.stream().anyMatch(s -> "\"v1\"".equals(s.ifNoneMatch()) && "p2".equals(s.after())));
            assertTrue(
                    seen.get(0).ifNoneMatch() == null && seen.get(0).after() == null,
                    "the first poll is unconditional");
            assertEquals(List.of("poll/" + workflow), triggers.leading());
            assertEquals(List.of(), standBy.leading(), "one poller per trigger");

            // A changed page: item 2 again (not emitted twice) and a new one.
            page.set(new JsonObject()
                    .put(
                            "data",
                            new JsonArray()
                                    .add(new JsonObject().put("id", 2).put("n", 2))
                                    .add(new JsonObject().put("id", "c").put("n", 3)))
                    .put("next", "p3"));
            etag.set("\"v2\"");
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> kafka.count(topic) == 3 && count(registry, "duplicate") >= 1);

            // Failures: the interval doubles per failure in a row (1 s, then 2 s, then 4 s).
            status.set(503);
            int before = seen.size();
            await().atMost(Duration.ofSeconds(15)).until(() -> seen.size() >= before + 3);
            List<Seen> failing = seen.subList(before, before + 3);
            long first = failing.get(1).at() - failing.get(0).at();
            long second = failing.get(2).at() - failing.get(1).at();
            assertTrue(
                    first >= 1_900 && second >= 3_900,
                    "waits after one and two failures: " + first + " ms, " + second + " ms");
        } finally {
            standBy.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            triggers.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            vertx.close();
        }

        List<IngestedEvent> events = kafka.readAll(topic, Duration.ofSeconds(5)).stream()
                .map(EventRecords::fromRecord)
                .toList();
        assertEquals(
                List.of("a", "2", "c"),
                events.stream().map(IngestedEvent::subject).toList());
        for (IngestedEvent e : events) {
            assertEquals(TriggerEvents.POLL_TYPE, e.type());
            assertEquals(TriggerEvents.itemId(workflow, e.subject()), e.id());
            assertEquals("orders", e.route());
            assertEquals(e.ingestMillis() + 20_000, e.deadlineMillis());
        }
        assertEquals(3, new JsonObject(new String(events.get(2).payload(), StandardCharsets.UTF_8)).getInteger("n"));
        assertEquals(3, count(registry, "emitted"));
        assertEquals(1, count(registry, "invalid"), "an answer whose validators matched is not read twice");
    }

    private static double count(SimpleMeterRegistry registry, String outcome) {
        return registry.get(TriggerMetrics.ITEMS)
                .tag("outcome", outcome)
                .counter()
                .count();
    }
}
