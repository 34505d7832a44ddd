package dev.sluice.router.impl.http;

import dev.sluice.core.RouteConfig;
import dev.sluice.router.impl.RouterMetrics;
import dev.sluice.router.impl.RouterMetrics.RouteMeters;
import dev.sluice.router.impl.ingest.BadInput;
import dev.sluice.router.impl.ingest.BinaryMode;
import dev.sluice.router.impl.ingest.Draft;
import dev.sluice.router.impl.ingest.JsonEvents;
import dev.sluice.router.impl.ingest.Parsed;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The ingest endpoints:
 * <ul>
 *   <li>{@code POST /v1/events/{source}} — one event: a plain body (the raw bytes are the
 *       payload), a CloudEvents binary-mode request ({@code ce-*} headers) or a structured one
 *       ({@code application/cloudevents+json});</li>
 *   <li>{@code POST /v1/events/{source}/batch} — NDJSON, a JSON array, or a CloudEvents batch,
 *       parsed and answered by {@link BatchIngest}.</li>
 * </ul>
 * This handler routes a request, checks it and reads its body (cutting off a body that is too
 * slow); {@link Producing} produces the events of both endpoints and answers each request once the
 * broker acknowledged them. One instance per ingest verticle; all state here lives on that
 * verticle's event loop.
 */
public final class IngestHandler implements Handler<HttpServerRequest> {

    static final String PREFIX = "/v1/events/";
    static final String BATCH_SUFFIX = "/batch";
    private static final String CE_JSON = "application/cloudevents+json";

    private final IngestState state;
    private final Producing producing;
    private final ArrayDeque<Reading> reading = new ArrayDeque<>();
    private final long bodyTimeoutNanos;
    private final Deduplicate dedup;
    private final BatchIngest batches;
    private final Gate gate;
    private final BodyReader bodies;

    public IngestHandler(Context context, IngestState state) {
        this.state = state;
        this.producing = new Producing(context, state);
        this.bodyTimeoutNanos = state.config().timeouts().body().toNanos();
        this.gate = new Gate(context, state);
        this.dedup = new Deduplicate(state, context, producing, gate);
        this.batches = new BatchIngest(state, dedup, gate);
        this.bodies = new BodyReader(state.bodies());
    }

    @Override
    public void handle(HttpServerRequest req) {
        RouteMeters none = state.metrics().route(RouterMetrics.NO_ROUTE);
        gate.guarded(req, none, () -> route(req, none));
    }

    /** Route: {@code /v1/events/<source>} or {@code /v1/events/<source>/batch}, the source one non-empty segment. */
    private void route(HttpServerRequest req, RouteMeters none) {
        String path = req.path();
        if (path == null || !path.startsWith(PREFIX)) {
            gate.reject(req, none, Problems.Kind.NOT_FOUND, "no endpoint at " + path);
            return;
        }
        String rest = path.substring(PREFIX.length());
        int slash = rest.indexOf('/');
        String source = slash < 0 ? rest : rest.substring(0, slash);
        boolean batch = slash >= 0 && rest.substring(slash).equals(BATCH_SUFFIX);
        if (slash >= 0 && !batch) {
            gate.reject(req, none, Problems.Kind.NOT_FOUND, "no endpoint at " + path);
            return;
        }
        RouteConfig route = source.isEmpty() ? null : state.routes().get(source);
        if (route == null) {
            gate.reject(
                    req,
                    none,
                    Problems.Kind.UNKNOWN_SOURCE,
                    source.isEmpty() ? "the path names no source" : "no source named '" + source + "' is configured");
            return;
        }
        RouteMeters meters = state.metrics().route(route.source());
        if (req.method() != HttpMethod.POST) {
            req.response().putHeader("allow", "POST");
            gate.reject(req, meters, Problems.Kind.METHOD_NOT_ALLOWED, req.method() + " is not allowed here; use POST");
            return;
        }
        Admission.Refusal denied = state.admission().beforeBody(req, route);
        if (denied != null) {
            gate.refuse(gate.http(req), meters, denied);
            return;
        }
        if (!gate.open(req, meters, route, "the event")) {
            return;
        }
        Reading r = new Reading(req, meters, System.nanoTime());
        reading.addLast(r);
        bodies.read(req, route, () -> r.done).onComplete(read -> {
            if (r.done) {
                return;
            }
            r.done = true;
            if (read.failed()) {
                BodyReader.answer(req, meters, read.cause(), gate::reject);
                return;
            }
            byte[] bytes = read.result();
            gate.guarded(req, meters, () -> arrived(req, route, meters, batch, bytes));
        });
    }

