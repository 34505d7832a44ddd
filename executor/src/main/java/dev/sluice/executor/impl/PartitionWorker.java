package dev.sluice.executor.impl;

import dev.sluice.executor.impl.kafka.OffsetTracker;
import dev.sluice.executor.impl.schedule.KeyOrderedScheduler;
import dev.sluice.executor.impl.workflow.EventRunner;
import io.vertx.core.Context;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The executor's side of one assigned partition, confined to one event loop: key-ordered
 * scheduling and the committable offset. The poll thread hands it records and reads
 * {@link #inFlight()} and {@link #committable()}; everything else stays on the event loop.
 */
public final class PartitionWorker {

    private final TopicPartition partition;
    private final Context context;
    private final EventRunner runner;
    private final AtomicInteger processInFlight;
    private final OffsetTracker offsets = new OffsetTracker();
    private final KeyOrderedScheduler scheduler = new KeyOrderedScheduler();
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile long committable = -1;

    public PartitionWorker(TopicPartition partition, Context context, EventRunner runner, AtomicInteger processInFlight) {
        this.partition = partition;
        this.context = context;
        this.runner = runner;
        this.processInFlight = processInFlight;
    }

    /** Called on the poll thread: counts the records in flight at once, then hands them to the event loop. */
    public void dispatch(List<ConsumerRecord<byte[], byte[]>> records) {
        long polledAt = System.nanoTime();
        inFlight.addAndGet(records.size());
        processInFlight.addAndGet(records.size());
        context.runOnContext(v -> {
            for (ConsumerRecord<byte[], byte[]> r : records) {
                long offset = r.offset();
                offsets.started(offset);
                scheduler.submit(r.key(), () -> runner.run(r, polledAt).onComplete(ar -> finished(offset)));
            }
        });
    }

    private void finished(long offset) {
        offsets.finished(offset);
        committable = offsets.committable();
        inFlight.decrementAndGet();
        processInFlight.decrementAndGet();
    }

    public TopicPartition partition() {
        return partition;
    }

    /** Records dispatched and not yet finished. Any thread. */
    public int inFlight() {
        return inFlight.get();
    }

    /** The offset to commit, or -1. Any thread. */
    public long committable() {
        return committable;
    }
}
