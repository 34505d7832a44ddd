package dev.sluice.executor;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sluice.core.Catalog;
import dev.sluice.core.KafkaConfig;
import dev.sluice.core.Settings;
import dev.sluice.testkit.HeadlessChromium;
import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Ports;
import dev.sluice.testkit.Postgres;
import dev.sluice.testkit.Redis;
import dev.sluice.testkit.SluiceInfra;
import dev.sluice.testkit.SseClient;
import dev.sluice.testkit.WebhookTarget;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The executor's live dashboard: while events flow to a workflow whose target refuses them (400),
 * the Server-Sent Events carry, per workflow, its runs and dead letters per second, its runs' ingest →
 * start p99, its runs in flight and the consumer lag of its route's topic (a workflow without runs has
 * its row too), and the latest dead-lettered events with their errors from the run log; a headless
 * Chromium renders them.
 */
@SluiceInfra
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class DashboardIT {

    private static final String TOPIC = "it.dashboard.exec";
    private static Vertx vertx;
    private static ExecutorApp executor;
    private static Fixtures fixtures;
    private static int managementPort;
    private static WebhookTarget target;

    @BeforeAll
    static void start(KafkaBroker kafka, Postgres pg, Redis redis, WebhookTarget webhook) throws Exception {
        for (String suffix : new String[] {"", ".expired", ".dlq", ".quiet", ".quiet.expired", ".quiet.dlq"}) {
            kafka.createTopic(TOPIC + suffix, 1, Duration.ofMinutes(10));
        }
        target = webhook;
        Catalog catalog = Catalog.parse(
                new JsonObject("""
                {"routes": [{"source": "meters", "topic": "%s"}, {"source": "quiet", "topic": "%s.quiet"}],
                 "workflows": [{"name": "forward", "sources": ["meters"], "steps": [{"url": "%s"}]},
                               {"name": "idle", "sources": ["quiet"], "steps": [{"url": "%s"}]}]}
                """.formatted(TOPIC, TOPIC, webhook.url("/refuses"), webhook.url("/idle"))));
        String db = pg.createDatabase("dashboard_exec_it");
        vertx = Vertx.vertx();
        managementPort = Ports.freePort();
        ExecutorConfig config = ExecutorConfig.from(
                        Settings.of(Map.of("executor.instances", "1", "executor.runlog.flush", "100ms")))
                .withManagement("127.0.0.1", managementPort)
                .withGroup("it-dashboard-" + ThreadLocalRandom.current().nextInt(1 << 20))
                .withState(redis.uri(), db);
        executor = ExecutorApp.start(
                        vertx,
                        config,
                        KafkaConfig.of(kafka.bootstrapServers()),
                        catalog,
                        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))
                .toCompletionStage()
                .toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(30))
                .until(() ->
                        executor.readiness().ready() && executor.assignment().size() == 2);
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
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private static String ui(String path) {
        return "http://127.0.0.1:" + managementPort + path;
    }

    /** Events to the topic in the background, about 25 a second, until closed; their target refuses them (400). */
    private static AutoCloseable traffic() {
        target.respondWith(400);
        AtomicBoolean on = new AtomicBoolean(true);
        Thread t = new Thread(
                () -> {
                    while (on.get()) {
                        try {
                            fixtures.send(
                                    TOPIC, "meters", null, "{\"v\": 1}", "application/json", Fixtures.now(), 20_000);
                            Thread.sleep(40); // pacing of the load, not a wait for a result
                        } catch (Exception e) {
                            return;
                        }
                    }
                },
                "dashboard-traffic");
        t.setDaemon(true);
        t.start();
        return () -> {
            on.set(false);
            t.join(5000);
        };
    }

    private static double num(JsonObject o, String key) {
        return o.getValue(key) instanceof Number n ? n.doubleValue() : 0;
    }

    private static Optional<JsonObject> row(JsonObject sample) {
        return row(sample, "forward");
    }

    private static Optional<JsonObject> row(JsonObject sample, String workflow) {
        return sample.getJsonArray("rows").stream()
                .map(JsonObject.class::cast)
                .filter(r -> r.getString("name").equals(workflow))
                .findFirst();
    }

    private static double topicLag(JsonObject sample, String topic) {
        return sample.getJsonArray("topics").stream()
                .map(JsonObject.class::cast)
                .filter(t -> t.getString("topic").equals(topic))
                .findFirst()
                .orElseThrow()
                .getDouble("lag");
    }

    @Test
    void theStreamCarriesTheWorkflowsRatesLatencyLagAndLatestDeadLetters() throws Exception {
        try (SseClient sse = SseClient.connect(ui("/ui/events"));
                AutoCloseable load = traffic()) {
            assertEquals(200, sse.status());
            JsonObject e = sse.await(
                    s -> row(s).map(r -> num(r, "deadLetteredPerSecond") > 1
                                            && r.getValue("startP99Ms") != null
                                            && r.getValue("lag") != null)
                                    .orElse(false)
                            && s.getJsonObject("totals").getValue("startP99Ms") != null
                            && !s.getJsonArray("deadLettered").isEmpty()
                            && s.getJsonArray("topics").size() == 2,
                    Duration.ofSeconds(20));
            System.out.println("executor dashboard sample: " + e.encode());
            JsonObject r = row(e).orElseThrow();
            assertEquals("executor", e.getString("process"));
            assertTrue(r.getDouble("eventsPerSecond") >= r.getDouble("deadLetteredPerSecond"), r.encode());
            assertEquals(0.0, r.getDouble("expiredPerSecond"), 1e-9);
            double p99 = e.getJsonObject("totals").getDouble("startP99Ms");
            assertTrue(p99 > 0 && p99 < 30_000, "ingest → start p99 " + p99);
            JsonObject topic = e.getJsonArray("topics").getJsonObject(0);
            assertEquals(TOPIC, topic.getString("topic"));
            assertNotNull(topic.getDouble("lag"));
            assertNotNull(e.getJsonObject("totals").getDouble("inFlight"));
            // Per workflow: its runs' ingest → start p99, its runs in flight, and the lag of its route's topic.
            double rowP99 = r.getDouble("startP99Ms");
            assertTrue(rowP99 > 0 && rowP99 <= 30_000, "the workflow's ingest → start p99 " + rowP99);
            assertEquals(topicLag(e, TOPIC), r.getDouble("lag"), 1e-9, "forward reads " + TOPIC + " only");
            assertTrue(r.getDouble("inFlight") >= 0, r.encode());
            JsonObject idle = row(e, "idle")
                    .orElseThrow(() -> new AssertionError("a workflow without runs has its row: " + e.encode()));
            assertEquals(0.0, idle.getDouble("inFlight"), 1e-9);
            assertEquals(null, idle.getValue("startP99Ms"), "no run of idle started");
            assertEquals(topicLag(e, TOPIC + ".quiet"), idle.getDouble("lag"), 1e-9);
            JsonObject dead = e.getJsonArray("deadLettered").getJsonObject(0);
            assertEquals("forward", dead.getString("workflow"));
            assertTrue(dead.getString("error").contains("400"), dead.encode());
            assertNotNull(dead.getString("id"));
        }
    }

    @Test
    void aHeadlessBrowserRendersTheWorkflowAndItsDeadLetters() throws Exception {
        Optional<HeadlessChromium> chromium = HeadlessChromium.find();
        assumeTrue(chromium.isPresent(), HeadlessChromium.MISSING);
        Path dir = Path.of("target", "dashboard-executor");
        try (AutoCloseable load = traffic()) {
            // The stream ends after 4 events, so the page finishes loading and virtual time can run out.
            String dom = chromium.get().dumpDom(ui("/ui?limit=4"), 3000, dir);
            assertTrue(
                    dom.matches(
                            "(?s).*<tr data-name=\"forward\"><td>forward</td><td class=\"eventsPerSecond\" data-value=\"[0-9.]+\".*"),
                    "the workflow's row with a number: " + dom.substring(0, Math.min(4000, dom.length())));
            assertTrue(dom.contains("<td>forward</td><td class=\"err\">"), "a dead-lettered event with its reason");
            java.util.regex.Matcher forward = java.util.regex.Pattern.compile(
                            "<tr data-name=\"forward\">.*?</tr>", java.util.regex.Pattern.DOTALL)
                    .matcher(dom);
            assertTrue(forward.find(), "the workflow's row");
            for (String column : new String[] {"startP99Ms", "lag", "inFlight"}) {
                assertTrue(
                        forward.group().matches("(?s).*<td class=\"" + column + "\" data-value=\"[0-9.]+\".*"),
                        "the workflow's " + column + " as a number: " + forward.group());
            }
            assertTrue(dom.contains("<tr data-name=\"idle\"><td>idle</td>"), "a row for the workflow without runs");
            if (!chromium.get().screenshot(ui("/ui?limit=4"), 3000, dir.resolve("dashboard-executor.png"), dir)) {
                System.out.println(
                        "no screenshot: this Chromium hung on --screenshot (the checks above were made on its DOM)");
            }
        }
    }
}
