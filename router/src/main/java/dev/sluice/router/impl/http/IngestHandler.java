package dev.sluice.router.impl.http;

import dev.sluice.core.RouteConfig;
import dev.sluice.router.impl.RouterMetrics;
import dev.sluice.router.impl.RouterMetrics.RouteMeters;
import dev.sluice.router.impl.ingest.BadInput;
import dev.sluice.router.impl.ingest.BinaryMode;
import dev.sluice.router.impl.ingest.Draft;
import dev.sluice.router.impl.ingest.JsonEvents;
import dev.sluice.router.impl.ingest.Parsed;
import dev.sluice.router.impl.kafka.TopicReadiness;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

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

    private final Context context;
    private final IngestState state;
    private final Producing producing;
    private final ArrayDeque<Reading> reading = new ArrayDeque<>();
    private final long bodyTimeoutNanos;
    private final IdempotentSubmit idempotent;
    private final BatchIngest batches;
    private final BodyReader bodies;

    public IngestHandler(Context context, IngestState state) {
        this.context = context;
        this.state = state;
        this.producing = new Producing(context, state);
        this.bodyTimeoutNanos = state.config().bodyTimeout().toNanos();
        Callbacks callbacks = new Callbacks();
        this.idempotent = new IdempotentSubmit(state, context, callbacks);
        this.batches = new BatchIngest(state, idempotent, callbacks);
        this.bodies = new BodyReader(state.bodies());
    }

    @Override
    public void handle(HttpServerRequest req) {
        String path = req.path();
        RouteMeters none = state.metrics().route(RouterMetrics.NO_ROUTE);
        if (!path.startsWith(PREFIX)) {
            producing.reject(req, none, Problems.Kind.NOT_FOUND, "no endpoint at " + path);
            return;
        }
        boolean batch = path.endsWith(BATCH_SUFFIX);
        String source = path.substring(PREFIX.length(), batch ? path.length() - BATCH_SUFFIX.length() : path.length());
        RouteConfig route = source.indexOf('/') < 0 ? state.routes().get(source) : null;
        if (route == null) {
            producing.reject(req, none, Problems.Kind.UNKNOWN_SOURCE, "no source named '" + source + "' is configured");
            return;
        }
        RouteMeters meters = state.metrics().route(route.source());
        if (req.method() != HttpMethod.POST) {
            req.response().putHeader("allow", "POST");
            producing.reject(req, meters, Problems.Kind.METHOD_NOT_ALLOWED, req.method() + " is not allowed here; use POST");
            return;
        }
        Admission.Refusal denied = state.admission().beforeBody(req, route);
        if (denied != null) {
            refuse(req, meters, denied);
            return;
        }
        if (state.draining().get()) {
            producing.reject(req, meters, Problems.Kind.DRAINING, "this router is draining; retry on another");
            return;
        }
        if (!state.health().reachable()) {
            producing.reject(req, meters, Problems.Kind.BROKER_UNAVAILABLE, "the event was not accepted; retry later");
            return;
        }
        TopicReadiness.State topic = state.topics().state(route.topic());
        if (topic != TopicReadiness.State.READY) {
            producing.reject(req, meters, Problems.Kind.TOPIC_UNAVAILABLE,
                    "topic " + route.topic() + " is " + topic.name().toLowerCase(Locale.ROOT));
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
                BodyReader.answer(req, meters, read.cause(), producing::reject);
                return;
            }
            byte[] bytes = read.result();
            admitted(req, meters, state.admission().afterBody(req, route, bytes), () -> {
                if (batch) {
                    batches.handle(req, route, meters, bytes);
                } else {
                    admitted(req, meters, state.admission().rate(route, 1, bytes.length), () -> onSingle(req, route, meters, bytes));
                }
            });
        });
    }

    private void onSingle(HttpServerRequest req, RouteConfig route, RouteMeters meters, byte[] body) {
        String contentType = req.getHeader("content-type");
        String media = mediaType(contentType);
        Draft draft;
        try {
            if (CE_JSON.equals(media)) {
                draft = JsonEvents.cloudEvent(body);
            } else if (req.getHeader("ce-specversion") != null) {
                if (!route.accepts(contentType)) {
                    unsupported(req, meters, route, contentType);
                    return;
                }
                draft = BinaryMode.decode(req.headers(), body, contentType);
            } else {
                if (!route.accepts(contentType)) {
                    unsupported(req, meters, route, contentType);
                    return;
                }
                // A plain request may still name its event id (for retries and dedup).
                draft = new Draft(req.getHeader("ce-id"), null, null, null, null, contentType, body, null);
            }
        } catch (BadInput bad) {
            producing.reject(req, meters, kind(bad), bad.getMessage());
            return;
        }
        if (route.idempotency() == null) {
            producing.submit(req, route, meters, draft);
        } else {
            idempotent.submit(req, route, meters, draft);
        }
    }

    /**
     * Goes on with {@code next} when the check passed, answers the refusal otherwise. Called on this
     * handler's event loop; a check still pending (a Redis call) resumes there too.
     */
    private void admitted(HttpServerRequest req, RouteMeters meters, Future<Admission.Refusal> check, Runnable next) {
        if (check.isComplete()) {
            Admission.Refusal r = check.succeeded() ? check.result()
                    : new Admission.Refusal(Problems.Kind.OVERLOADED, "the request could not be checked; retry shortly", Map.of());
            if (r == null) {
                next.run();
            } else {
                refuse(req, meters, r);
            }
            return;
        }
        check.onComplete(ar -> context.runOnContext(v -> admitted(req, meters, check, next)));
    }

    private void refuse(HttpServerRequest req, RouteMeters meters, Admission.Refusal r) {
        r.headers().forEach(req.response()::putHeader);
        producing.reject(req, meters, r.kind(), r.detail());
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
                HttpServerRequest req = slow.req;
                boolean http1 = req.version() != HttpVersion.HTTP_2;
                if (http1) {
                    req.response().putHeader("connection", "close");
                }
                producing.reject(req, slow.meters, Problems.Kind.REQUEST_TIMEOUT, "the body did not arrive within "
                        + state.config().bodyTimeout().toMillis() + " ms").onComplete(x -> {
                            if (http1) {
                                req.connection().close();
                            } else {
                                req.response().reset();
                            }
                        });
            }
            reading.pollFirst();
        }
        producing.sweep(now);
    }

    public int pendingCount() {
        return producing.pendingCount();
    }

    private void unsupported(HttpServerRequest req, RouteMeters meters, RouteConfig route, String contentType) {
        producing.reject(req, meters, Problems.Kind.UNSUPPORTED_MEDIA_TYPE, "source " + route.source() + " accepts "
                + String.join(", ", route.contentTypes()) + "; got " + (contentType == null ? "no content type" : contentType));
    }

    static Problems.Kind kind(BadInput bad) {
        return bad.reason() == BadInput.Reason.MALFORMED_JSON ? Problems.Kind.MALFORMED_JSON : Problems.Kind.INVALID_CLOUDEVENT;
    }

    static String mediaType(String contentType) {
        if (contentType == null) {
            return null;
        }
        int semi = contentType.indexOf(';');
        return (semi >= 0 ? contentType.substring(0, semi) : contentType).trim().toLowerCase(Locale.ROOT);
    }

    /** What the idempotent and batch paths call back into. */
    private final class Callbacks implements IdempotentSubmit.Host, BatchIngest.Host {
        @Override
        public Pending submit(HttpServerRequest req, RouteConfig route, RouteMeters meters, Draft draft) {
            return producing.submit(req, route, meters, draft);
        }

        @Override
        public Pending submitBatch(HttpServerRequest req, RouteConfig route, RouteMeters meters, List<Parsed> items,
                                   Consumer<Pending> preset) {
            return batches.submit(req, route, meters, items, preset);
        }

        @Override
        public void admitted(HttpServerRequest req, RouteMeters meters, Future<Admission.Refusal> check, Runnable next) {
            IngestHandler.this.admitted(req, meters, check, next);
        }

        @Override
        public Pending pending(HttpServerRequest req, RouteMeters meters, boolean batch, int size) {
            return producing.pending(req, meters, batch, size);
        }

        @Override
        public void produce(Pending p, int i, RouteConfig route, Draft draft, long now, String traceparent) {
            producing.produce(p, i, route, draft, now, traceparent);
        }

        @Override
        public void finishIfResolved(Pending p) {
            producing.finishIfResolved(p);
        }

        @Override
        public void reject(HttpServerRequest req, RouteMeters meters, Problems.Kind kind, String detail) {
            producing.reject(req, meters, kind, detail);
        }

        @Override
        public void closeIfDraining(HttpServerRequest req) {
            producing.closeIfDraining(req);
        }
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
