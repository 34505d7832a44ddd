package dev.sluice.router.impl.http;

import dev.sluice.core.EventIds;
import dev.sluice.core.EventRecords;
import dev.sluice.core.IngestedEvent;
import dev.sluice.core.PartitionKey;
import dev.sluice.core.RouteConfig;
import dev.sluice.router.impl.RouterMetrics.Outcome;
import dev.sluice.router.impl.RouterMetrics.RouteMeters;
import dev.sluice.router.impl.kafka.EventProducer;
import dev.sluice.router.impl.kafka.TopicReadiness;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.Json;
import io.vertx.core.json.pointer.JsonPointer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * {@code POST /v1/events/{source}}: the raw body becomes one Kafka record, and the answer is 202
 * only after the broker acknowledged it. One instance per ingest verticle; everything here runs
 * on that verticle's event loop, except the Kafka callback, which hops back onto it.
 */
public final class IngestHandler implements Handler<HttpServerRequest> {

    static final String PREFIX = "/v1/events/";

    private final Context context;
    private final IngestState state;
    private final long retryAfterSeconds;
    private final long produceTimeoutNanos;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();

    public IngestHandler(Context context, IngestState state) {
        this.context = context;
        this.state = state;
        this.retryAfterSeconds = Math.max(1, state.config().retryAfter().toSeconds());
        this.produceTimeoutNanos = state.config().produceTimeout().toNanos();
    }

    @Override
    public void handle(HttpServerRequest req) {
        String path = req.path();
        if (!path.startsWith(PREFIX)) {
            reject(req, state.metrics().route(dev.sluice.router.impl.RouterMetrics.NO_ROUTE), Outcome.UNKNOWN_SOURCE,
                    Problems.Kind.NOT_FOUND, "no endpoint at " + path);
            return;
        }
        String source = path.substring(PREFIX.length());
        RouteConfig route = source.indexOf('/') < 0 ? state.routes().get(source) : null;
        if (route == null) {
            reject(req, state.metrics().route(dev.sluice.router.impl.RouterMetrics.NO_ROUTE), Outcome.UNKNOWN_SOURCE,
                    Problems.Kind.UNKNOWN_SOURCE, "no source named '" + source + "' is configured");
            return;
        }
        RouteMeters meters = state.metrics().route(route.source());
        if (req.method() != HttpMethod.POST) {
            req.response().putHeader("allow", "POST");
            reject(req, meters, Outcome.METHOD_NOT_ALLOWED, Problems.Kind.METHOD_NOT_ALLOWED,
                    req.method() + " is not allowed here; use POST");
            return;
        }
        if (state.draining().get()) {
            reject(req, meters, Outcome.DRAINING, Problems.Kind.DRAINING, "this router is draining; retry on another");
            return;
        }
        if (!state.health().reachable()) {
            reject(req, meters, Outcome.UNAVAILABLE, Problems.Kind.BROKER_UNAVAILABLE, "the event was not accepted; retry later");
            return;
        }
        if (state.topics().state(route.topic()) != TopicReadiness.State.READY) {
            reject(req, meters, Outcome.UNAVAILABLE, Problems.Kind.TOPIC_UNAVAILABLE,
                    "topic " + route.topic() + " is " + state.topics().state(route.topic()).name().toLowerCase(java.util.Locale.ROOT));
            return;
        }
        long declared = contentLength(req);
        if (declared > route.maxBodyBytes()) {
            tooLarge(req, meters, route);
            return;
        }
        Buffer body = Buffer.buffer(declared > 0 ? (int) declared : 256);
        boolean[] rejected = {false};
        req.handler(chunk -> {
            if (rejected[0]) {
                return;
            }
            if (body.length() + chunk.length() > route.maxBodyBytes()) {
                rejected[0] = true;
                tooLarge(req, meters, route);
                return;
            }
            body.appendBuffer(chunk);
        });
        req.endHandler(v -> {
            if (!rejected[0]) {
                produce(req, route, meters, body);
            }
        });
    }

    private void produce(HttpServerRequest req, RouteConfig route, RouteMeters meters, Buffer body) {
        long now = System.currentTimeMillis();
        long deadline = now + route.ttl().toMillis();
        String ceId = req.getHeader("ce-id");
        String id = ceId != null ? ceId : EventIds.nextString(now);
        String subject = req.getHeader("ce-subject");
        byte[] payload = body.getBytes();
        byte[] key;
        try {
            key = key(route.key(), req, id, subject, body);
        } catch (IllegalArgumentException e) {
            reject(req, meters, Outcome.BAD_REQUEST, Problems.Kind.BAD_KEY, e.getMessage());
            return;
        }
        String ceSource = req.getHeader("ce-source");
        String ceType = req.getHeader("ce-type");
        IngestedEvent event = new IngestedEvent(id, ceSource != null ? ceSource : "/sources/" + route.source(),
                ceType != null ? ceType : route.eventType(), subject, req.getHeader("ce-time"), req.getHeader("content-type"),
                req.getHeader("traceparent"), route.tenant(), route.source(), now, deadline, key, payload, null);
        ProducerRecord<byte[], byte[]> record = EventRecords.toRecord(route.topic(), event);
        Pending p = new Pending(req, meters, id, deadline, payload.length, System.nanoTime());
        EventProducer.Refusal refusal = state.producer().trySend(record, (md, err) -> context.runOnContext(x -> acked(p, md, err)));
        if (refusal != null) {
            reject(req, meters, Outcome.OVERLOADED, Problems.Kind.OVERLOADED,
                    "too many " + (refusal == EventProducer.Refusal.RECORDS ? "events" : "bytes") + " in flight; retry shortly");
            return;
        }
        pending.addLast(p);
    }

