package dev.sluice.executor.impl.workflow;

import dev.sluice.core.EventRecords;
import dev.sluice.core.SluiceHeaders;
import dev.sluice.core.StepConfig;
import dev.sluice.core.WebhookSigning;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import java.nio.charset.StandardCharsets;

/**
 * Runs an {@code http} step: sends the event's payload to the target as a CloudEvents HTTP binary
 * mode request ({@code ce-*} headers, the payload's content type) with the Standard Webhooks
 * headers ({@link WebhookHeaders}), bounded by the step's timeout
 * cut to the event's remaining time. 2xx succeeds; 408, 429, 5xx and connection errors are
 * retryable; any other status is not.
 */
public final class HttpStepRunner {

    private final Vertx vertx;
    private final HttpClient client;
    private final HttpClient http2Client;
    private final WebhookHeaders webhook = new WebhookHeaders();
    /** Each step's target, its URL parsed once (parsing it per request showed in profiles). Event-loop confined. */
    private final java.util.Map<StepConfig.Http, RequestOptions> targets = new java.util.IdentityHashMap<>();

    /** {@code http2Client} serves the steps with {@code "http2": true}, {@code client} the others. */
    public HttpStepRunner(Vertx vertx, HttpClient client, HttpClient http2Client) {
        this.vertx = vertx;
        this.client = client;
        this.http2Client = http2Client;
    }

    /** Why a request was not sent: the run was already claimed (a redelivery of a live event another run sent). */
    public static final class ClaimLost extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public ClaimLost() {
            this("already decided: a redelivery of a live event whose run was done; nothing was sent again");
        }

