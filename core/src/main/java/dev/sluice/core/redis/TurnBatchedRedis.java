package dev.sluice.core.redis;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

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
    private final Map<Context, RedisBatcher> batchers = new ConcurrentHashMap<>();

    public TurnBatchedRedis(Redis delegate) {
        this.delegate = delegate;
    }

    @Override
    public Future<Response> send(Request request) {
        Context context = Vertx.currentContext();
        if (context == null || !context.isEventLoopContext()) {
            return delegate.send(request);
        }
        return batchers.computeIfAbsent(context, c -> new RedisBatcher(delegate, c)).send(request);
    }

    @Override
    public Future<List<Response>> batch(List<Request> requests) {
        return delegate.batch(requests);
    }

    @Override
    public Future<RedisConnection> connect() {
        return delegate.connect();
    }

    @Override
    public Future<Void> close() {
        return delegate.close();
    }
}
