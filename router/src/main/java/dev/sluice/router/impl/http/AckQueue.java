package dev.sluice.router.impl.http;

import io.vertx.core.Context;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Carries the broker's acknowledgements from the Kafka producer's I/O thread to one ingest event
 * loop. The producer completes a whole produce response's records in one go; instead of one
 * event-loop task per record, they queue here and one task drains them all, so the cost of a
 * hand-off (a context dispatch, at times a wake-up of the loop) is paid per produce response rather
 * than per event.
 */
final class AckQueue {

    /** What runs on the event loop for each acknowledgement. */
    interface Sink {
        void acked(Pending p, int index, Exception err);
    }

    private record Ack(Pending p, int index, Exception err) {
    }

    private final Context context;
    private final Sink sink;
    private final ConcurrentLinkedQueue<Ack> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();

    AckQueue(Context context, Sink sink) {
        this.context = context;
        this.sink = sink;
    }

    /** From any thread. */
    void add(Pending p, int index, Exception err) {
        queue.add(new Ack(p, index, err));
        if (!scheduled.get() && scheduled.compareAndSet(false, true)) {
            context.runOnContext(v -> drain());
        }
    }

    private void drain() {
        // Cleared first: an ack added after the last poll below schedules a fresh drain.
        scheduled.set(false);
        Ack a;
        while ((a = queue.poll()) != null) {
            sink.acked(a.p, a.index, a.err);
        }
    }
}
