package dev.sluice.executor;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.Catalog;
import dev.sluice.core.KafkaConfig;
import dev.sluice.core.Settings;
import dev.sluice.core.tracing.Tracing;
import dev.sluice.core.tracing.TracingConfig;
import dev.sluice.executor.impl.trigger.TriggerConfig;
import dev.sluice.router.RouterApp;
import dev.sluice.router.RouterConfig;
import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Ports;
import dev.sluice.testkit.SluiceInfra;
import dev.sluice.testkit.WebhookTarget;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
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
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    /** What the stand-in received: service name, trace id, span id, parent span id, kind, name. */
    record Received(String service, String traceId, String spanId, String parentId, Span.SpanKind kind, String name) {
    }

    private static final List<Received> RECEIVED = new CopyOnWriteArrayList<>();
    private static final List<String> CONTENT_TYPES = new CopyOnWriteArrayList<>();
    private static Vertx collectorVertx;
    private static Tracing routerTracing;
    private static Tracing executorTracing;
    private static WebhookTarget webhook;
    private static Vertx vertx;
    private static RouterApp router;
    private static ExecutorApp executor;
    private static int port;

    @BeforeAll
    static void start(KafkaBroker kafka) throws Exception {
        for (String t : List.of(TOPIC, TOPIC + ".expired", TOPIC + ".dlq")) {
            kafka.createTopic(t, 1, Duration.ofMinutes(10));
        }
        collectorVertx = Vertx.vertx();
        int collectorPort = Ports.freePort();
        HttpServer collector = collectorVertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
            if (!req.path().equals("/v1/traces")) {
                req.response().setStatusCode(404).end();
                return;
            }
            CONTENT_TYPES.add(String.valueOf(req.getHeader("content-type")));
            try {
                decode(ExportTraceServiceRequest.parseFrom(body.getBytes()));
                req.response().putHeader("content-type", "application/x-protobuf").end();
            } catch (Exception e) {
                req.response().setStatusCode(400).end(String.valueOf(e));
            }
        }));
        collector.listen(collectorPort, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        Settings otel = Settings.of(Map.of("otel.enabled", "true", "otel.exporter.otlp.endpoint", "http://127.0.0.1:" + collectorPort,
                "otel.bsp.schedule.delay", "100ms"));
        routerTracing = Tracing.start(TracingConfig.from(otel, "sluice-router"));
        executorTracing = Tracing.start(TracingConfig.from(otel, "sluice-executor"));

        webhook = WebhookTarget.start();
        Catalog catalog = Catalog.parse(new JsonObject("""
                {"routes": [{"source": "otlp", "topic": "%s", "partitions": 1}],
                 "workflows": [{"name": "hook", "sources": ["otlp"],
                                "steps": [{"type": "http", "url": "%s", "timeout": "2s"}]}]}
                """.formatted(TOPIC, webhook.url("/hook"))));
        vertx = routerTracing.vertx(new VertxOptions());
        KafkaConfig kafkaConfig = KafkaConfig.of(kafka.bootstrapServers());
        port = Ports.freePort();
        RouterConfig rc = RouterConfig.from(Settings.of(Map.of("router.instances", "1")))
                .toBuilder().ports("127.0.0.1", port, Ports.freePort()).build();
        router = RouterApp.start(vertx, rc, kafkaConfig, catalog, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), routerTracing)
                .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        ExecutorConfig ec = ExecutorConfig.from(Settings.of(Map.of("executor.instances", "1")))
                .withManagement("127.0.0.1", Ports.freePort()).withGroup("it-otlp-" + ThreadLocalRandom.current().nextInt(1 << 20));
        executor = ExecutorApp.start(vertx, ec, TriggerConfig.defaults(), kafkaConfig, catalog,
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), executorTracing).toCompletionStage().toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(60)).until(() -> executor.readiness().ready() && executor.assignment().size() == 1);
    }

    private static void decode(ExportTraceServiceRequest export) {
        HexFormat hex = HexFormat.of();
        for (ResourceSpans rs : export.getResourceSpansList()) {
            String service = rs.getResource().getAttributesList().stream().filter(a -> a.getKey().equals("service.name"))
                    .map(a -> a.getValue().getStringValue()).findFirst().orElse("");
            for (ScopeSpans ss : rs.getScopeSpansList()) {
                for (Span s : ss.getSpansList()) {
                    RECEIVED.add(new Received(service, hex.formatHex(s.getTraceId().toByteArray()), hex.formatHex(s.getSpanId().toByteArray()),
                            hex.formatHex(s.getParentSpanId().toByteArray()), s.getKind(), s.getName()));
                }
            }
        }
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
        HttpResponse<String> resp = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/events/otlp"))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"n\":1}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(202, resp.statusCode(), resp.body());
        String id = new JsonObject(resp.body()).getString("id");
        await().atMost(Duration.ofSeconds(20)).until(() -> webhook.received("/hook").stream().anyMatch(r -> id.equals(r.header("ce-id"))));
        String traceparent = webhook.received("/hook").stream().filter(r -> id.equals(r.header("ce-id"))).findFirst().orElseThrow()
                .header("traceparent");
        String traceId = traceparent.substring(3, 35);
        String stepSpan = traceparent.substring(36, 52);

        await().atMost(Duration.ofSeconds(30)).until(() -> RECEIVED.stream().filter(r -> r.traceId().equals(traceId)).count() >= 4);
        List<Received> trace = RECEIVED.stream().filter(r -> r.traceId().equals(traceId)).toList();
        Received ingest = one(trace, Span.SpanKind.SPAN_KIND_SERVER);
        Received produce = one(trace, Span.SpanKind.SPAN_KIND_PRODUCER);
        Received run = one(trace, Span.SpanKind.SPAN_KIND_CONSUMER);
        Received step = one(trace, Span.SpanKind.SPAN_KIND_CLIENT);
        assertEquals("", ingest.parentId(), "a request without trace context starts the trace: " + trace);
        assertEquals(ingest.spanId(), produce.parentId());
        assertEquals(produce.spanId(), run.parentId());
        assertEquals(run.spanId(), step.parentId());
        assertEquals(stepSpan, step.spanId(), "the webhook got the step span's context");
        assertEquals("sluice-router", ingest.service());
        assertEquals("sluice-router", produce.service());
        assertEquals("sluice-executor", run.service());
        assertEquals("sluice-executor", step.service());
        assertTrue(CONTENT_TYPES.stream().allMatch("application/x-protobuf"::equals), "OTLP/HTTP with protobuf bodies: " + CONTENT_TYPES);
    }

    private static Received one(List<Received> trace, Span.SpanKind kind) {
        List<Received> of = trace.stream().filter(r -> r.kind() == kind).toList();
        assertEquals(1, of.size(), kind + " in " + trace);
        return of.get(0);
    }
}
