package dev.sluice.router.impl.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.RouteConfig;
import dev.sluice.core.tracing.TraceHeaders;
import dev.sluice.core.tracing.Tracing;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The router's produce spans: parents, the record's trace headers, and how each end of a produce is recorded. */
class IngestTracingTest {

    private static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    private static final RouteConfig ROUTE = TestRoutes.PLAIN;

    private final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private final OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder()
                    .addSpanProcessor(SimpleSpanProcessor.create(spans))
                    .build())
            .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
            .build();
    private final IngestTracing tracing = IngestTracing.of(Tracing.of(sdk));

    @AfterEach
    void close() {
        sdk.close();
    }

    private Submission submission(String traceparent, String tracestate) {
        return new Submission(
                ROUTE,
                null,
                false,
                null,
                null,
                h -> null,
                traceparent,
                tracestate,
                tracing.request(traceparent, tracestate),
                null,
                java.util.Map.of());
    }

    @Test
    void offNothingIsBuiltAndTheRequestsOwnTraceContextIsKept() {
        IngestTracing off = IngestTracing.of(Tracing.off());
        assertSame(IngestTracing.off(), off);
        assertFalse(off.on());
        assertSame(Context.root(), off.request(TRACEPARENT, "congo=t61"));
        Submission sub = new Submission(
                ROUTE, null, false, null, null, h -> null, TRACEPARENT, null, Context.root(), null, java.util.Map.of());
        assertSame(Span.getInvalid(), off.produce(sub), "a constant: no span, no allocation");
    }

    @Test
    void withoutAServerSpanTheProduceContinuesTheCallersTraceAndTheRecordCarriesItsOwnContext() {
        Submission sub = submission(TRACEPARENT, "congo=t61rcWkgMzE");
        Span span = tracing.produce(sub);
        TraceHeaders headers = tracing.headers(span, sub);
        assertEquals(
                "00-4bf92f3577b34da6a3ce929d0e0e4736-" + span.getSpanContext().getSpanId() + "-01",
                headers.traceparent());
        assertEquals("congo=t61rcWkgMzE", headers.tracestate());
        IngestTracing.acked(
                span, "ev-1", new RecordMetadata(new TopicPartition("t.events", 2), 41L, 0, 0L, 0, 0), null);

        SpanData done = spans.getFinishedSpanItems().get(0);
        assertEquals(SpanKind.PRODUCER, done.getKind());
        assertEquals("send t.events", done.getName());
        assertEquals("00f067aa0ba902b7", done.getParentSpanId());
        assertEquals("ev-1", done.getAttributes().get(AttributeKey.stringKey("messaging.message.id")));
        assertEquals(2L, done.getAttributes().get(AttributeKey.longKey("messaging.destination.partition.id")));
        assertEquals(41L, done.getAttributes().get(AttributeKey.longKey("messaging.kafka.offset")));
        assertEquals("acme", done.getAttributes().get(AttributeKey.stringKey("sluice.tenant")));
        assertEquals(StatusCode.UNSET, done.getStatus().getStatusCode());
    }

    @Test
    void aRequestWithoutTraceContextStartsANewTrace() {
        Span span = tracing.produce(submission(null, null));
        assertTrue(span.getSpanContext().isValid());
        IngestTracing.refused(span, "too large");
        SpanData done = spans.getFinishedSpanItems().get(0);
        assertEquals("0000000000000000", done.getParentSpanId());
        assertEquals(StatusCode.ERROR, done.getStatus().getStatusCode());
        assertEquals("too large", done.getStatus().getDescription());
    }

    @Test
    void aProduceTheBrokerRefusedEndsInErrorWithTheException() {
        Span span = tracing.produce(submission(TRACEPARENT, null));
        IngestTracing.acked(span, "ev-2", null, new NotEnoughReplicasException("too few in-sync replicas"));
        SpanData done = spans.getFinishedSpanItems().get(0);
        assertEquals(StatusCode.ERROR, done.getStatus().getStatusCode());
        assertEquals("NotEnoughReplicasException", done.getStatus().getDescription());
        assertEquals("exception", done.getEvents().get(0).getName());
        assertNull(done.getAttributes().get(AttributeKey.longKey("messaging.kafka.offset")));
    }

    @Test
    void offTheTracingCallsOnTheEventPathAllocateNothing() {
        IngestTracing off = IngestTracing.off();
        Submission sub = new Submission(
                ROUTE, null, false, null, null, h -> null, TRACEPARENT, null, Context.root(), null, java.util.Map.of());
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        int recording = 0;
        for (int round = 0; round < 2; round++) {
            // The first round warms up (class loading, the bean's own first call); the second is measured.
            long before = threads.getThreadAllocatedBytes(thread);
            for (int i = 0; i < 100_000; i++) {
                Context request = off.request(TRACEPARENT, null);
                Span span = off.produce(sub);
                IngestTracing.refused(span, "overloaded");
                recording += span.isRecording() || request != Context.root() || off.on() ? 1 : 0;
            }
            long allocated = threads.getThreadAllocatedBytes(thread) - before;
            if (round == 1) {
                assertTrue(
                        allocated < 1024,
                        "100,000 events allocated " + allocated + " bytes for tracing while it is off");
            }
        }
        assertEquals(0, recording);
    }
}
