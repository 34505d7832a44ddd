package dev.sluice.core.redis;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.internal.ContextInternal;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;

/**
 * Coalesces the Redis commands one event loop issues during a turn into a single pipelined batch:
 * one write, one connection from the pool and one round trip for all of them, instead of one
 * each. The first command of a turn schedules the flush on the same context, so it runs right
 * after the work in progress (a burst of records handed over by the poll thread is one turn).
 * Confined to its event loop.
 *
 * <p>Without it each claim took its own pooled connection: at a few thousand events/s the pool's
 * wait queue overflowed and runs went ahead unclaimed (measured; see docs/benchmarks/history.md).
 */
public final class RedisBatcher {

    /** Past this many commands the batch is sent at once, so one answer never carries too much. */
    static final int MAX_BATCH = 512;

    private final Redis redis;
    private final Context context;
    private List<Request> requests = new ArrayList<>();
    private List<Promise<Response>> waiting = new ArrayList<>();

    private final long windowMicros;

    public RedisBatcher(Redis redis, Context context) {
        this(redis, context, 0);
    }

    /**
     * @param windowMicros how long the first command of a batch waits for others before the batch
     *                     leaves; 0 sends it at the end of the current turn
     */
    public RedisBatcher(Redis redis, Context context, long windowMicros) {
        this.redis = redis;
        this.context = context;
        this.windowMicros = windowMicros;
    }

    /** Queues {@code request} for this turn's batch; the future completes with its own reply (null for nil). */
    public Future<Response> send(Request request) {
        Future<Response> reply = queue(request);
        afterQueued(1);
        return reply;
    }

    /**
     * Queues {@code batch}'s commands, in order, for this turn's batch: a caller's own pipeline
     * shares the round trip of every other command of the turn. The future completes with the
     * replies in the order of {@code batch}, or fails when the round trip failed.
     */
    public Future<List<Response>> sendAll(List<Request> batch) {
        List<Future<Response>> replies = new ArrayList<>(batch.size());
        for (Request request : batch) {
            replies.add(queue(request));
        }
        afterQueued(batch.size());
        return Future.all(replies).map(all -> all.list());
    }

    private Future<Response> queue(Request request) {
        // Bound to the loop's context: a caller's timeout() then schedules on that loop, where a
        // context-less promise would hand every timer to a global thread (a wake-up per command).
        Promise<Response> p = ((ContextInternal) context).promise();
        requests.add(request);
        waiting.add(p);
        return p.future();
    }

    /** Schedules the flush when the {@code added} commands just queued opened the batch; sends a full one at once. */
    private void afterQueued(int added) {
        if (added == 0) {
            return;
        }
        if (requests.size() == added) {
            if (windowMicros <= 0) {
                context.runOnContext(v -> flush());
            } else {
                ((ContextInternal) context)
                        .nettyEventLoop()
                        .schedule(
                                () -> context.runOnContext(v -> flush()),
                                windowMicros,
                                java.util.concurrent.TimeUnit.MICROSECONDS);
            }
        } else if (requests.size() >= MAX_BATCH) {
            flush();
        }
    }

    private void flush() {
        if (requests.isEmpty()) {
            return;
        }
        List<Request> batch = requests;
        List<Promise<Response>> promises = waiting;
        requests = new ArrayList<>();
        waiting = new ArrayList<>();
        if (batch.size() == 1) {
            redis.send(batch.get(0)).onComplete(promises.get(0));
            return;
        }
        redis.batch(batch).onComplete(ar -> {
            if (ar.succeeded()) {
                List<Response> replies = ar.result();
                for (int i = 0; i < promises.size(); i++) {
                    promises.get(i).complete(replies.get(i));
                }
            } else {
                // The client fails the whole batch when any command fails; the commands queued here
                // only fail together (connection lost, pool exhausted), so each gets that cause.
                promises.forEach(p -> p.fail(ar.cause()));
            }
        });
    }
}
