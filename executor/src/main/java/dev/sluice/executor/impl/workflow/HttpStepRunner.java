package dev.sluice.executor.impl.workflow;

import dev.sluice.core.StepConfig;
import dev.sluice.core.WebhookSigning;
import dev.sluice.executor.impl.guard.TargetGuard;
import dev.sluice.executor.impl.guard.TargetGuards;
import io.opentelemetry.api.trace.Span;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Runs an {@code http} step: sends the event's payload to the target as a CloudEvents HTTP binary
 * mode request ({@code ce-*} headers, the payload's content type) with the Standard Webhooks
 * headers ({@link WebhookHeaders}). The event's deadline bounds everything before the write and
 * is checked immediately before it; the step's timeout bounds the exchange after it. 2xx
 * succeeds; 408, 429, 5xx and connection errors are retryable, and no answer after the write is an
 * unknown outcome (retryable, as a re-send); any other status is not. Every call first passes its
 * target's guard ({@link TargetGuard}): an open circuit or a full budget refuses it unsent, a busy
 * budget makes it wait (within the deadline), and its end tells the circuit whether the target
 * answered, failed, or was never reached.
 */
public final class HttpStepRunner {

    private final Vertx vertx;
    private final HttpClient client;
    private final HttpClient http2Client;
    private final WebhookHeaders webhook = new WebhookHeaders();
    private final TargetGuards guards;
    private final RunTracing tracing;
    private final StepRequests requests;
    /** Each step's target, its URL parsed once (parsing it per request showed in profiles). Event-loop confined. */
    private final java.util.Map<StepConfig.Http, Target> targets = new java.util.IdentityHashMap<>();

    /**
     * {@code http2Client} serves the steps with {@code "http2": true}, {@code client} the others;
     * every call passes its target's guard ({@code guards}: circuit and concurrency budget).
     */
    public HttpStepRunner(Vertx vertx, HttpClient client, HttpClient http2Client, TargetGuards guards) {
        this(vertx, client, http2Client, guards, RunTracing.off());
    }

    /** With a client span per request ({@link RunTracing}). */
    public HttpStepRunner(
            Vertx vertx, HttpClient client, HttpClient http2Client, TargetGuards guards, RunTracing tracing) {
        this.tracing = tracing;
        this.requests = new StepRequests(webhook, tracing);
        this.vertx = vertx;
        this.client = client;
        this.http2Client = http2Client;
        this.guards = guards;
    }

    /** A step's request line, parsed once, and its target's guard. */
    private record Target(RequestOptions options, TargetGuard guard) {}

    /**
     * What one http step sends for one workflow run: the step, the event, the current payload and
     * its content type (null: the event's own), the Standard Webhooks id and signing secrets, and
     * the span of the event's run (the invalid span when tracing is off).
     */
    public record Request(
            StepConfig.Http step,
            ConsumerRecord<byte[], byte[]> record,
            byte[] payload,
            String contentType,
            String webhookId,
            WebhookSigning signing,
            Span run) {

        public Request(
                StepConfig.Http step,
                ConsumerRecord<byte[], byte[]> record,
                byte[] payload,
                String contentType,
                String webhookId,
                WebhookSigning signing) {
            this(step, record, payload, contentType, webhookId, signing, Span.getInvalid());
        }
    }

    /** The {@code webhook-id} of a step's run: the same for every attempt and every re-send. */
    public String webhookId(String route, String eventId, String workflow, int stepIndex) {
        return webhook.id(route, eventId, workflow, stepIndex);
    }

    /** A successful answer: its status, and its body when it is JSON (else null). */
    public record Result(int status, Buffer json) {}

    public Future<Result> call(StepConfig.Http step, ConsumerRecord<byte[], byte[]> record, long timeoutMillis) {
        return call(
                new Request(step, record, record.value(), null, null, WebhookSigning.none()),
                timeoutMillis,
                Long.MAX_VALUE,
                Gate.OPEN);
    }

    /** What the run does around the write: claim before it, count it as it happens. */
    public interface Gate {
        /** No claim, nothing counted. */
        Gate OPEN = new Gate() {
            @Override
            public Future<Void> beforeWrite() {
                return Future.succeededFuture();
            }

            @Override
            public void written() {}
        };

        /** Runs once the connection is ready, just before the write (the run's claim); a failure stops the request unsent. */
        Future<Void> beforeWrite();

        /** The request is being written: from now on its outcome may be unknown to the executor. */
        void written();

        /** Told while the request waits for its target's budget. */
        default TargetGuard.Queueing queueing() {
            return TargetGuard.Queueing.NONE;
        }
    }

    /**
     * Sends the request. Until it is written, the event's {@code deadline} (epoch ms) bounds the
     * wait for a connection and for {@code gate}'s claim: a request still waiting then fails with
     * {@link StepFailure.NotSent}, and the clock is checked once more immediately before the write, so a loop
     * that ran late never writes after the deadline. From the write on, {@code exchangeTimeoutMillis}
     * (the step's timeout) bounds the exchange with the target, whatever the deadline: a request
     * written in time may be answered after it. No answer within it, or a connection lost after
     * the write, is an {@link StepFailure#unknownOutcome() unknown outcome}.
     */
    public Future<Result> call(Request request, long exchangeTimeoutMillis, long deadline, Gate gate) {
        if (System.currentTimeMillis() >= deadline) {
            return Future.failedFuture(
                    StepFailure.notSent("the deadline had passed when the request was to start; nothing was sent"));
        }
        Target target = target(request.step());
        return target.guard()
                .enter(vertx.getOrCreateContext(), deadline, gate.queueing())
                .recover(e -> Future.failedFuture(e instanceof TargetGuard.Refused r ? refused(r) : e))
                .compose(ticket -> {
                    Future<Result> result = dev.sluice.executor.impl.Retry.guarded(
                            () -> exchange(request, target, exchangeTimeoutMillis, deadline, gate));
                    return result.andThen(ar -> ticket.leave(verdict(ar)));
                });
    }

    /** A call the guard refused: unsent. The deadline came while it queued: expired; an open circuit or a full budget: failed for good. */
    private static RuntimeException refused(TargetGuard.Refused r) {
        return r.reason() == TargetGuard.Reason.DEADLINE
                ? StepFailure.notSent(r.getMessage())
                : StepFailure.refused(r.getMessage());
    }

    /** What a call's end says about its target: an answer (even a refusal such as 400), a failure, or nothing. */
    private static TargetGuard.Verdict verdict(io.vertx.core.AsyncResult<Result> ar) {
        if (ar.succeeded()) {
            return TargetGuard.Verdict.ANSWERED;
        }
        Throwable e = ar.cause();
        if (e instanceof StepFailure.Fatal) {
            return TargetGuard.Verdict.ANSWERED;
        }
        return e instanceof StepFailure f && f.retryable() ? TargetGuard.Verdict.FAILED : TargetGuard.Verdict.NEUTRAL;
    }

    private Target target(StepConfig.Http step) {
        return targets.computeIfAbsent(
                step,
                s -> new Target(
                        new RequestOptions().setAbsoluteURI(s.url()).setMethod(HttpMethod.valueOf(s.method())),
                        guards.of(s.url())));
    }

    private Future<Result> exchange(
            Request request, Target target, long exchangeTimeoutMillis, long deadline, Gate gate) {
        long begin = System.currentTimeMillis();
        if (begin >= deadline) {
            return Future.failedFuture(StepFailure.notSent(
                    "the deadline passed while the request waited for its target's budget; nothing was sent"));
        }
        Span span = tracing.step(request);
        RequestOptions options =
                requests.options(request, target.options(), span).setConnectTimeout(deadline - begin);
        Promise<Result> result = Promise.promise();
        if (span.isRecording()) {
            result.future()
                    .onComplete(ar ->
                            RunTracing.ended(span, ar.succeeded() ? ar.result().status() : 0, ar.cause()));
        }
        boolean[] written = {false};
        long[] timer = {
            vertx.setTimer(deadline - begin, id -> {
                if (!written[0]) {
                    result.tryFail(StepFailure.notSent(
                            "the deadline passed while the request waited " + (System.currentTimeMillis() - begin)
                                    + " ms for a connection and its claim; nothing was sent"));
                }
            })
        };
        byte[] payload = request.payload() == null ? new byte[0] : request.payload();
        (request.step().http2() ? http2Client : client)
                .request(options)
                .compose(req -> {
                    // The outcome is decided by this call's timers; the reset they cause needs no second report.
                    req.exceptionHandler(e -> {});
                    result.future().onFailure(e -> req.reset());
                    if (result.future().isComplete()) {
                        return result.future().mapEmpty();
                    }
                    return gate.beforeWrite().compose(v -> {
                        if (result.future().isComplete()) {
                            return result.future().mapEmpty();
                        }
                        long now = System.currentTimeMillis();
                        if (now >= deadline) {
                            return Future.failedFuture(StepFailure.notSent("the deadline passed " + (now - deadline)
                                    + " ms before the request " + "could be written (it waited " + (now - begin)
                                    + " ms for a connection and its claim); nothing was sent"));
                        }
                        vertx.cancelTimer(timer[0]);
                        written[0] = true;
                        gate.written();
                        timer[0] = vertx.setTimer(
                                exchangeTimeoutMillis,
                                id -> result.tryFail(StepFailure.unknownOutcome(
                                        "no response within " + exchangeTimeoutMillis
                                                + " ms after the request was written",
                                        null)));
                        return requests.send(req, request, Buffer.buffer(payload), payload);
                    });
                })
                .compose(StepAnswers::classify)
                .onComplete(ar -> {
                    vertx.cancelTimer(timer[0]);
                    if (ar.succeeded()) {
                        result.tryComplete(ar.result());
                        return;
                    }
                    Throwable e = ar.cause();
                    if (e instanceof StepFailure) {
                        result.tryFail(e);
                    } else {
                        String what = "request failed: " + e.getClass().getSimpleName() + ": " + e.getMessage();
                        result.tryFail(
                                written[0]
                                        ? StepFailure.unknownOutcome(what + " (after the request was written)", e)
                                        : StepFailure.retryable(what, e));
                    }
                });
        return result.future();
    }
}
