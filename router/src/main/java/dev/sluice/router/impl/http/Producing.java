package dev.sluice.router.impl.http;

import dev.sluice.core.EventRecords;
import dev.sluice.core.IngestedEvent;
import dev.sluice.core.LoopHandoff;
import dev.sluice.core.tracing.TraceHeaders;
import dev.sluice.router.impl.ingest.Draft;
import dev.sluice.router.impl.ingest.EventStamper;
import dev.sluice.router.impl.ingest.Parsed;
import dev.sluice.router.impl.kafka.EventProducer;
import io.opentelemetry.api.trace.Span;
import io.vertx.core.Context;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * The Produce stage, and the hand-off to Answer: stamps each event, hands its record to the shared
 * producer, and answers the submission on this event loop once the broker has acknowledged every
 * event of it, or once the produce timeout has passed (the unacknowledged ones get 503). This
 * class never answers "accepted" for an event that is not in Kafka. It knows no transport: the
 * submission's {@link Answer} does. One instance per event loop; the producer's callbacks reach it
 * through a {@link LoopHandoff}.
 */
final class Producing {

    private final IngestState state;
    private final long produceTimeoutNanos;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private final LoopHandoff<Ack> acks;

    /** The broker's answer for one event of a submission, on its way from the producer's thread to this loop. */
    private record Ack(Pending p, int index, Exception err) {}

    Producing(Context context, IngestState state) {
        this.state = state;
        this.produceTimeoutNanos = state.config().timeouts().produce().toNanos();
        this.acks = new LoopHandoff<>(context, a -> acked(a.p(), a.index(), a.err()));
    }

    /**
     * Produces every item that parsed (a single event is a batch of one); an item that did not
     * parse is refused with its own problem. {@code preset} first resolves the items that must not
     * be produced (duplicates), and may set {@link Pending#onSettled}.
     */
    Pending submit(Submission sub, List<Parsed> items, Consumer<Pending> preset) {
        long now = System.currentTimeMillis();
        Pending p = new Pending(sub, items.size(), System.nanoTime());
        pending.addLast(p);
        preset.accept(p);
        for (int i = 0; i < items.size(); i++) {
            if (p.resolved(i)) {
                continue;
            }
            Parsed item = items.get(i);
            if (item.error() != null) {
                p.resolve(
                        i,
                        Outcome.refused(
                                Problems.kind(item.error()), item.error().getMessage()));
                continue;
            }
            produce(p, i, item.draft(), now);
        }
        answerIfResolved(p);
        return p;
    }

    /** Stamps event {@code i} and hands its record to the producer; one that cannot be stamped or sent is refused at once. */
    private void produce(Pending p, int i, Draft draft, long now) {
        IngestedEvent event;
        IngestTracing tracing = state.tracing();
        Span span = tracing.produce(p.sub);
        String traceparent = p.sub.traceparent();
        String tracestate = p.sub.tracestate();
        if (tracing.on()) {
            TraceHeaders trace = tracing.headers(span, p.sub);
            traceparent = trace.traceparent();
            tracestate = trace.tracestate();
        }
        try {
            event = EventStamper.stamp(p.sub.route(), draft, now, p.sub.headers(), traceparent, tracestate);
        } catch (EventStamper.KeyNotFound e) {
            IngestTracing.refused(span, "bad key");
            p.resolve(i, Outcome.refused(Problems.Kind.BAD_KEY, e.getMessage()));
            return;
        }
        ProducerRecord<byte[], byte[]> record =
                EventRecords.toRecord(p.sub.route().topic(), event);
        p.sub.stamps().forEach((name, value) -> record.headers().add(name, value.getBytes(StandardCharsets.UTF_8)));
        int size = EventProducer.sizeUpperBound(record);
        if (size > state.producer().maxRecordBytes()) {
            IngestTracing.refused(span, "too large");
            p.resolve(
                    i,
                    Outcome.refused(
                            Problems.Kind.TOO_LARGE,
                            "the event's record would be " + size + " bytes, more than the "
                                    + state.producer().maxRecordBytes()
                                    + " Kafka accepts here; send a smaller body or fewer attributes"));
            return;
        }
        p.sent(i, event.id(), event.deadlineMillis(), event.payload().length);
        String id = event.id();
        EventProducer.Callback done = span.isRecording()
                ? (md, err) -> {
                    IngestTracing.acked(span, id, md, err);
                    acks.add(new Ack(p, i, err));
                }
                : (md, err) -> acks.add(new Ack(p, i, err));
        EventProducer.Refusal refusal = state.producer().trySend(record, done);
        if (refusal != null) {
            IngestTracing.refused(span, "overloaded");
            p.landed(i, false);
            p.resolve(
                    i,
                    Outcome.refused(
                            Problems.Kind.OVERLOADED,
                            "too many " + (refusal == EventProducer.Refusal.RECORDS ? "events" : "bytes")
                                    + " in flight; retry shortly"));
        }
    }

