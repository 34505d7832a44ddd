package dev.sluice.executor;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.Catalog;
import dev.sluice.core.Settings;
import dev.sluice.core.tracing.Tracing;
import dev.sluice.core.tracing.TracingConfig;
import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Ports;
import dev.sluice.testkit.SluiceInfra;
import dev.sluice.testkit.WebhookTarget;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * With {@code otel.enabled=true} in the settings, the router and the executor export their spans
 * over OTLP/HTTP (protobuf) to the configured endpoint, here an in-process collector stand-in: a
 * Vert.x server on {@code /v1/traces} that decodes each export. One event sent without trace
 * context arrives there as one trace of four spans from two services, request to webhook.
 */
@SluiceInfra
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OtlpExportIT {

    private static final String TOPIC = "it.otlp.events";
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private static final List<OtlpTraces.Received> RECEIVED = new CopyOnWriteArrayList<>();
    private static final List<String> CONTENT_TYPES = new CopyOnWriteArrayList<>();
    private static Vertx collectorVertx;
    private static Tracing routerTracing;
    private static Tracing executorTracing;
    private static WebhookTarget webhook;
    private static Vertx vertx;
    private static TracedStack stack;

    @BeforeAll
    static void start(KafkaBroker kafka) throws Exception {
        for (String t : List.of(TOPIC, TOPIC + ".expired", TOPIC + ".dlq")) {
            kafka.createTopic(t, 1, Duration.ofMinutes(10));
        }
        collectorVertx = Vertx.vertx();
        int collectorPort = Ports.freePort();
        HttpServer collector = collectorVertx
                .createHttpServer()
                .requestHandler(req -> req.body().onSuccess(body -> {
                    if (!req.path().equals("/v1/traces")) {
                        req.response().setStatusCode(404).end();
                        return;
                    }
                    CONTENT_TYPES.add(String.valueOf(req.getHeader("content-type")));
                    try {
                        RECEIVED.addAll(OtlpTraces.decode(body.getBytes()));
                        req.response()
                                .putHeader("content-type", "application/x-protobuf")
                                .end();
                    } catch (RuntimeException e) {
                        req.response().setStatusCode(400).end(String.valueOf(e));
                    }
                }));
        collector
                .listen(collectorPort, "127.0.0.1")
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        Settings otel = Settings.of(Map.of(
                "otel.enabled",
                "true",
                "otel.exporter.otlp.endpoint",
                "http://127.0.0.1:" + collectorPort,
                "otel.bsp.schedule.delay",
                "100ms"));
        routerTracing = Tracing.start(TracingConfig.from(otel, "sluice-router"));
        executorTracing = Tracing.start(TracingConfig.from(otel, "sluice-executor"));

        webhook = WebhookTarget.start();
        Catalog catalog = Catalog.parse(new JsonObject("""
                {"routes": [{"source": "otlp", "topic": "%s", "partitions": 1}],
                 "workflows": [{"name": "hook", "sources": ["otlp"],
                                "steps": [{"type": "http", "url": "%s", "timeout": "2s"}]}]}
                """.formatted(TOPIC, webhook.url("/hook"))));
        vertx = routerTracing.vertx(new VertxOptions());
        stack = TracedStack.start(vertx, kafka.bootstrapServers(), catalog, "it-otlp", routerTracing, executorTracing);
    }

    @AfterAll
    static void stop() throws Exception {
        if (stack != null) {
            stack.close();
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        if (routerTracing != null) {
            routerTracing.close();
            executorTracing.close();
        }
        if (webhook != null) {
            webhook.close();
        }
        if (collectorVertx != null) {
            collectorVertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void withOtelEnabledATraceFromRequestToWebhookReachesTheCollector() throws Exception {
        // A loaded broker may answer the first produce late (503, retryable): the sender tries again, as any would.
        AtomicReference<HttpResponse<String>> accepted = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            accepted.set(HTTP.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + stack.port + "/v1/events/otlp"))
                            .header("content-type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"n\":1}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString()));
            return accepted.get().statusCode() == 202;
        });
        String id = new JsonObject(accepted.get().body()).getString("id");
        await().atMost(Duration.ofSeconds(20))
                .until(() -> webhook.received("/hook").stream().anyMatch(r -> id.equals(r.header("ce-id"))));
        String traceparent = webhook.received("/hook").stream()
                .filter(r -> id.equals(r.header("ce-id")))
                .findFirst()
                .orElseThrow()
                .header("traceparent");
        String traceId = traceparent.substring(3, 35);
        String stepSpan = traceparent.substring(36, 52);

        await().atMost(Duration.ofSeconds(30))
                .until(() -> RECEIVED.stream()
                                .filter(r -> r.traceId().equals(traceId))
                                .count()
                        >= 4);
        List<OtlpTraces.Received> trace =
                RECEIVED.stream().filter(r -> r.traceId().equals(traceId)).toList();
        OtlpTraces.Received ingest = one(trace, OtlpTraces.SERVER);
        OtlpTraces.Received produce = one(trace, OtlpTraces.PRODUCER);
        OtlpTraces.Received run = one(trace, OtlpTraces.CONSUMER);
        OtlpTraces.Received step = one(trace, OtlpTraces.CLIENT);
        assertEquals("", ingest.parentId(), "a request without trace context starts the trace: " + trace);
        assertEquals(ingest.spanId(), produce.parentId());
        assertEquals(produce.spanId(), run.parentId());
        assertEquals(run.spanId(), step.parentId());
        assertEquals(stepSpan, step.spanId(), "the webhook got the step span's context");
        assertEquals("sluice-router", ingest.service());
        assertEquals("sluice-router", produce.service());
        assertEquals("sluice-executor", run.service());
        assertEquals("sluice-executor", step.service());
        assertTrue(
                CONTENT_TYPES.stream().allMatch("application/x-protobuf"::equals),
                "OTLP/HTTP with protobuf bodies: " + CONTENT_TYPES);
    }

    private static OtlpTraces.Received one(List<OtlpTraces.Received> trace, int kind) {
        List<OtlpTraces.Received> of =
                trace.stream().filter(r -> r.kind() == kind).toList();
        assertEquals(1, of.size(), kind + " in " + trace);
        return of.get(0);
    }
}
