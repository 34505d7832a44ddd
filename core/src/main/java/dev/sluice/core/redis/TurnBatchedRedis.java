package dev.sluice.core.redis;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A Redis client whose single commands, when sent from an event loop, travel in that loop's
 * per-turn pipelined batch ({@link RedisBatcher}); from any other thread they go as they are.
 * Code written against {@link Redis} or {@code RedisAPI} gets the batching without knowing it:
 * the router's duplicate claims and replay checks, the executor's run claims.
 *
 * <p>A batch fails as a whole when one of its commands gets an error reply, so only commands that
 * do not fail one by one belong here: plain keys and {@code EVAL} of Sluice's own scripts (never
 * {@code EVALSHA}, whose {@code NOSCRIPT} after a Redis restart would fail its neighbours).
 */
public final class TurnBatchedRedis implements Redis {

    private final Redis delegate;
    private final Function<Context, Redis> perLoop;
    private final long windowMicros;
    private final Map<Context, Redis> loopClients = new ConcurrentHashMap<>();
    private final Map<Context, RedisBatcher> batchers = new ConcurrentHashMap<>();

    /** Every loop's batches go through {@code delegate}. */
    public TurnBatchedRedis(Redis delegate) {
        this(delegate, c -> delegate, java.time.Duration.ZERO);
    }

    /**
     * Each event loop's batches go through its own client from {@code perLoop}, so the pooled
     * connections they use were opened on that loop and stay there: a connection shared across
     * loops hands every write and every reply from one thread to the other. A batch leaves
     * {@code window} after its first command (at the end of the turn when zero): on a busy loop a
     * millisecond gathers several turns' commands into one round trip.
     */
    public TurnBatchedRedis(Redis delegate, Function<Context, Redis> perLoop, java.time.Duration window) {
        this.delegate = delegate;
        this.perLoop = perLoop;
        this.windowMicros = window.toNanos() / 1000;
    }

    @Override
    public Future<Response> send(Request request) {
        return loopBatcher().map(b -> b.send(request)).orElseGet(() -> delegate.send(request));
    }

    /**
     * From an event loop, a caller's pipeline joins the loop's batch like single commands do (the
     * router's duplicate claims are one such pipeline per request: without this, each request took a
     * round trip and a pooled connection of its own).
     */
    @Override
    public Future<List<Response>> batch(List<Request> requests) {
        return loopBatcher().map(b -> b.sendAll(requests)).orElseGet(() -> delegate.batch(requests));
    }

    /** The current event loop's batcher; empty off an event loop. */
    private Optional<RedisBatcher> loopBatcher() {
        Context current = Vertx.currentContext();
        if (current == null || !current.isEventLoopContext()) {
            return Optional.empty();
        }
        // An HTTP request runs on its own duplicate of the loop's context; batch by the loop's own.
        Context context = ((ContextInternal) current).unwrap();
        return Optional.of(batchers.computeIfAbsent(
                context, c -> new RedisBatcher(loopClients.computeIfAbsent(c, perLoop), c, windowMicros)));
    }

    @Override
    public Future<RedisConnection> connect() {
        return delegate.connect();
    }

    @Override
    public Future<Void> close() {
        List<Future<Void>> all = new java.util.ArrayList<>();
        loopClients.values().stream().filter(r -> r != delegate).distinct().forEach(r -> all.add(r.close()));
        all.add(delegate.close());
        return Future.join(all).mapEmpty();
    }
}
