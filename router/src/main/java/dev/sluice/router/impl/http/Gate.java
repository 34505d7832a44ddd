package dev.sluice.router.impl.http;

import dev.sluice.router.impl.RouterMetrics.RouteMeters;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the ingest stages go on or stop: a check that passed runs the next stage on this event loop,
 * a refusal is answered as its problem, and an exception in any stage is a 500 problem whose
 * reference is also logged, never silence or a hung request. One per ingest handler.
 */
final class Gate {

    private static final Logger LOG = LoggerFactory.getLogger(Gate.class);

    private final Context context;
    private final Producing producing;

    Gate(Context context, Producing producing) {
        this.context = context;
        this.producing = producing;
    }

    /** Goes on with {@code next} when the check passed, answers the refusal otherwise; resumes on this loop. */
    void then(HttpServerRequest req, RouteMeters meters, Future<Admission.Refusal> check, Runnable next) {
        if (check.isComplete()) {
            Admission.Refusal r = check.succeeded() ? check.result()
                    : new Admission.Refusal(Problems.Kind.OVERLOADED, "the request could not be checked; retry shortly", Map.of());
            if (r == null) {
                guarded(req, meters, next);
            } else {
                refuse(req, meters, r);
            }
            return;
        }
        check.onComplete(ar -> context.runOnContext(v -> then(req, meters, check, next)));
    }

    void refuse(HttpServerRequest req, RouteMeters meters, Admission.Refusal r) {
        r.headers().forEach(req.response()::putHeader);
        producing.reject(req, meters, r.kind(), r.detail());
    }

    void reject(HttpServerRequest req, RouteMeters meters, Problems.Kind kind, String detail) {
        producing.reject(req, meters, kind, detail);
    }

    /** Runs a stage; an exception it throws answers the request with a 500 problem and is logged with the same reference. */
    void guarded(HttpServerRequest req, RouteMeters meters, Runnable stage) {
        try {
            stage.run();
        } catch (RuntimeException | StackOverflowError e) {
            internal(req, meters, e);
        }
    }

    void internal(HttpServerRequest req, RouteMeters meters, Throwable e) {
        String ref = UUID.randomUUID().toString();
        LOG.error("ingest failed on {} {} (reference {})", req.method(), req.path(), ref, e);
        if (req.response().ended() || req.response().closed()) {
            meters.rejected(Problems.Kind.INTERNAL);
            return;
        }
        if (req.response().headWritten()) {
            // Half an answer is out: the only honest end is a cut connection.
            meters.rejected(Problems.Kind.INTERNAL);
            req.connection().close();
            return;
        }
        meters.rejected(Problems.Kind.INTERNAL);
        req.response().headers().clear();
        Problems.send(req.response(), Problems.Kind.INTERNAL, "the router failed to handle this request (reference " + ref
                + "); retry later", req.path(), 1);
    }
}
