package dev.sluice.router.impl.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.testkit.Redis;
import dev.sluice.testkit.SluiceInfra;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Many event loops taking from one bucket leased from real Redis: every request gets an answer. */
@SluiceInfra
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WindowBucketIT {

    @Test
    void everyAcquireCompletesUnderConcurrency(Redis redis) throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            RedisAPI api = RedisAPI.api(io.vertx.redis.client.Redis.createClient(
                    vertx,
                    new RedisOptions()
                            .setConnectionString(redis.uri())
                            .setMaxPoolSize(8)
                            .setMaxPoolWaiting(10_000)));
            WindowBucket bucket = new WindowBucket(
                    java.util.Optional.of(api),
                    "sluice:rl:{t/test" + System.nanoTime() + "}:e:300",
                    300,
                    () -> {},
                    System::currentTimeMillis);
            int loops = 4;
            int perLoop = 600;
            CountDownLatch done = new CountDownLatch(loops * perLoop);
            AtomicInteger admitted = new AtomicInteger();
            List<Context> contexts = new ArrayList<>();
            for (int i = 0; i < loops; i++) {
                contexts.add(vertx.getOrCreateContext());
            }
            long start = System.currentTimeMillis();
            for (Context ctx : contexts) {
                ctx.runOnContext(v -> {
                    for (int j = 0; j < perLoop; j++) {
                        vertx.setTimer(1 + j * 3L, id -> {
                            Future<Long> f = bucket.acquire(1);
                            f.onComplete(ar -> {
                                if (ar.succeeded() && ar.result() == 0) {
                                    admitted.incrementAndGet();
                                }
                                done.countDown();
                            });
                        });
                    }
                });
            }
            assertTrue(done.await(30, TimeUnit.SECONDS), "unanswered: " + done.getCount());
            long seconds = (System.currentTimeMillis() - start + 999) / 1000;
            System.out.printf("admitted %d of %d in ~%d s at 300/s%n", admitted.get(), loops * perLoop, seconds);
            assertTrue(admitted.get() <= 300 * (seconds + 1), "admitted " + admitted.get());
            assertEquals(0, done.getCount());
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