    private void answerIfResolved(Pending p) {
        if (p.allResolved()) {
            p.answer();
        }
    }

    private void acked(Pending p, int index, Exception err) {
        // The producer's own timeout leaves the record's fate unknown: a batch sent and not acknowledged may be stored.
        p.landed(index, err == null ? Boolean.TRUE : err instanceof TimeoutException ? null : Boolean.FALSE);
        if (!p.answered() && !p.resolved(index)) {
            if (err == null) {
                p.accept(index);
            } else {
                p.resolve(index, refusal(err));
            }
            answerIfResolved(p);
        }
        p.settleIfDone();
    }

    /**
     * What the producer's error means for the sender and for this router. A record too large is the
     * sender's 413; only an error that says the cluster is unwell (Kafka's retriable errors, such as
     * a timeout or too few in-sync replicas) marks the broker suspect. Nothing a client sends can
     * take the router out of readiness.
     */
    private Outcome refusal(Exception err) {
        if (err instanceof RecordTooLargeException) {
            return Outcome.refused(
                    Problems.Kind.TOO_LARGE, "Kafka refused the event as too large; send a smaller body");
        }
        if (err instanceof TimeoutException) {
            state.health().suspect("produce timed out: " + err.getMessage());
            return Outcome.refused(
                    Problems.Kind.PRODUCE_TIMEOUT,
                    "Kafka did not acknowledge the event in time; it may or may not"
                            + " have been stored; retry with the same event id or Idempotency-Key");
        }
        if (err instanceof RetriableException) {
            state.health().suspect("produce failed: " + err.getClass().getSimpleName());
        }
        return Outcome.refused(
                Problems.Kind.PRODUCE_FAILED,
                "the event was not accepted (" + err.getClass().getSimpleName() + "); retry later");
    }

    /**
     * Answers every submission whose acks are overdue: the events still unacknowledged get 503
     * {@code produce-timeout}. Runs on this event loop.
     */
    void sweep(long now) {
        Pending head;
        while ((head = pending.peekFirst()) != null) {
            if (!head.answered()) {
                if (now - head.startNanos < produceTimeoutNanos) {
                    break;
                }
                state.health()
                        .suspect("produce not acknowledged within "
                                + state.config().timeouts().produce().toMillis() + " ms");
                Outcome timedOut = Outcome.refused(
                        Problems.Kind.PRODUCE_TIMEOUT,
                        "no acknowledgement from Kafka within "
                                + state.config().timeouts().produce().toMillis()
                                + " ms; the event may or may not have been stored;"
                                + " retry with the same event id");
                for (int i = 0; i < head.size(); i++) {
                    head.resolve(i, timedOut);
                }
                head.answer();
            }
            pending.pollFirst();
        }
    }

    int pendingCount() {
        return pending.size();
    }
}
