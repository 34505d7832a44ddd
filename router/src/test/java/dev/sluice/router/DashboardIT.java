package dev.sluice.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sluice.core.Catalog;
import dev.sluice.core.KafkaConfig;
import dev.sluice.core.Settings;
import dev.sluice.testkit.HeadlessChromium;
import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Ports;
import dev.sluice.testkit.SluiceInfra;
import dev.sluice.testkit.SseClient;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The router's live dashboard on its management port: the page is served from the jar, and its
 * Server-Sent Events carry, once a second, the route's events per second and ack p99 computed from
 * the router's own meters while events flow; a real headless Chromium renders those numbers.
 */
@SluiceInfra
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class DashboardIT {

    private static final String TOPIC = "it.dashboard.router";
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static Vertx vertx;
    private static RouterApp router;

    @BeforeAll
    static void start(KafkaBroker kafka) throws Exception {
        kafka.createTopic(TOPIC, 1, Duration.ofMinutes(10));
        vertx = Vertx.vertx();
        RouterConfig config =
                RouterConfig.from(Settings.of(Map.of("router.instances", "1", "router.drain.grace", "100ms")))
                        .toBuilder()
                        .ports("127.0.0.1", Ports.freePort(), Ports.freePort())
                        .build();
        router = RouterApp.start(
                        vertx,
                        config,
                        KafkaConfig.of(kafka.bootstrapServers()),
                        Catalog.parse(new JsonObject(
                                "{\"routes\": [{\"source\": \"meters\", \"topic\": \"" + TOPIC + "\"}]}")),
                        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))
                .toCompletionStage()
                .toCompletableFuture()
                .get(40, TimeUnit.SECONDS);
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(20))
                .until(() -> router.readiness().ready());
    }

    @AfterAll
    static void stop() throws Exception {
        if (router != null) {
            router.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private static String ui(String path) {
        return "http://127.0.0.1:" + router.config().listen().managementPort() + path;
    }

    private static int send() throws Exception {
        return HTTP.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                                        + router.config().listen().port() + "/v1/events/meters"))
                                .POST(HttpRequest.BodyPublishers.ofString("{\"t\": 1}"))
                                .build(),
                        HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    /** Sends events in the background, about 50 a second, until closed. */
    private static AutoCloseable traffic() {
        AtomicBoolean on = new AtomicBoolean(true);
        Thread t = new Thread(
                () -> {
                    while (on.get()) {
                        try {
                            send();
                            Thread.sleep(20); // pacing of the load, not a wait for a result
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

    @Test
    void thePageIsOneSelfContainedDocument() throws Exception {
        HttpResponse<String> page = ContractCheck.check(
                HTTP.send(HttpRequest.newBuilder(URI.create(ui("/ui"))).build(), HttpResponse.BodyHandlers.ofString()));
        assertEquals(200, page.statusCode());
        assertTrue(page.headers().firstValue("content-type").orElse("").startsWith("text/html"));
        assertTrue(page.body().contains("new EventSource(\"/ui/events\""), "fed by Server-Sent Events");
        assertTrue(
                !page.body().contains("src=\"http") && !page.body().contains("href=\"http"),
                "no asset from another origin");
        assertEquals(
                404,
                ContractCheck.check(HTTP.send(
                                HttpRequest.newBuilder(URI.create(ui("/ui/nothing")))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString()))
                        .statusCode());
    }

    @Test
    void theStreamCarriesTheRoutesRateAndAckP99EverySecondWhileEventsFlow() throws Exception {
        try (SseClient sse = SseClient.connect(ui("/ui/events"));
                AutoCloseable load = traffic()) {
            assertEquals(200, sse.status());
            assertEquals("text/event-stream", sse.contentType());
            JsonObject first = sse.await(e -> row(e).isPresent(), Duration.ofSeconds(5));
            JsonObject e = sse.await(
                    s -> row(s).map(r -> (r.getValue("eventsPerSecond") instanceof Number n && n.doubleValue() > 1)
                                    && r.getValue("ackP99Ms") != null)
                            .orElse(false),
                    Duration.ofSeconds(10));
            JsonObject r = row(e).orElseThrow();
            System.out.println("router dashboard sample: " + e.encode());
            assertEquals("router", e.getString("process"));
            assertTrue(e.getLong("at") - first.getLong("at") <= 10_000);
            assertTrue(r.getDouble("ackP99Ms") > 0 && r.getDouble("ackP99Ms") < 10_000, r.encode());
            assertTrue(e.getJsonObject("totals").getDouble("eventsPerSecond") >= r.getDouble("eventsPerSecond"));
            assertTrue(e.getJsonObject("totals").containsKey("inFlight"));
            JsonObject next = sse.await(s -> true, Duration.ofMillis(1500));
            assertEquals(e.getLong("tick") + 1, next.getLong("tick"), "one event a second");
        }
    }

    private static Optional<JsonObject> row(JsonObject sample) {
        return sample.getJsonArray("rows").stream()
                .map(JsonObject.class::cast)
                .filter(r -> r.getString("name").equals("meters"))
                .findFirst();
    }

    @Test
    void aHeadlessBrowserRendersTheLiveNumbers() throws Exception {
        Optional<HeadlessChromium> chromium = HeadlessChromium.find();
        assumeTrue(chromium.isPresent(), HeadlessChromium.MISSING);
        Path dir = Path.of("target", "dashboard-router");
        try (AutoCloseable load = traffic()) {
            // The stream ends after 4 events, so the page finishes loading and virtual time can run out.
            String dom = chromium.get().dumpDom(ui("/ui?limit=4"), 3000, dir);
            Matcher m = Pattern.compile(
                            "<tr data-name=\"meters\"><td>meters</td><td class=\"eventsPerSecond\" data-value=\"([0-9.]+)\"")
                    .matcher(dom);
            assertTrue(m.find(), "the route's row with a number: " + dom.substring(0, Math.min(dom.length(), 4000)));
            assertTrue(Double.parseDouble(m.group(1)) > 0, "events per second shown: " + m.group(1));
            Matcher updates =
                    Pattern.compile("<span id=\"updates\">(\\d+)</span>").matcher(dom);
            assertTrue(updates.find() && Integer.parseInt(updates.group(1)) >= 2, "the page took several updates");
            if (!chromium.get().screenshot(ui("/ui?limit=4"), 3000, dir.resolve("dashboard-router.png"), dir)) {
                System.out.println(
                        "no screenshot: this Chromium hung on --screenshot (the checks above were made on its DOM)");
            }
        }
    }
}
