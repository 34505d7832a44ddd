package dev.sluice.executor.impl.workflow;

import dev.sluice.core.CloudEventsHttp;
import dev.sluice.core.EventRecords;
import dev.sluice.core.SluiceHeaders;
import dev.sluice.core.StepConfig;
import io.opentelemetry.api.trace.Span;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.RequestOptions;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * What an http step's request carries: the event's CloudEvents attributes as {@code ce-*} headers
 * (binary mode), its content type, the trace context, the step's own headers and the Standard
 * Webhooks id, timestamp and signature, the last two taken as the request leaves.
 */
record StepRequests(WebhookHeaders webhook, RunTracing tracing) {

    /** The request's target and headers: CloudEvents binary mode, the step's own headers, the webhook id. */
    RequestOptions options(HttpStepRunner.Request request, RequestOptions target, Span span) {
        StepConfig.Http step = request.step();
        RequestOptions options = new RequestOptions(target);
        Headers h = request.record().headers();
        // Every ce_* attribute becomes a ce-* header, percent-encoded as the HTTP binding requires.
        for (Header header : h) {
            String k = header.key();
            if (k.startsWith(SluiceHeaders.CE_PREFIX) && header.value() != null) {
                options.putHeader(
                        "ce-" + k.substring(SluiceHeaders.CE_PREFIX.length()),
                        CloudEventsHttp.headerValue(header.value()));
            }
        }
        if (request.contentType() != null) {
            options.putHeader("content-type", request.contentType());
        } else {
            copy(h, SluiceHeaders.CONTENT_TYPE, "content-type", options);
        }
        tracing.headers(span, request.record(), options);
        step.headers().forEach(options::putHeader);
        if (request.webhookId() != null) {
            options.putHeader(WebhookHeaders.ID, request.webhookId());
            options.putHeader(WebhookHeaders.IDEMPOTENCY_KEY, request.webhookId());
        }
        return options;
    }

    /** Writes the request; the timestamp and signature are taken now, as it leaves. */
    Future<HttpClientResponse> send(
            io.vertx.core.http.HttpClientRequest req, HttpStepRunner.Request request, Buffer body, byte[] payload) {
        if (request.webhookId() != null) {
            long seconds = System.currentTimeMillis() / 1000;
            req.putHeader(WebhookHeaders.TIMESTAMP, Long.toString(seconds));
            if (request.signing().signs()) {
                req.putHeader(
                        WebhookHeaders.SIGNATURE,
                        webhook.signature(request.signing(), request.webhookId(), seconds, payload));
            }
        }
        return req.send(body);
    }

    private static void copy(Headers from, String kafkaName, String httpName, RequestOptions to) {
        String v = EventRecords.text(from, kafkaName);
        if (v != null) {
            to.putHeader(httpName, v);
        }
    }
}
