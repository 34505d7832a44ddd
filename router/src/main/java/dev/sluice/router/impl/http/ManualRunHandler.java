package dev.sluice.router.impl.http;

import dev.sluice.core.RouteConfig;
import dev.sluice.core.SluiceHeaders;
import dev.sluice.core.WorkflowConfig;
import dev.sluice.router.impl.RouterMetrics;
import dev.sluice.router.impl.RouterMetrics.RouteMeters;
import dev.sluice.router.impl.auth.AccessSnapshot;
import dev.sluice.router.impl.auth.Authenticator;
import dev.sluice.router.impl.ingest.Parsed;
import dev.sluice.router.impl.workflow.WorkflowDirectory;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code POST /v1/workflows/{name}/runs}: "run this workflow now" with a JSON payload. The run is an
 * event like any other: it enters the ingest pipeline after Parse (rate limit → Deduplicate →
 * Produce → Answer), so it gets an id, a deadline, the route's headers and key, and its 202 only
 * once Kafka holds it; the executors then run it on the normal path.
 *
 * <p>The event goes to the workflow's first source (or {@code ?source=} among its sources), with
 * CloudEvents type {@value ManualRunEvent#TYPE}, source {@code /workflows/<name>} and extension
 * {@code workflow=<name>}. A workflow starts for the events of its sources that pass its filter, so
 * the workflow's filter is checked here first: a manual event it would not accept is refused (422)
 * rather than accepted and silently filtered. The record carries {@code sluice_target=<name>}, so
 * executors run that workflow only: the other workflows of the same source skip it.
 *
 * <p>The caller needs an API key of the tenant that owns that source, whatever the source's own
 * {@code auth}: a missing or unknown key is 401, a key of another tenant 403, an unknown workflow
 * 404 (asked only after the key is known to be live, so workflow names do not leak).
 */
public final class ManualRunHandler {

    public static final String PREFIX = "/v1/workflows/";
    static final String SUFFIX = "/runs";

    private static final Map<String, String> CHALLENGE = Map.of("www-authenticate", "Bearer realm=\"sluice\"");

    private final IngestState state;
    private final Context context;
    private final Pipeline pipeline;
    private final Gate gate;
    private final BodyReader bodies;
    private final Authenticator authenticator;
    private final WorkflowDirectory directory;

    public ManualRunHandler(
            Context context, IngestState state, WorkflowDirectory directory, Supplier<AccessSnapshot> access) {
        this.state = state;
        this.context = context;
        this.pipeline = new Pipeline(context, state);
        this.gate = new Gate(context, state);
        this.bodies = new BodyReader(state.bodies());
        this.authenticator = new Authenticator(access);
        this.directory = directory;
    }

    public void handle(HttpServerRequest req) {
        RouteMeters none = state.metrics().route(RouterMetrics.NO_ROUTE);
        gate.guarded(req, none, () -> route(req, none));
    }

    private void route(HttpServerRequest req, RouteMeters none) {
        String path = req.path();
        String name = path.length() > PREFIX.length() + SUFFIX.length() && path.endsWith(SUFFIX)
                ? path.substring(PREFIX.length(), path.length() - SUFFIX.length())
                : "";
        if (name.isEmpty() || name.indexOf('/') >= 0) {
            gate.reject(
                    req,
                    none,
                    Problems.Kind.NOT_FOUND,
                    "no endpoint at " + path + " (manual runs: POST /v1/workflows/{name}/runs)");
            return;
        }
        if (req.method() != HttpMethod.POST) {
            req.response().putHeader("allow", "POST");
            gate.reject(req, none, Problems.Kind.METHOD_NOT_ALLOWED, req.method() + " is not allowed here; use POST");
            return;
        }
        String authorization = req.getHeader("authorization");
        Authenticator.Verdict live =
                authorization == null ? Authenticator.Verdict.MISSING : authenticator.live(authorization);
        if (live != Authenticator.Verdict.OK) {
            none.rejected(Problems.Kind.UNAUTHORIZED);
            gate.http(req)
                    .problem(
                            Problems.Kind.UNAUTHORIZED,
                            live == Authenticator.Verdict.MISSING
                                    ? "a manual run needs an API key of the workflow's tenant: send Authorization: Bearer <key>"
                                    : "the API key is not known, or it (or its tenant) has been revoked",
                            CHALLENGE);
            return;
        }
        req.pause();
        Future<Optional<WorkflowConfig>> lookup;
        try {
            lookup = directory.find(name);
        } catch (RuntimeException e) {
            // Answered below like a failed lookup, so the request is resumed whatever happened.
            lookup = Future.failedFuture(e);
        }
        lookup.onComplete(found -> context.runOnContext(v -> {
            gate.guarded(req, none, () -> {
                if (found.failed() && unexpected(found.cause())) {
                    // Not PostgreSQL being away: a bug or a case no code handles. Thrown here, the guard answers 500
                    // with a logged reference.
                    throw new IllegalStateException(
                            "looking workflow " + name + " up failed unexpectedly", found.cause());
                } else if (found.failed()) {
                    gate.reject(
                            req,
                            none,
                            Problems.Kind.WORKFLOWS_UNAVAILABLE,
                            "the workflow could not be looked up (PostgreSQL did not answer); retry shortly");
                } else {
                    chosen(req, none, name, found.result(), authorization);
                }
            });
            // After the body's reader (if any) is in place: what arrived meanwhile goes to it.
            req.resume();
        }));
    }

    private void chosen(
            HttpServerRequest req,
            RouteMeters none,
            String name,
            Optional<WorkflowConfig> found,
            String authorization) {
        if (found.isEmpty()) {
            gate.reject(req, none, Problems.Kind.UNKNOWN_WORKFLOW, "no workflow named '" + name + "'");
            return;
        }
        WorkflowConfig workflow = found.get();
        String wanted = req.getParam("source");
        String source = wanted != null ? wanted : workflow.sources().get(0);
        RouteConfig route = workflow.sources().contains(source) ? state.routes().get(source) : null;
        if (route == null) {
            gate.reject(
                    req,
                    none,
                    Problems.Kind.UNKNOWN_SOURCE,
                    workflow.sources().contains(source)
                            ? "workflow " + name + " subscribes to source '" + source
                                    + "', which this router does not route"
                            : "workflow " + name + " does not subscribe to source '" + source + "'");
            return;
        }
        RouteMeters meters = state.metrics().route(route.source());
        if (authenticator.check(keyed(route), authorization) != Authenticator.Verdict.OK) {
            gate.reject(
                    req,
                    meters,
                    Problems.Kind.FORBIDDEN,
                    "the API key's tenant does not own workflow " + name + " (its source " + route.source()
                            + " belongs to another tenant)");
            return;
        }
        if (!gate.open(req, meters, route, "the run")) {
            return;
        }
        // The body is bounded in time as on /v1/events: one not in within router.body.timeout is 408 and a closed
        // connection.
        boolean[] done = {false};
        long timer = context.owner().setTimer(state.config().timeouts().body().toMillis(), id -> {
            if (!done[0]) {
                done[0] = true;
                gate.tooSlow(req, meters);
            }
        });
        bodies.read(req, route, () -> done[0])
                .onComplete(read -> gate.guarded(req, meters, () -> {
                    if (done[0]) {
                        return;
                    }
                    done[0] = true;
                    context.owner().cancelTimer(timer);
                    if (read.failed()) {
                        BodyReader.answer(req, meters, read.cause(), gate::reject);
                    } else {
                        arrived(req, route, meters, workflow, read.result());
                    }
                }));
    }

    private void arrived(
            HttpServerRequest req, RouteConfig route, RouteMeters meters, WorkflowConfig workflow, byte[] body) {
        ManualRunEvent run;
        try {
            run = ManualRunEvent.of(workflow, body);
        } catch (RuntimeException e) {
            gate.reject(
                    req,
                    meters,
                    Problems.Kind.MALFORMED_JSON,
                    "a manual run's payload must be JSON: " + e.getMessage());
            return;
        }
        if (!run.passes(workflow)) {
            gate.reject(
                    req,
                    meters,
                    Problems.Kind.FILTERED_OUT,
                    "workflow " + workflow.name() + "'s filter does not accept this event" + " (type "
                            + ManualRunEvent.TYPE + ", source " + run.draft().source()
                            + ", this payload), so it would not run");
            return;
        }
        HttpAnswer answer = gate.http(req);
        Submission sub = Submission.of(
                route,
                meters,
                false,
                null,
                req::getHeader,
                state.tracing(),
                answer,
                Map.of(SluiceHeaders.TARGET, workflow.name()));
        pipeline.then(
                answer,
                meters,
                state.admission().rate(route, 1, run.draft().payload().length),
                () -> pipeline.submit(sub, List.of(Parsed.ok(run.draft()))));
    }

    /** Whether a lookup's failure is something other than PostgreSQL not answering or refusing the query. */
    static boolean unexpected(Throwable e) {
        return e instanceof Error
                || e instanceof RuntimeException
                        && !(e instanceof io.vertx.core.VertxException || e instanceof io.vertx.pgclient.PgException);
    }

    /** The route as if it required a key, so the tenant check applies whatever the source's own auth. */
    private static RouteConfig keyed(RouteConfig r) {
        return new RouteConfig(
                r.source(),
                r.topic(),
                r.ttl(),
                r.partitions(),
                r.maxBodyBytes(),
                r.key(),
                r.eventType(),
                r.tenant(),
                r.contentTypes(),
                r.maxBatchEvents(),
                r.keyFallback(),
                r.signature(),
                r.idempotency(),
                dev.sluice.core.AuthMode.KEY,
                r.rateLimit(),
                r.mqtt(),
                r.schema());
    }

    /** Answers the runs whose acks are overdue (call with the ingest sweep). */
    public void sweep() {
        pipeline.sweep();
    }
}
