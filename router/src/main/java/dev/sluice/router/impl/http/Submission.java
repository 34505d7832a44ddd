package dev.sluice.router.impl.http;

import dev.sluice.core.RouteConfig;
import dev.sluice.router.impl.RouterMetrics.RouteMeters;
import dev.sluice.router.impl.ingest.EventStamper;
import io.opentelemetry.context.Context;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * One request as the pipeline after Parse sees it, whatever carried it: the route, the sender's
 * metadata (headers, or an MQTT publish's properties), and where its answer goes.
 *
 * @param route          the route it came in on
 * @param meters         that route's meters
 * @param batch          whether the sender sent a batch (answered per event) or one event
 * @param deliveryId     the verified id of a signed delivery (the replay key), or null when unsigned
 * @param idempotencyKey the sender's {@code Idempotency-Key}, or null
 * @param headers        the sender's metadata by lower-case name, for header-keyed routes
 * @param traceparent    the W3C trace context the events carry (validated, or new)
 * @param tracestate     the W3C {@code tracestate} that came with a valid {@code traceparent}, or null
 * @param trace          the trace context the events are produced in ({@link IngestTracing#request}; the root context when tracing is off)
 * @param answer         where the outcome goes
 * @param stamps         Sluice's own headers for each record beyond the event's (a manual run's
 *                       {@code sluice_target}); empty for what clients send
 */
public record Submission(
        RouteConfig route,
        RouteMeters meters,
        boolean batch,
        String deliveryId,
        String idempotencyKey,
        UnaryOperator<String> headers,
        String traceparent,
        String tracestate,
        Context trace,
        Answer answer,
        Map<String, String> stamps) {

    public Submission {
        stamps = Map.copyOf(stamps);
    }

    /**
     * A submission whose sender's metadata is {@code headers}: its {@code Idempotency-Key}, and its
     * {@code traceparent} and {@code tracestate}, checked, and the trace context they start in
     * {@code tracing}.
     */
    public static Submission of(
            RouteConfig route,
            RouteMeters meters,
            boolean batch,
            String deliveryId,
            UnaryOperator<String> headers,
            IngestTracing tracing,
            Answer answer,
            Map<String, String> stamps) {
        String traceparent = headers.apply("traceparent");
        String tracestate = headers.apply("tracestate");
        return new Submission(
                route,
                meters,
                batch,
                deliveryId,
                headers.apply("idempotency-key"),
                headers,
                EventStamper.traceparent(traceparent),
                EventStamper.tracestate(traceparent, tracestate),
                tracing.request(traceparent, tracestate),
                answer,
                stamps);
    }
}
