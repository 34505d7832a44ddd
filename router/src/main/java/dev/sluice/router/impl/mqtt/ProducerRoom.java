package dev.sluice.router.impl.mqtt;

import dev.sluice.router.impl.kafka.EventProducer;
import io.vertx.core.Context;
import java.util.ArrayDeque;

/**
 * TCP backpressure from the producer's in-flight bound, for every QoS: a publish that arrives while
 * the shared producer holds its bound of records or bytes ({@code router.inflight.records},
 * {@code router.inflight.bytes}) is held, alone, by its session, which stops reading its socket and
 * waits here for room. What a flood can make the router hold is then the producer's bound plus at
 * most one publish per connection (and the few the socket had decoded before it was paused), not
 * what the devices sent; the rest waits in TCP buffers and, once they are full, on the devices.
 * Sessions go on in arrival order once the producer has room, checked after each task in which a
 * publish of this event loop was answered and on the verticle's sweep (other loops' acks free room
 * too). Event-loop confined.
 */
final class ProducerRoom {

    /** A session holding a publish until the producer has room. */
    interface Waiter {
        /** Called once there is room; the waiter may wait again. */
        void proceed();
    }

    private final Context context;
    private final EventProducer producer;
    private final int maxRecords;
    private final long maxBytes;
    private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();
    private boolean waking;
    private boolean scheduled;

    ProducerRoom(Context context, EventProducer producer, int maxRecords, long maxBytes) {
        this.context = context;
        this.producer = producer;
        this.maxRecords = maxRecords;
        this.maxBytes = maxBytes;
    }

    /**
     * Whether a publish of {@code bytes} payload bytes must wait: the producer is at its bound. A
     * payload larger than the whole byte bound never waits (it would never fit; it is refused).
     */
    boolean full(int bytes) {
        return producer.inFlightRecords() >= maxRecords
                || bytes <= maxBytes && producer.inFlightBytes() + bytes > maxBytes;
    }

    void await(Waiter w) {
        waiting.addLast(w);
    }

    /** A waiting session that ended: it no longer waits for room. */
    void forget(Waiter w) {
        waiting.remove(w);
    }

    int waiting() {
        return waiting.size();
    }

    /**
     * A publish was answered, so the producer may have room: waiting sessions are looked at once the
     * current task is over (never from inside the answer, which runs within the produce stage).
     */
    void wakeSoon() {
        if (!waiting.isEmpty() && !scheduled) {
            scheduled = true;
            context.runOnContext(v -> {
                scheduled = false;
                wake();
            });
        }
    }

    /** Lets waiting sessions go on, in order, while the producer has room. */
    void wake() {
        if (waking) {
            return;
        }
        waking = true;
        try {
            int n = waiting.size();
            while (n-- > 0 && producer.inFlightRecords() < maxRecords) {
                waiting.pollFirst().proceed();
            }
        } finally {
            waking = false;
        }
    }
}
