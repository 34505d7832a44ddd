package dev.sluice.executor.impl.workflow;

import dev.sluice.core.EventRecords;
import dev.sluice.core.SluiceHeaders;
import dev.sluice.core.StepConfig;
import dev.sluice.core.tracing.TraceHeaders;
import dev.sluice.core.tracing.Tracing;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.vertx.core.AsyncResult;
import io.vertx.core.http.RequestOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Headers;

/**
 * The executor's spans: a consumer span for the run of each event, continuing the trace its record
 * carries ({@code traceparent}, {@code tracestate}: the router's produce span), and a client span
 * for each request an {@code http} step sends, whose context the request carries to the webhook.
 * Off, nothing is built: {@link #run} is the invalid span (a constant) and each request carries the
 * record's own {@code traceparent} and {@code tracestate}, copied.
 */
public record RunTracing(Tracing tracing) {

    private static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("messaging.system");
    private static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");
    private static final AttributeKey<String> OPERATION = AttributeKey.stringKey("messaging.operation.type");
    private static final AttributeKey<String> MESSAGE_ID = AttributeKey.stringKey("messaging.message.id");
    private static final AttributeKey<Long> PARTITION = AttributeKey.longKey("messaging.destination.partition.id");
    private static final AttributeKey<Long> OFFSET = AttributeKey.longKey("messaging.kafka.offset");
    private static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
    private static final AttributeKey<String> URL = AttributeKey.stringKey("url.full");
    private static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
    private static final AttributeKey<String> WEBHOOK_ID = AttributeKey.stringKey("sluice.webhook.id");

    private static final RunTracing OFF = new RunTracing(Tracing.off());

    public static RunTracing off() {
        return OFF;
    }

    public static RunTracing of(Tracing tracing) {
        return tracing.enabled() ? new RunTracing(tracing) : OFF;
    }

    /** The span of one event's run, a child of the span its record names; off, the invalid span. End it once the run is decided. */
    public Span run(ConsumerRecord<byte[], byte[]> record) {
        if (!tracing.enabled()) {
            return Span.getInvalid();
        }
        Headers h = record.headers();
        Context parent = new TraceHeaders(
                        EventRecords.text(h, SluiceHeaders.TRACEPARENT), EventRecords.text(h, SluiceHeaders.TRACESTATE))
                .extract(tracing.propagator(), Context.root());
        String id = EventRecords.text(h, SluiceHeaders.CE_ID);
        return tracing.tracer()
                .spanBuilder("process " + record.topic())
                .setSpanKind(SpanKind.CONSUMER)
                .setParent(parent)
                .setAttribute(SYSTEM, "kafka")
                .setAttribute(DESTINATION, record.topic())
                .setAttribute(OPERATION, "process")
                .setAttribute(PARTITION, (long) record.partition())
                .setAttribute(OFFSET, record.offset())
                .setAttribute(MESSAGE_ID, id == null ? "" : id)
                .startSpan();
    }

    /** The span of one request of an {@code http} step, a child of the run's span; off, the invalid span. */
    Span step(HttpStepRunner.Request request) {
        if (!tracing.enabled()) {
            return Span.getInvalid();
        }
        StepConfig.Http step = request.step();
        String url = step.url();
        int query = url.indexOf('?');
        // The query is left out: a target's URL may carry a token there.
        var span = tracing.tracer()
                .spanBuilder(step.method())
                .setSpanKind(SpanKind.CLIENT)
                .setParent(Context.root().with(request.run()))
                .setAttribute(METHOD, step.method())
                .setAttribute(URL, query < 0 ? url : url.substring(0, query));
        if (request.webhookId() != null) {
            span.setAttribute(WEBHOOK_ID, request.webhookId());
        }
        return span.startSpan();
    }

    /** The trace headers of a step's request: the step span's context when on, else the record's own, copied. */
    void headers(Span span, ConsumerRecord<byte[], byte[]> record, RequestOptions options) {
        String traceparent;
        String tracestate;
        if (tracing.enabled()) {
            TraceHeaders t =
                    TraceHeaders.of(tracing.propagator(), Context.root().with(span));
            traceparent = t.traceparent();
            tracestate = t.tracestate();
        } else {
            traceparent = EventRecords.text(record.headers(), SluiceHeaders.TRACEPARENT);
            tracestate = EventRecords.text(record.headers(), SluiceHeaders.TRACESTATE);
        }
        if (traceparent != null) {
            options.putHeader(TraceHeaders.TRACEPARENT, traceparent);
        }
        if (tracestate != null) {
            options.putHeader(TraceHeaders.TRACESTATE, tracestate);
        }
    }

    /** A step's request ended: its status when the target answered, the failure otherwise. */
    static void ended(Span span, int status, Throwable failure) {
        if (status > 0) {
            span.setAttribute(STATUS, status);
        }
        if (failure != null) {
            span.setStatus(
                    StatusCode.ERROR,
                    failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage());
        }
        span.end();
    }

    /** The run of an event was decided (every workflow's outcome is accounted for). */
    static void decided(Span span, AsyncResult<?> ar) {
        if (ar.failed()) {
            span.setStatus(StatusCode.ERROR, String.valueOf(ar.cause()));
        }
        span.end();
    }
}
