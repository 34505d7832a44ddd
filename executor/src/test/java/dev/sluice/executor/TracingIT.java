package dev.sluice.executor;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.core.Catalog;
import dev.sluice.core.EventRecords;
import dev.sluice.core.tracing.Tracing;
import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.SluiceInfra;
import dev.sluice.testkit.WebhookTarget;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * With tracing on, one event is one trace from the HTTP request to the webhook: the router's
 * ingest span (Vert.x's tracer), its produce span, the executor's run span and the step's client
 * span share the caller's trace id, each the parent of the next, and the webhook receives the step
 * span's {@code traceparent} with the caller's {@code tracestate}. Spans go to an in-memory exporter.
 */
@SluiceInfra
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TracingIT {

    private static final String TOPIC = "it.tracing.events";
    private static final String CALLER_SPAN = "00f067aa0ba902b7";
    private static final String TRACESTATE = "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7";
    private static final InMemorySpanExporter SPANS = InMemorySpanExporter.create();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private static KafkaBroker kafka;
    private static OpenTelemetrySdk sdk;
    private static WebhookTarget webhook;
    private static Vertx vertx;
    private static TracedStack stack;

    @BeforeAll
    static void start(KafkaBroker broker) throws Exception {
        kafka = broker;
        for (String t : List.of(TOPIC, TOPIC + ".expired", TOPIC + ".dlq")) {
            kafka.createTopic(t, 1, Duration.ofMinutes(10));
        }
        webhook = WebhookTarget.start();
        Catalog catalog = Catalog.parse(new JsonObject("""
                {"routes": [{"source": "traced", "topic": "%s", "partitions": 1}],
                 "workflows": [{"name": "hook", "sources": ["traced"],
                                "steps": [{"type": "http", "url": "%s", "timeout": "2s"}]}]}
                """.formatted(TOPIC, webhook.url("/hook"))));
        sdk = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder()
                        .addSpanProcessor(SimpleSpanProcessor.create(SPANS))
                        .build())
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
                .build();
        Tracing tracing = Tracing.of(sdk);
        vertx = tracing.vertx(new VertxOptions());
        stack = TracedStack.start(vertx, kafka.bootstrapServers(), catalog, "it-tracing", tracing, tracing);
    }

    @AfterAll
    static void stop() throws Exception {
        if (stack != null) {
            stack.close();
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        if (webhook != null) {
            webhook.close();
        }
        if (sdk != null) {
            sdk.close();
        }
    }

    @Test
    void oneTraceRunsFromTheRequestThroughKafkaToTheWebhook() throws Exception {
        // A loaded broker may answer a produce late (503, retryable): the caller tries again, in a new trace each time.
        String[] trace = new String[1];
        AtomicReference<HttpResponse<String>> accepted = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            trace[0] = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong() | 1L)
                    + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
            accepted.set(HTTP.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + stack.port + "/v1/events/traced"))
                            .header("content-type", "application/json")
                            .header("traceparent", "00-" + trace[0] + "-" + CALLER_SPAN + "-01")
                            .header("tracestate", TRACESTATE)
                            .POST(HttpRequest.BodyPublishers.ofString("{\"n\":1}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString()));
            return accepted.get().statusCode() == 202;
        });
        String traceId = trace[0];
        String id = new JsonObject(accepted.get().body()).getString("id");

        await().atMost(Duration.ofSeconds(20))
                .until(() -> webhook.received("/hook").stream().anyMatch(r -> id.equals(r.header("ce-id"))));
        // The run span ends once the run's outcome is recorded, just after the webhook answered.
        await().atMost(Duration.ofSeconds(20))
                .until(() -> span(traceId, SpanKind.CONSUMER).isPresent()
                        && span(traceId, SpanKind.CLIENT).isPresent());
        SpanData ingest = span(traceId, SpanKind.SERVER).orElseThrow();
        SpanData produce = span(traceId, SpanKind.PRODUCER).orElseThrow();
        SpanData run = span(traceId, SpanKind.CONSUMER).orElseThrow();
        SpanData step = span(traceId, SpanKind.CLIENT).orElseThrow();
        assertEquals(
                4,
                SPANS.getFinishedSpanItems().stream()
                        .filter(s -> traceId.equals(s.getTraceId()))
                        .count(),
                "one span each: " + SPANS.getFinishedSpanItems());
        assertEquals(CALLER_SPAN, ingest.getParentSpanId(), "the ingest span continues the caller's");
        assertEquals(ingest.getSpanId(), produce.getParentSpanId(), "the produce is part of the ingest request");
        assertEquals(run.getParentSpanId(), produce.getSpanId(), "the run continues the produce, across Kafka");
        assertEquals(run.getSpanId(), step.getParentSpanId(), "the step is part of the run");
        assertEquals("send " + TOPIC, produce.getName());
        assertEquals("process " + TOPIC, run.getName());
        assertEquals(
                id,
                produce.getAttributes()
                        .get(io.opentelemetry.api.common.AttributeKey.stringKey("messaging.message.id")));

        ConsumerRecord<byte[], byte[]> record = kafka.readAll(TOPIC, Duration.ofSeconds(10)).stream()
                .filter(r -> id.equals(EventRecords.text(r.headers(), "ce_id")))
                .findFirst()
                .orElseThrow();
        assertEquals(
                "00-" + traceId + "-" + produce.getSpanId() + "-01",
                EventRecords.text(record.headers(), "traceparent"));
        assertEquals(TRACESTATE, EventRecords.text(record.headers(), "tracestate"));

        WebhookTarget.Received call = webhook.received("/hook").stream()
                .filter(r -> id.equals(r.header("ce-id")))
                .findFirst()
                .orElseThrow();
        assertEquals("00-" + traceId + "-" + step.getSpanId() + "-01", call.header("traceparent"));
        assertEquals(TRACESTATE, call.header("tracestate"));
    }

    private static Optional<SpanData> span(String traceId, SpanKind kind) {
        return SPANS.getFinishedSpanItems().stream()
                .filter(s -> s.getKind() == kind && traceId.equals(s.getTraceId()))
                .findFirst();
    }
}
