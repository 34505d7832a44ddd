package dev.sluice.executor.impl.guard;

import java.util.ArrayDeque;
import java.util.Optional;

/**
 * The concurrency budget of one target: at most {@code limit} calls in flight; a call over it
 * waits, first come first served, in a queue of at most {@code queueLimit}; a call that finds the
 * queue full is refused. Releasing a permit hands it to the oldest waiter, if any.
 *
 * <p>Not thread-safe: its owner ({@link TargetGuard}) holds the lock.
 *
 * @param <W> a waiter
 */
final class TargetBudget<W> {

    private final int limit;
    private final int queueLimit;
    private final ArrayDeque<W> waiting = new ArrayDeque<>();
    private int inFlight;

    TargetBudget(int limit, int queueLimit) {
        if (limit < 1 || queueLimit < 0) {
            throw new IllegalArgumentException(
                    "limit " + limit + " must be at least 1 and queue " + queueLimit + " not negative");
        }
        this.limit = limit;
        this.queueLimit = queueLimit;
    }

    /** Takes a permit if one is free (and nobody waits for one). */
    boolean tryAcquire() {
        if (inFlight < limit && waiting.isEmpty()) {
            inFlight++;
            return true;
        }
        return false;
    }

    /** Queues a waiter for the next free permit; false when the queue is full. */
    boolean enqueue(W waiter) {
        if (waiting.size() >= queueLimit) {
            return false;
        }
        waiting.addLast(waiter);
        return true;
    }

    /** Takes a waiter out of the queue (its deadline came); false when it was already handed a permit. */
    boolean cancel(W waiter) {
        return waiting.remove(waiter);
    }

    /** Gives a permit back: to the oldest waiter (returned, now holding it), or to the pool. */
    Optional<W> release() {
        W next = waiting.pollFirst();
        if (next == null) {
            if (inFlight == 0) {
                throw new IllegalStateException("a permit released twice");
            }
            inFlight--;
        }
        return Optional.ofNullable(next);
    }

    int inFlight() {
        return inFlight;
    }

    int waiting() {
        return waiting.size();
    }

    int limit() {
        return limit;
    }
}
