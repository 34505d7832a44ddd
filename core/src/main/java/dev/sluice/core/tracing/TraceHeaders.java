package dev.sluice.core.tracing;

import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;

/**
 * W3C trace context as Sluice carries it: a {@code traceparent} and an optional {@code tracestate},
 * two strings on the HTTP request, in the Kafka record and on the webhook request.
 *
 * @param traceparent the W3C {@code traceparent}, or null
 * @param tracestate  the W3C {@code tracestate}, or null
 */
public record TraceHeaders(String traceparent, String tracestate) {

    public static final String TRACEPARENT = "traceparent";
    public static final String TRACESTATE = "tracestate";

    private static final TextMapGetter<TraceHeaders> GET = (carrier, key) -> carrier == null
            ? null
            : TRACEPARENT.equals(key) ? carrier.traceparent : TRACESTATE.equals(key) ? carrier.tracestate : null;

    private static final TextMapSetter<String[]> SET = (carrier, key, value) -> {
        if (carrier != null && TRACEPARENT.equals(key)) {
            carrier[0] = value;
        } else if (carrier != null && TRACESTATE.equals(key)) {
            carrier[1] = value;
        }
    };

    /** The context these headers continue (a remote parent), or {@code base} when they name none or are malformed. */
    public Context extract(TextMapPropagator propagator, Context base) {
        return propagator.extract(base, this, GET);
    }

    /** The headers that continue {@code context}'s span elsewhere (null fields when it has none). */
    public static TraceHeaders of(TextMapPropagator propagator, Context context) {
        String[] out = new String[2];
        propagator.inject(context, out, SET);
        return new TraceHeaders(out[0], out[1] == null || out[1].isEmpty() ? null : out[1]);
    }
}
