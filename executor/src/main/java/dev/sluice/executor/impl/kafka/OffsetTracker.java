package dev.sluice.executor.impl.kafka;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;

/**
 * The committable position of one partition: the offset after the longest finished prefix.
 * Records finish out of order (different keys run concurrently); an offset is committed only when
 * every earlier record of the partition has finished, so a restart replays at most the in-flight
 * window. Confined to one thread.
 */
public final class OffsetTracker {

    private final ArrayDeque<Long> started = new ArrayDeque<>();
    private final Set<Long> finishedOutOfOrder = new HashSet<>();
    private long committable = -1;

    /** Records that an offset was taken on; offsets must arrive in increasing order. */
    public void started(long offset) {
        started.addLast(offset);
    }

    /** Records that an offset finished (executed, expired or dead-lettered). */
    public void finished(long offset) {
        Long head = started.peekFirst();
        if (head != null && head == offset) {
            started.pollFirst();
            committable = offset + 1;
            while ((head = started.peekFirst()) != null && finishedOutOfOrder.remove(head)) {
                started.pollFirst();
                committable = head + 1;
            }
        } else {
            finishedOutOfOrder.add(offset);
        }
    }

    /** The offset to commit (the next one to read), or -1 when nothing has finished yet. */
    public long committable() {
        return committable;
    }

    public int pending() {
        return started.size();
    }
}