        public ClaimLost(String why) {
            super(why, null, false, false);
        }
    }

    /**
     * Why a request was not sent: the event's deadline came while it waited for a connection to
     * the target (the pool was busy). Nothing left, so the run counts as expired, not failed.
     */
    public static final class NotSent extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public NotSent(long waitedMillis) {
            super("the deadline passed while the request waited " + waitedMillis + " ms for a connection; nothing was sent",
                    null, false, false);
        }
    }

    /**
     * What one http step sends for one workflow run: the step, the event, the current payload and
     * its content type (null: the event's own), and the Standard Webhooks id and signing secrets.
     */
    public record Request(StepConfig.Http step, ConsumerRecord<byte[], byte[]> record, byte[] payload, String contentType,
                          String webhookId, WebhookSigning signing) {
    }

    /** The {@code webhook-id} of a step's run: the same for every attempt and every re-send. */
    public String webhookId(String route, String eventId, String workflow, int stepIndex) {
        return webhook.id(route, eventId, workflow, stepIndex);
    }

    /** A successful answer: its status, and its body when it is JSON (else null). */
    public record Result(int status, Buffer json) {
    }

    public Future<Result> call(StepConfig.Http step, ConsumerRecord<byte[], byte[]> record, long timeoutMillis) {
        return call(new Request(step, record, record.value(), null, null, WebhookSigning.none()), timeoutMillis, Long.MAX_VALUE, null);
    }

    /**
     * Sends the request. {@code beforeSend}, when given, runs once the connection is ready and
     * just before the request is written; if it answers false, nothing is sent and the call fails
     * with {@link ClaimLost}. A request still waiting for a connection when {@code deadline} (epoch
     * ms) comes is never written and fails with {@link NotSent}.
     */
    public Future<Result> call(Request request, long timeoutMillis, long deadline,
                               java.util.function.Supplier<Future<Boolean>> beforeSend) {
        StepConfig.Http step = request.step();
        ConsumerRecord<byte[], byte[]> record = request.record();
        byte[] payload = request.payload();
        String contentType = request.contentType();
        if (timeoutMillis <= 0) {
            return Future.failedFuture(StepFailure.retryable("no time left before the deadline", null));
        }
        RequestOptions options = new RequestOptions(targets.computeIfAbsent(step, s -> new RequestOptions()
                .setAbsoluteURI(s.url()).setMethod(HttpMethod.valueOf(s.method())))).setConnectTimeout(timeoutMillis);
        // CloudEvents HTTP binary mode: every ce_* attribute becomes a ce-* header.
        for (Header header : record.headers()) {
            String k = header.key();
            if (k.startsWith(SluiceHeaders.CE_PREFIX) && header.value() != null) {
                options.putHeader("ce-" + k.substring(SluiceHeaders.CE_PREFIX.length()),
                        new String(header.value(), StandardCharsets.UTF_8));
            }
        }
        Headers h = record.headers();
        if (contentType != null) {
            options.putHeader("content-type", contentType);
        } else {
            copy(h, SluiceHeaders.CONTENT_TYPE, "content-type", options);
        }
        copy(h, SluiceHeaders.TRACEPARENT, "traceparent", options);
        step.headers().forEach(options::putHeader);
        if (request.webhookId() != null) {
            options.putHeader(WebhookHeaders.ID, request.webhookId());
            options.putHeader(WebhookHeaders.IDEMPOTENCY_KEY, request.webhookId());
        }

        Promise<Result> result = Promise.promise();
        boolean[] written = {false};
        long begin = System.currentTimeMillis();
        long timer = vertx.setTimer(timeoutMillis, id -> {
            long now = System.currentTimeMillis();
            result.tryFail(!written[0] && now >= deadline ? new NotSent(now - begin)
                    : StepFailure.retryable((written[0] ? "no response within " : "no connection within ") + timeoutMillis + " ms", null));
        });
        Buffer body = payload == null ? Buffer.buffer() : Buffer.buffer(payload);
        (step.http2() ? http2Client : client).request(options)
                .compose(req -> {
                    // The step's own timeout decides the outcome; the reset it causes needs no second report.
                    req.exceptionHandler(e -> { });
                    result.future().onFailure(e -> req.reset());
                    if (result.future().isComplete()) {
                        return result.future().mapEmpty();
                    }
                    if (beforeSend == null) {
                        return send(req, request, body, written);
                    }
                    return beforeSend.get().compose(go -> {
                        if (!go) {
                            req.reset();
                            return Future.failedFuture(new ClaimLost());
                        }
                        if (result.future().isComplete()) {
                            return result.future().mapEmpty();
                        }
                        return send(req, request, body, written);
                    });
                })
                .compose(this::classify)
                .onComplete(ar -> {
                    vertx.cancelTimer(timer);
                    if (ar.succeeded()) {
                        result.tryComplete(ar.result());
                    } else {
                        Throwable e = ar.cause();
                        result.tryFail(e instanceof StepFailure || e instanceof ClaimLost || e instanceof NotSent ? e : StepFailure.retryable(
                                "request failed: " + e.getClass().getSimpleName() + ": " + e.getMessage(), e));
                    }
                });
        return result.future();
    }

    /** Writes the request; the timestamp and signature are taken now, as it leaves. */
    private Future<HttpClientResponse> send(io.vertx.core.http.HttpClientRequest req, Request request, Buffer body, boolean[] written) {
        if (request.webhookId() != null) {
            long seconds = System.currentTimeMillis() / 1000;
            req.putHeader(WebhookHeaders.TIMESTAMP, Long.toString(seconds));
            if (request.signing().signs()) {
                req.putHeader(WebhookHeaders.SIGNATURE, webhook.signature(request.signing(), request.webhookId(), seconds,
                        request.payload() == null ? new byte[0] : request.payload()));
            }
        }
        written[0] = true;
        return req.send(body);
    }

    private Future<Result> classify(HttpClientResponse resp) {
        int status = resp.statusCode();
        String type = resp.getHeader("content-type");
        return resp.body().transform(ar -> {
            if (status >= 200 && status < 300) {
                boolean json = type != null && (type.startsWith("application/json") || type.contains("+json"));
                return Future.succeededFuture(new Result(status, json && ar.succeeded() ? ar.result() : null));
            }
            if (status == 408 || status == 429 || status >= 500) {
                long retryAfter = retryAfterMillis(resp.getHeader("retry-after"));
                return Future.failedFuture(new StepFailure("target answered " + status, true, retryAfter, null));
            }
            return Future.failedFuture(StepFailure.fatal("target answered " + status));
        });
    }

    private static long retryAfterMillis(String header) {
        if (header == null) {
            return -1;
        }
        try {
            return Long.parseLong(header.trim()) * 1000;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void copy(Headers from, String kafkaName, String httpName, RequestOptions to) {
        String v = EventRecords.text(from, kafkaName);
        if (v != null) {
            to.putHeader(httpName, v);
        }
    }
}