    /** Admit (after the body): the signature; then the rate limit, Parse, and on to Deduplicate and Produce. */
    private void arrived(HttpServerRequest req, RouteConfig route, RouteMeters meters, boolean batch, byte[] bytes) {
        HttpAnswer answer = gate.http(req);
        Admission.Signed signed = state.admission().afterBody(req, route, bytes);
        if (signed.refusal() != null) {
            gate.refuse(answer, meters, signed.refusal());
            return;
        }
        Submission sub = Submission.of(
                route, meters, batch, signed.deliveryId(), req::getHeader, state.tracing(), answer, Map.of());
        if (batch) {
            batches.handle(sub, req.getHeader("content-type"), bytes);
        } else {
            gate.then(answer, meters, state.admission().rate(route, 1, bytes.length), () -> onSingle(sub, req, bytes));
        }
    }

    private void onSingle(Submission sub, HttpServerRequest req, byte[] body) {
        RouteConfig route = sub.route();
        String contentType = req.getHeader("content-type");
        String media = mediaType(contentType);
        Draft draft;
        try {
            if (CE_JSON.equals(media)) {
                draft = JsonEvents.cloudEvent(body);
            } else if (req.getHeader("ce-specversion") != null) {
                if (!route.accepts(contentType)) {
                    unsupported(sub, contentType);
                    return;
                }
                draft = BinaryMode.decode(req.headers(), body, contentType);
            } else {
                if (!route.accepts(contentType)) {
                    unsupported(sub, contentType);
                    return;
                }
                // A plain request may still name its event id (for retries and dedup).
                draft = new Draft(BinaryMode.plainId(req.headers()), null, null, null, null, contentType, body, null);
            }
        } catch (BadInput bad) {
            gate.refuse(sub, Problems.kind(bad), bad.getMessage());
            return;
        }
        dedup.submit(sub, List.of(Parsed.ok(draft)));
    }

    /**
     * Cuts off every request whose body is overdue (408, connection closed) and answers every
     * request whose acks are overdue ({@link Producing#sweep}). Runs on this event loop.
     */
    public void sweep() {
        long now = System.nanoTime();
        Reading slow;
        while ((slow = reading.peekFirst()) != null) {
            if (!slow.done) {
                if (now - slow.startNanos < bodyTimeoutNanos) {
                    break;
                }
                slow.done = true;
                gate.tooSlow(slow.req, slow.meters);
            }
            reading.pollFirst();
        }
        producing.sweep(now);
    }

    public int pendingCount() {
        return producing.pendingCount();
    }

    private void unsupported(Submission sub, String contentType) {
        gate.refuse(
                sub,
                Problems.Kind.UNSUPPORTED_MEDIA_TYPE,
                "source " + sub.route().source() + " accepts "
                        + String.join(", ", sub.route().contentTypes()) + "; got "
                        + (contentType == null ? "no content type" : contentType));
    }

    static String mediaType(String contentType) {
        if (contentType == null) {
            return null;
        }
        int semi = contentType.indexOf(';');
        return (semi >= 0 ? contentType.substring(0, semi) : contentType).trim().toLowerCase(Locale.ROOT);
    }

    /** A request whose body is still arriving. */
    private static final class Reading {
        final HttpServerRequest req;
        final RouteMeters meters;
        final long startNanos;
        boolean done;

        Reading(HttpServerRequest req, RouteMeters meters, long startNanos) {
            this.req = req;
            this.meters = meters;
            this.startNanos = startNanos;
        }
    }
}
