package dev.sluice.router.impl.http;

import dev.sluice.core.EventRecords;
import dev.sluice.core.IngestedEvent;
import dev.sluice.core.LoopHandoff;
import dev.sluice.core.RouteConfig;
import dev.sluice.router.impl.RouterMetrics.RouteMeters;
import dev.sluice.router.impl.ingest.Draft;
import dev.sluice.router.impl.ingest.EventStamper;
import dev.sluice.router.impl.ingest.Parsed;
import dev.sluice.router.impl.kafka.EventProducer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import java.util.ArrayDeque;
import java.util.List;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;

/**
 * The durable half of the ingest endpoints: stamps each event, hands its record to the shared
 * producer, and answers the request on this event loop once the broker has acknowledged every
 * event of it, or once the produce timeout has passed (the unacknowledged ones get 503). The
 * handlers in front of it route, check and parse; this class never answers 202 for an event that
 * is not in Kafka. One instance per ingest verticle, confined to its event loop: the producer's
 * callbacks reach it through a {@link LoopHandoff}.
 */
final class Producing {

    private final IngestState state;
    private final long retryAfterSeconds;
    private final long produceTimeoutNanos;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private final LoopHandoff<Ack> acks;

    /** The broker's answer for one event of a request, on its way from the producer's thread to this loop. */
    private record Ack(Pending p, int index, Exception err) {
    }

    Producing(Context context, IngestState state) {
        this.state = state;
        this.retryAfterSeconds = Math.max(1, state.config().retryAfter().toSeconds());
        this.produceTimeoutNanos = state.config().produceTimeout().toNanos();
        this.acks = new LoopHandoff<>(context, a -> acked(a.p(), a.index(), a.err()));
    }

    /**
     * Produces every item of a request that parsed (a single event is a batch of one); an item that
     * did not parse is refused with its own problem. {@code preset} first resolves the items that
     * must not be produced (duplicates), and may set {@link Pending#onSettled}. The request is
     * answered once the broker acknowledged every produced item, or once the produce timeout passed.
     */
    Pending submit(HttpServerRequest req, RouteConfig route, RouteMeters meters, List<Parsed> items, boolean batch,
                   Consumer<Pending> preset) {
        long now = System.currentTimeMillis();
        String traceparent = EventStamper.traceparent(req.getHeader("traceparent"));
        Pending p = new Pending(req, meters, batch, items.size(), System.nanoTime());
        pending.addLast(p);
        preset.accept(p);
        for (int i = 0; i < items.size(); i++) {
            if (p.resolved[i]) {
                continue;
            }
            Parsed item = items.get(i);
            if (item.error() != null) {
                p.reject(i, IngestHandler.kind(item.error()), item.error().getMessage());
                continue;
            }
            produce(p, i, route, item.draft(), now, traceparent);
        }
        finishIfResolved(p);
        return p;
    }

    /**
     * Stamps event {@code i} of {@code p} and hands its record to the producer; the ack resolves it
     * later. An event that cannot be stamped or sent is resolved (rejected) at once.
     */
    private void produce(Pending p, int i, RouteConfig route, Draft draft, long now, String traceparent) {
        IngestedEvent event;
        try {
            event = EventStamper.stamp(route, draft, now, p.req::getHeader, traceparent);
        } catch (EventStamper.KeyNotFound e) {
            p.reject(i, Problems.Kind.BAD_KEY, e.getMessage());
            return;
        }
        p.ids[i] = event.id();
        p.deadlines[i] = event.deadlineMillis();
        p.bytes[i] = event.payload().length;
        ProducerRecord<byte[], byte[]> record = EventRecords.toRecord(route.topic(), event);
        int size = EventProducer.sizeUpperBound(record);
        if (size > state.producer().maxRecordBytes()) {
            p.reject(i, Problems.Kind.TOO_LARGE, "the event's record would be " + size + " bytes, more than the "
                    + state.producer().maxRecordBytes() + " Kafka accepts here; send a smaller body or fewer attributes");
            return;
        }
        p.sent(i);
        EventProducer.Refusal refusal = state.producer().trySend(record, (md, err) -> acks.add(new Ack(p, i, err)));
        if (refusal != null) {
            p.landed(i, false);
            p.reject(i, Problems.Kind.OVERLOADED,
                    "too many " + (refusal == EventProducer.Refusal.RECORDS ? "events" : "bytes") + " in flight; retry shortly");
        }
    }

    void finishIfResolved(Pending p) {
        if (p.outstanding == 0) {
            finish(p);
        }
    }

    private void acked(Pending p, int index, Exception err) {
        p.landed(index, err == null);
        if (!p.done && !p.resolved[index]) {
            if (err == null) {
                p.accept(index);
            } else {
                refused(p, index, err);
            }
            finishIfResolved(p);
        }
        p.settleIfDone();
    }

    /**
     * What the producer's error means for the sender and for this router. A record too large is the
     * sender's 413; only an error that says the cluster is unwell (Kafka's retriable errors, such as
     * a timeout or too few in-sync replicas) marks the broker suspect. Nothing a client sends can
     * take the router out of readiness.
     */
    private void refused(Pending p, int index, Exception err) {
        if (err instanceof RecordTooLargeException) {
            p.reject(index, Problems.Kind.TOO_LARGE, "Kafka refused the event as too large; send a smaller body");
            return;
        }
        if (err instanceof RetriableException) {
            state.health().suspect("produce failed: " + err.getClass().getSimpleName());
        }
        p.reject(index, Problems.Kind.PRODUCE_FAILED, "the event was not accepted (" + err.getClass().getSimpleName() + "); retry later");
    }

    /**
     * Answers every request whose acks are overdue: the events still unacknowledged get 503
     * {@code produce_timeout}. Runs on this event loop.
     */
    void sweep(long now) {
        Pending head;
        while ((head = pending.peekFirst()) != null) {
            if (!head.done) {
                if (now - head.startNanos < produceTimeoutNanos) {
                    break;
                }
                state.health().suspect("produce not acknowledged within " + state.config().produceTimeout().toMillis() + " ms");
                for (int i = 0; i < head.resolved.length; i++) {
                    if (!head.resolved[i]) {
                        head.reject(i, Problems.Kind.PRODUCE_TIMEOUT, "no acknowledgement from Kafka within "
                                + state.config().produceTimeout().toMillis()
                                + " ms; the event may or may not have been stored; retry with the same event id");
                    }
                }
                finish(head);
            }
            pending.pollFirst();
        }
    }

    private void finish(Pending p) {
        if (!p.done) {
            closeIfDraining(p.req);
            p.respond(retryAfterSeconds);
            p.settleIfDone();
        }
    }

    /** While draining, an HTTP/1.x client is told not to reuse the connection, so none is cut off mid-request. */
    void closeIfDraining(HttpServerRequest req) {
        if (state.draining().get() && req.version() != HttpVersion.HTTP_2) {
            req.response().putHeader("connection", "close");
        }
    }

    int pendingCount() {
        return pending.size();
    }


    Future<Void> reject(HttpServerRequest req, RouteMeters meters, Problems.Kind kind, String detail) {
        meters.rejected(kind);
        if (req.response().ended() || req.response().closed()) {
            return Future.succeededFuture();
        }
        closeIfDraining(req);
        return Problems.send(req.response(), kind, detail, req.path(), retryAfterSeconds);
    }
}
