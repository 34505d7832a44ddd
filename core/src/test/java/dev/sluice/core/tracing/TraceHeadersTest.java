package dev.sluice.core.tracing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import org.junit.jupiter.api.Test;

class TraceHeadersTest {

    private static final TextMapPropagator W3C = W3CTraceContextPropagator.getInstance();
    private static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @Test
    void aTraceparentAndItsTracestateCrossABoundaryUnchanged() {
        Context remote =
                new TraceHeaders(TRACEPARENT, "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7").extract(W3C, Context.root());
        SpanContext sc = Span.fromContext(remote).getSpanContext();
        assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", sc.getTraceId());
        assertEquals("00f067aa0ba902b7", sc.getSpanId());
        assertEquals(
                new TraceHeaders(TRACEPARENT, "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7"), TraceHeaders.of(W3C, remote));
    }

    @Test
    void noTraceparentOrAMalformedOneNamesNoParent() {
        assertSame(Context.root(), new TraceHeaders(null, "congo=t61rcWkgMzE").extract(W3C, Context.root()));
        Context bad = new TraceHeaders("00-xyz-01", "congo=t61rcWkgMzE").extract(W3C, Context.root());
        assertFalse(Span.fromContext(bad).getSpanContext().isValid());
        TraceHeaders none = TraceHeaders.of(W3C, Context.root());
        assertNull(none.traceparent());
        assertNull(none.tracestate());
    }
}
