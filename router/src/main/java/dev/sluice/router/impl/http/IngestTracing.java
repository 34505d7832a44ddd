package dev.sluice.router.impl.http;

import dev.sluice.core.tracing.TraceHeaders;
import dev.sluice.core.tracing.Tracing;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * The router's spans. The ingest request's span is Vert.x's own (its OpenTelemetry tracer makes a
 * server span of every request, continuing the caller's {@code traceparent}); this class adds a
 * producer span per event, a child of that request span, and its context is what the Kafka record
 * carries as {@code traceparent} and {@code tracestate}, so the executor's run continues the trace.
 * Off, it builds nothing: {@link #request} is the root context and {@link #produce} the invalid span,
 * both constants, and the record carries the request's own trace context as before.
 */
public record IngestTracing(Tracing tracing) {

    static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("messaging.system");
    static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");
    static final AttributeKey<String> OPERATION = AttributeKey.stringKey("messaging.operation.type");
    static final AttributeKey<String> MESSAGE_ID = AttributeKey.stringKey("messaging.message.id");
    static final AttributeKey<Long> PARTITION = AttributeKey.longKey("messaging.destination.partition.id");
    static final AttributeKey<Long> OFFSET = AttributeKey.longKey("messaging.kafka.offset");
    static final AttributeKey<String> TENANT = AttributeKey.stringKey("sluice.tenant");

    private static final IngestTracing OFF = new IngestTracing(Tracing.off());

    public static IngestTracing off() {
        return OFF;
    }

    public static IngestTracing of(Tracing tracing) {
        return tracing.enabled() ? new IngestTracing(tracing) : OFF;
    }

    public boolean on() {
        return tracing.enabled();
    }

    /**
     * The context a request's events are produced in: the span Vert.x's tracer opened for the
     * request when there is one, else the remote parent its headers name (root when they name none).
     * Call it on the request's own Vert.x context. Off: the root context.
     */
    public Context request(String traceparent, String tracestate) {
        if (!tracing.enabled()) {
            return Context.root();
        }
        Context current = Context.current();
        if (Span.fromContext(current).getSpanContext().isValid()) {
            return current;
        }
        return new TraceHeaders(traceparent, tracestate).extract(tracing.propagator(), Context.root());
    }

    /** A producer span for one event of {@code sub}; off, the invalid span (a constant that records nothing). */
    Span produce(Submission sub) {
        if (!tracing.enabled()) {
            return Span.getInvalid();
        }
        String topic = sub.route().topic();
        return tracing.tracer()
                .spanBuilder("send " + topic)
                .setSpanKind(SpanKind.PRODUCER)
                .setParent(sub.trace())
                .setAttribute(SYSTEM, "kafka")
                .setAttribute(DESTINATION, topic)
                .setAttribute(OPERATION, "send")
                .setAttribute(TENANT, sub.route().tenant())
                .startSpan();
    }

    /** The trace context the record of {@code span}'s event carries: the span's own, with the caller's {@code tracestate}. */
    TraceHeaders headers(Span span, Submission sub) {
        TraceHeaders h = TraceHeaders.of(tracing.propagator(), Context.root().with(span));
        return h.traceparent() == null ? new TraceHeaders(sub.traceparent(), sub.tracestate()) : h;
    }

    /** The broker's answer for the span's event. Thread-safe: called on the producer's I/O thread. */
    static void acked(Span span, String eventId, RecordMetadata md, Exception err) {
        span.setAttribute(MESSAGE_ID, eventId);
        if (md != null && err == null) {
            span.setAttribute(PARTITION, (long) md.partition());
            if (md.hasOffset()) {
                span.setAttribute(OFFSET, md.offset());
            }
        }
        if (err != null) {
            span.recordException(err);
            span.setStatus(StatusCode.ERROR, err.getClass().getSimpleName());
        }
        span.end();
    }

    /** The event was refused before it reached the producer. */
    static void refused(Span span, String why) {
        if (span.isRecording()) {
            span.setStatus(StatusCode.ERROR, why);
            span.end();
        }
    }
}
