package dev.sluice.executor.impl;

import dev.sluice.executor.impl.guard.TargetGuard;
import dev.sluice.executor.impl.kafka.OffsetTracker;
import dev.sluice.executor.impl.schedule.KeyOrderedScheduler;
import dev.sluice.executor.impl.workflow.EventRunner;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The executor's side of one assigned partition, confined to one event loop: key-ordered
 * scheduling and the committable offset. The poll thread hands it records and reads
 * {@link #inFlight()} and {@link #committable()}; everything else stays on the event loop.
 *
 * <p>A record stops counting as in flight once its runs are decided (the next record of its key
 * may start), and its offset becomes committable only once its run-log rows are durable or their
 * loss counted: a crash before that replays the record instead of losing its record.
 */
public final class PartitionWorker {

    private static final Logger LOG = LoggerFactory.getLogger(PartitionWorker.class);

    private final TopicPartition partition;
    private final Context context;
    private final EventRunner runner;
    private final AtomicInteger processInFlight;
    private final OffsetTracker offsets = new OffsetTracker();
    private final KeyOrderedScheduler scheduler = new KeyOrderedScheduler();
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Records (and held spans) whose offsets are not yet committable. */
    private final AtomicInteger unrecorded = new AtomicInteger();

    private volatile long committable = -1;

    public PartitionWorker(
            TopicPartition partition, Context context, EventRunner runner, AtomicInteger processInFlight) {
        this.partition = partition;
        this.context = context;
        this.runner = runner;
        this.processInFlight = processInFlight;
    }

    /** Called on the poll thread: counts the records in flight at once, then hands them to the event loop. */
    public void dispatch(List<ConsumerRecord<byte[], byte[]>> records) {
        long polledAt = System.nanoTime();
        inFlight.addAndGet(records.size());
        unrecorded.addAndGet(records.size());
        processInFlight.addAndGet(records.size());
        context.runOnContext(v -> {
            for (ConsumerRecord<byte[], byte[]> r : records) {
                long offset = r.offset();
                offsets.started(offset);
                scheduler.submit(r.key(), () -> run(r, polledAt));
            }
        });
    }

    private Future<Void> run(ConsumerRecord<byte[], byte[]> r, long polledAt) {
        EventRunner.Progress p;
        Slot slot = new Slot();
        try {
            p = runner.run(r, polledAt, slot);
        } catch (RuntimeException e) {
            LOG.error(
                    "{}: the runner failed on offset {}; the offset is not committed past it",
                    partition,
                    r.offset(),
                    e);
            slot.decided();
            return Future.failedFuture(e);
        }
        p.decided().onComplete(ar -> slot.decided());
        p.recorded().onComplete(ar -> {
            if (ar.succeeded()) {
                onLoop(() -> recorded(r.offset()));
            } else {
                LOG.error(
                        "{}: offset {} has no durable record; it is not committed past it",
                        partition,
                        r.offset(),
                        ar.cause());
            }
        });
        return p.decided();
    }

    /**
     * Holds the committable offset below {@code lastOffset} + 1 until {@code written}: a skipped
     * span's summary and run-log row. Any thread; call before the records after the span are dispatched.
     */
    public void hold(long lastOffset, Future<Void> written) {
        unrecorded.incrementAndGet();
        context.runOnContext(v -> {
            offsets.started(lastOffset);
            written.onComplete(ar -> onLoop(() -> recorded(lastOffset)));
        });
    }

    private void onLoop(Runnable task) {
        if (Vertx.currentContext() == context) {
            task.run();
        } else {
            context.runOnContext(v -> task.run());
        }
    }

    /**
     * A record's in-flight slot, given up while every call of it that is still going waits for a
     * target's budget: a target over its budget then holds no more of the partition's slots than
     * its calls in flight, and the records of other targets behind it are polled and run. The
     * waiting records stay in memory (bounded by each target's queue) and their offsets
     * uncommitted. Event-loop confined.
     */
    private final class Slot implements TargetGuard.Queueing {
        private int waiting;
        private boolean released;

        @Override
        public void waiting() {
            if (waiting++ == 0 && !released) {
                give(-1);
            }
        }

        @Override
        public void done() {
            if (--waiting == 0 && !released) {
                give(1);
            }
        }

        void decided() {
            if (released) {
                return;
            }
            released = true;
            if (waiting == 0) {
                give(-1);
            }
        }

        private void give(int delta) {
            inFlight.addAndGet(delta);
            processInFlight.addAndGet(delta);
        }
    }

    private void recorded(long offset) {
        unrecorded.decrementAndGet();
        offsets.finished(offset);
        committable = offsets.committable();
    }

    public TopicPartition partition() {
        return partition;
    }

    /** Records dispatched and not yet decided. Any thread. */
    public int inFlight() {
        return inFlight.get();
    }

    /** Records (and held spans) whose offsets are not committable yet. Any thread. */
    public int unrecorded() {
        return unrecorded.get();
    }

    /** The offset to commit, or -1. Any thread. */
    public long committable() {
        return committable;
    }
}
