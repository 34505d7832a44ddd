package dev.sluice.core;

import io.vertx.core.Context;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Hands items from any thread to one event loop, one task per burst rather than per item. A Kafka
 * producer completes a whole produce response's records in one go on its I/O thread; queued here,
 * they cost one context dispatch (and at most one wake-up of the loop) per response instead of per
 * record. The router's acknowledgements and the load generator's direct-mode acks travel this way.
 *
 * @param <T> what is handed over
 */
public final class LoopHandoff<T> {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LoopHandoff.class);

    private final Context context;
    private final Consumer<T> sink;
    private final ConcurrentLinkedQueue<T> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();

    /** {@code sink} runs on {@code context}, once per item, in the order the items were added per thread. */
    public LoopHandoff(Context context, Consumer<T> sink) {
        this.context = context;
        this.sink = sink;
    }

    /** From any thread. */
    public void add(T item) {
        queue.add(item);
        if (!scheduled.get() && scheduled.compareAndSet(false, true)) {
            context.runOnContext(v -> drain());
        }
    }

    private void drain() {
        // Cleared first: an item added after the last poll below schedules a fresh drain.
        scheduled.set(false);
        T item;
        while ((item = queue.poll()) != null) {
            try {
                sink.accept(item);
            } catch (RuntimeException e) {
                // A fault in one item's handling is logged and the burst goes on: thrown out of this
                // loop, it would leave the items behind it queued until some later add() drained them.
                String ref = java.util.UUID.randomUUID().toString();
                LOG.error("handing {} to its event loop failed (reference {})", item, ref, e);
            }
        }
    }
}
