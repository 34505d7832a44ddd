package dev.sluice.executor.impl.schedule;

import io.vertx.core.Future;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Runs tasks so that tasks with one key run one after another, in submission order, while tasks
 * with different keys run concurrently. A task without a key runs at once. Confined to one event
 * loop: no locks.
 */
public final class KeyOrderedScheduler {

    private final Map<ByteBuffer, ArrayDeque<Supplier<Future<Void>>>> waiting = new HashMap<>();
    private int queued;

    /** Submits a task; it starts now if no task with that key is running, else after them. */
    public void submit(byte[] key, Supplier<Future<Void>> task) {
        if (key == null) {
            runGuarded(task);
            return;
        }
        ByteBuffer k = ByteBuffer.wrap(key);
        ArrayDeque<Supplier<Future<Void>>> queue = waiting.get(k);
        if (queue != null) {
            queue.addLast(task);
            queued++;
            return;
        }
        waiting.put(k, new ArrayDeque<>());
        run(k, task);
    }

    private void run(ByteBuffer key, Supplier<Future<Void>> task) {
        runGuarded(task).onComplete(ar -> {
            ArrayDeque<Supplier<Future<Void>>> queue = waiting.get(key);
            Supplier<Future<Void>> next = queue.pollFirst();
            if (next == null) {
                waiting.remove(key);
            } else {
                queued--;
                run(key, next);
            }
        });
    }

    private static Future<Void> runGuarded(Supplier<Future<Void>> task) {
        try {
            return task.get();
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
    }

    /** Keys with a task running. */
    public int activeKeys() {
        return waiting.size();
    }

    /** Tasks waiting behind a running task of the same key. */
    public int queued() {
        return queued;
    }
}
