package dev.sluice.router.impl.http;

import dev.sluice.core.RouteConfig;
import dev.sluice.router.impl.RouterMetrics.RouteMeters;
import dev.sluice.router.impl.kafka.TopicReadiness;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the ingest stages go on or stop: a check that passed runs the next stage on this event loop,
 * a refusal is answered as its problem (and counted), and an exception in any stage is a 500
 * problem whose reference is also logged, never silence or a hung request. One per event loop.
 */
final class Gate {

    private static final Logger LOG = LoggerFactory.getLogger(Gate.class);

    private final Context context;
    private final IngestState state;
    private final long retryAfterSeconds;

    Gate(Context context, IngestState state) {
        this.context = context;
        this.state = state;
        this.retryAfterSeconds = state == null
                ? 1
                : Math.max(1, state.config().limits().retryAfter().toSeconds());
    }

    /** The HTTP answer of a request. */
    HttpAnswer http(HttpServerRequest req) {
        return new HttpAnswer(req, state.draining(), retryAfterSeconds);
    }

    /** Goes on with {@code next} when the check passed, answers the refusal otherwise; resumes on this loop. */
    void then(Answer answer, RouteMeters meters, Future<Admission.Refusal> check, Runnable next) {
        if (check.isComplete()) {
            Admission.Refusal r = check.succeeded()
                    ? check.result()
                    : new Admission.Refusal(
                            Problems.Kind.OVERLOADED, "the request could not be checked; retry shortly", Map.of());
            if (r == null) {
                guarded(answer, meters, next);
            } else {
                refuse(answer, meters, r);
            }
            return;
        }
        check.onComplete(ar -> context.runOnContext(v -> then(answer, meters, check, next)));
    }

    void refuse(Answer answer, RouteMeters meters, Admission.Refusal r) {
        meters.rejected(r.kind());
        answer.refused(r.kind(), r.detail(), r.headers());
    }

    /** Refuses a whole submission: counted once per event it carried. */
    void refuse(Submission sub, Problems.Kind kind, String detail) {
        sub.meters().rejected(kind);
        sub.answer().refused(kind, detail, Map.of());
    }

    /** Refuses an HTTP request before it became a submission; completes once the problem is written. */
    Future<Void> reject(HttpServerRequest req, RouteMeters meters, Problems.Kind kind, String detail) {
        meters.rejected(kind);
        return http(req).problem(kind, detail, Map.of());
    }

    /**
     * Whether {@code route} can take a request now: the router is not draining, the broker is
     * reachable and the route's topic is ready. Otherwise the request is refused (503, {@code what}
     * naming it in the broker's problem) and this is false.
     */
    boolean open(HttpServerRequest req, RouteMeters meters, RouteConfig route, String what) {
        if (state.draining().get()) {
            reject(req, meters, Problems.Kind.DRAINING, "this router is draining; retry on another");
            return false;
        }
        if (!state.health().reachable()) {
            reject(req, meters, Problems.Kind.BROKER_UNAVAILABLE, what + " was not accepted; retry later");
            return false;
        }
        TopicReadiness.State topic = state.topics().state(route.topic());
        if (topic != TopicReadiness.State.READY) {
            reject(
                    req,
                    meters,
                    Problems.Kind.TOPIC_UNAVAILABLE,
                    "topic " + route.topic() + " is " + topic.name().toLowerCase(Locale.ROOT));
            return false;
        }
        return true;
    }

    /**
     * Cuts off a request whose body did not arrive within {@code router.body.timeout}: 408, then
     * the connection closed (HTTP/1.x, told so in the answer) or the stream reset (HTTP/2).
     */
    void tooSlow(HttpServerRequest req, RouteMeters meters) {
        boolean http1 = req.version() != HttpVersion.HTTP_2;
        if (http1) {
            req.response().putHeader("connection", "close");
        }
        reject(
                        req,
                        meters,
                        Problems.Kind.REQUEST_TIMEOUT,
                        "the body did not arrive within "
                                + state.config().timeouts().body().toMillis() + " ms")
                .onComplete(x -> {
                    if (http1) {
                        req.connection().close();
                    } else {
                        req.response().reset();
                    }
                });
    }

    void guarded(Submission sub, Runnable stage) {
        guarded(sub.answer(), sub.meters(), stage);
    }

    /** Runs a stage; an exception it throws answers with a 500 problem, logged with the same reference. */
    void guarded(Answer answer, RouteMeters meters, Runnable stage) {
        try {
            stage.run();
        } catch (RuntimeException | StackOverflowError e) {
            failed(answer, meters, e, "retry later");
        }
    }

    /**
     * An exception of a stage: counted as {@code internal_error}, logged with a new reference, and
     * refused through {@code answer} with that reference and {@code advice}. An answer that cannot be
     * written either is logged under the same reference, so the fault never escapes to the caller's
     * loop (which serves other requests).
     */
    static void failed(Answer answer, RouteMeters meters, Throwable e, String advice) {
        String ref = UUID.randomUUID().toString();
        LOG.error("ingest failed (reference {})", ref, e);
        meters.rejected(Problems.Kind.INTERNAL);
        try {
            answer.refused(
                    Problems.Kind.INTERNAL,
                    "the router failed to handle this request (reference " + ref + "); " + advice,
                    Map.of());
        } catch (RuntimeException again) {
            LOG.error("could not answer the request of reference {}", ref, again);
        }
    }

    /** The same for a stage that runs before an HTTP request has its answer. */
    void guarded(HttpServerRequest req, RouteMeters meters, Runnable stage) {
        try {
            stage.run();
        } catch (RuntimeException | StackOverflowError e) {
            String ref = UUID.randomUUID().toString();
            LOG.error("ingest failed on {} {} (reference {})", req.method(), req.path(), ref, e);
            meters.rejected(Problems.Kind.INTERNAL);
            if (req.response().ended() || req.response().closed()) {
                return;
            }
            if (req.response().headWritten()) {
                // Half an answer is out: the only honest end is a cut connection.
                req.connection().close();
                return;
            }
            req.response().headers().clear();
            Problems.send(
                    req.response(),
                    Problems.Kind.INTERNAL,
                    "the router failed to handle this request (reference " + ref + "); retry later",
                    req.path(),
                    1);
        }
    }
}