    private void acked(Pending p, RecordMetadata md, Exception err) {
        if (p.done) {
            return;
        }
        p.done = true;
        if (err != null) {
            state.health().suspect("produce failed: " + err.getClass().getSimpleName());
            reject(p.req, p.meters, Outcome.FAILED, Problems.Kind.PRODUCE_FAILED,
                    "the event was not accepted (" + err.getClass().getSimpleName() + "); retry later");
            return;
        }
        p.meters.accepted(p.bytes, System.nanoTime() - p.startNanos);
        String json = "{\"id\":" + Json.encode(p.id) + ",\"deadline\":\"" + Instant.ofEpochMilli(p.deadline) + "\"}";
        p.req.response().setStatusCode(202).putHeader("content-type", "application/json").end(json);
    }

    /** Answers 503 for every request whose ack is overdue. Runs on this handler's event loop. */
    public void sweep() {
        long now = System.nanoTime();
        Pending head;
        while ((head = pending.peekFirst()) != null) {
            if (!head.done) {
                if (now - head.startNanos < produceTimeoutNanos) {
                    break;
                }
                head.done = true;
                state.health().suspect("produce not acknowledged within " + state.config().produceTimeout().toMillis() + " ms");
                reject(head.req, head.meters, Outcome.TIMEOUT, Problems.Kind.PRODUCE_TIMEOUT,
                        "no acknowledgement from Kafka within " + state.config().produceTimeout().toMillis()
                                + " ms; the event may or may not have been stored; retry with the same Idempotency-Key");
            }
            pending.pollFirst();
        }
    }

    public int pendingCount() {
        return pending.size();
    }

    private void tooLarge(HttpServerRequest req, RouteMeters meters, RouteConfig route) {
        if (req.version() != HttpVersion.HTTP_2) {
            // The rest of the body is never read, so this connection cannot carry another request.
            req.response().putHeader("connection", "close");
        }
        reject(req, meters, Outcome.TOO_LARGE, Problems.Kind.TOO_LARGE,
                "the body exceeds the source's limit of " + route.maxBodyBytes() + " bytes")
                .onComplete(x -> {
                    if (req.version() != HttpVersion.HTTP_2) {
                        req.connection().close();
                    }
                });
    }

    private Future<Void> reject(HttpServerRequest req, RouteMeters meters, Outcome outcome, Problems.Kind kind, String detail) {
        meters.count(outcome);
        if (req.response().ended() || req.response().closed()) {
            return Future.succeededFuture();
        }
        return Problems.send(req.response(), kind, detail, req.path(), retryAfterSeconds);
    }

    private static long contentLength(HttpServerRequest req) {
        String cl = req.getHeader("content-length");
        if (cl == null) {
            return -1;
        }
        try {
            return Long.parseLong(cl.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static byte[] key(PartitionKey spec, HttpServerRequest req, String id, String subject, Buffer body) {
        if (spec instanceof PartitionKey.EventId) {
            return id.getBytes(StandardCharsets.UTF_8);
        }
        if (spec instanceof PartitionKey.Header h) {
            String v = req.getHeader(h.name());
            if (v == null) {
                throw new IllegalArgumentException("the source is keyed by header " + h.name() + ", which the request lacks");
            }
            return v.getBytes(StandardCharsets.UTF_8);
        }
        if (spec instanceof PartitionKey.Subject) {
            if (subject == null) {
                throw new IllegalArgumentException("the source is keyed by the CloudEvents subject (ce-subject), which the request lacks");
            }
            return subject.getBytes(StandardCharsets.UTF_8);
        }
        PartitionKey.Pointer p = (PartitionKey.Pointer) spec;
        Object value;
        try {
            value = JsonPointer.from(p.pointer()).queryJson(Json.decodeValue(body));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("the source is keyed by JSON pointer " + p.pointer() + ", but the body is not JSON");
        }
        if (value == null || value instanceof io.vertx.core.json.JsonObject || value instanceof io.vertx.core.json.JsonArray) {
            throw new IllegalArgumentException("JSON pointer " + p.pointer() + " does not resolve to a scalar in the body");
        }
        return String.valueOf(value).getBytes(StandardCharsets.UTF_8);
    }

    /** A request waiting for its ack. */
    private static final class Pending {
        final HttpServerRequest req;
        final RouteMeters meters;
        final String id;
        final long deadline;
        final int bytes;
        final long startNanos;
        boolean done;

        Pending(HttpServerRequest req, RouteMeters meters, String id, long deadline, int bytes, long startNanos) {
            this.req = req;
            this.meters = meters;
            this.id = id;
            this.deadline = deadline;
            this.bytes = bytes;
            this.startNanos = startNanos;
        }
    }
}
