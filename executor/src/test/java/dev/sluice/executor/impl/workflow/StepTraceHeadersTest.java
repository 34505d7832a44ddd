package dev.sluice.executor.impl.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.sluice.core.Settings;
import dev.sluice.core.StepConfig;
import dev.sluice.core.WebhookSigning;
import dev.sluice.core.tracing.Tracing;
import dev.sluice.executor.impl.guard.TargetGuards;
import dev.sluice.executor.impl.guard.TargetLimits;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The trace context a step's request carries: with tracing off, the record's {@code traceparent} and
 * {@code tracestate}, copied; on, its own client span's context (a child of the run's span) with the
 * record's {@code tracestate}, one {@code traceparent} only, and the span ends with the answer.
 */
class StepTraceHeadersTest {

    private static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    private static final String TRACESTATE = "congo=t61rcWkgMzE";

    private Vertx vertx;
    private int port;
    private volatile int status = 200;
    private final List<MultiMap> received = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        port = get(vertx.createHttpServer()
                        .requestHandler(req -> {
                            received.add(MultiMap.caseInsensitiveMultiMap().addAll(req.headers()));
                            req.body()
                                    .onComplete(b ->
                                            req.response().setStatusCode(status).end());
                        })
                        .listen(0, "127.0.0.1"))
                .actualPort();
    }

    @AfterEach
    void stop() throws Exception {
        get(vertx.close());
    }

    private static <T> T get(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private HttpStepRunner runner(RunTracing tracing) {
        return new HttpStepRunner(
                vertx,
                vertx.createHttpClient(),
                vertx.createHttpClient(),
                new TargetGuards(TargetLimits.from(Settings.of(Map.of())), new SimpleMeterRegistry()),
                tracing);
    }

    private ConsumerRecord<byte[], byte[]> record() {
        ConsumerRecord<byte[], byte[]> r =
                new ConsumerRecord<>("t", 0, 0L, null, "{}".getBytes(StandardCharsets.UTF_8));
        r.headers().add(new RecordHeader("traceparent", TRACEPARENT.getBytes(StandardCharsets.UTF_8)));
        r.headers().add(new RecordHeader("tracestate", TRACESTATE.getBytes(StandardCharsets.UTF_8)));
        return r;
    }

    private Future<HttpStepRunner.Result> call(HttpStepRunner runner, Span run) {
        StepConfig.Http step = new StepConfig.Http(
                "http://127.0.0.1:" + port + "/hook?token=secret", "POST", Duration.ofSeconds(2), Map.of(), false);
        ConsumerRecord<byte[], byte[]> record = record();
        HttpStepRunner.Request request =
                new HttpStepRunner.Request(step, record, record.value(), null, "msg_1", WebhookSigning.none(), run);
        return onLoop(() -> runner.call(request, 2000, Long.MAX_VALUE, HttpStepRunner.Gate.OPEN));
    }

    /** Runs {@code call} on an event loop, as the executor does. */
    private <T> Future<T> onLoop(java.util.function.Supplier<Future<T>> call) {
        Promise<T> p = Promise.promise();
        vertx.getOrCreateContext()
                .runOnContext(v -> call.get().onComplete(ar -> {
                    if (ar.succeeded()) {
                        p.complete(ar.result());
                    } else {
                        p.fail(ar.cause());
                    }
                }));
        return p.future();
    }

    @Test
    void offTheRecordsTraceparentAndTracestateAreCopied() throws Exception {
        get(call(runner(RunTracing.off()), Span.getInvalid()));
        assertEquals(TRACEPARENT, received.get(0).get("traceparent"));
        assertEquals(TRACESTATE, received.get(0).get("tracestate"));
    }

    @Test
    void onTheRequestCarriesItsStepSpanAChildOfTheRun() throws Exception {
        InMemorySpanExporter spans = InMemorySpanExporter.create();
        try (OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder()
                        .addSpanProcessor(SimpleSpanProcessor.create(spans))
                        .build())
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
                .build()) {
            RunTracing tracing = RunTracing.of(Tracing.of(sdk));
            Span run = tracing.run(record());
            get(call(runner(tracing), run));
            status = 503;
            ExecutionException failed =
                    Assertions.assertThrows(ExecutionException.class, () -> get(call(runner(tracing), run)));
            assertInstanceOf(StepFailure.class, failed.getCause());
            run.end();

            List<SpanData> steps = spans.getFinishedSpanItems().stream()
                    .filter(s -> s.getKind() == SpanKind.CLIENT)
                    .toList();
            assertEquals(2, steps.size(), "one span per request: " + steps);
            SpanData ok = steps.get(0);
            assertEquals(run.getSpanContext().getSpanId(), ok.getParentSpanId());
            assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", ok.getTraceId());
            assertEquals(
                    "http://127.0.0.1:" + port + "/hook",
                    ok.getAttributes().get(io.opentelemetry.api.common.AttributeKey.stringKey("url.full")),
                    "no query string: it may carry a token");
            assertEquals(
                    200L,
                    ok.getAttributes()
                            .get(io.opentelemetry.api.common.AttributeKey.longKey("http.response.status_code")));
            assertEquals(StatusCode.ERROR, steps.get(1).getStatus().getStatusCode());
            assertEquals(1, received.get(0).getAll("traceparent").size(), "one traceparent, never two");
            assertEquals(
                    "00-4bf92f3577b34da6a3ce929d0e0e4736-" + ok.getSpanId() + "-01",
                    received.get(0).get("traceparent"));
            assertEquals(TRACESTATE, received.get(0).get("tracestate"));
            SpanData runData = spans.getFinishedSpanItems().stream()
                    .filter(s -> s.getKind() == SpanKind.CONSUMER)
                    .findFirst()
                    .orElseThrow();
            assertEquals("00f067aa0ba902b7", runData.getParentSpanId(), "the run continues the record's span");
        }
    }

    @Test
    void offNoTracestateIsSentWhenTheRecordHasNone() throws Exception {
        StepConfig.Http step = new StepConfig.Http(
                "http://127.0.0.1:" + port + "/hook", "POST", Duration.ofSeconds(2), Map.of(), false);
        ConsumerRecord<byte[], byte[]> record =
                new ConsumerRecord<>("t", 0, 0L, null, "{}".getBytes(StandardCharsets.UTF_8));
        get(onLoop(() -> runner(RunTracing.off()).call(step, record, 2000)));
        assertNull(received.get(0).get("traceparent"));
        assertNull(received.get(0).get("tracestate"));
    }
}
