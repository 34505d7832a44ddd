package dev.sluice.executor.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class RetryTest {

    @Test
    void triesAgainAfterEachDelayUntilAnAttemptSucceeds(Vertx vertx) throws Exception {
        List<Integer> attempts = new ArrayList<>();
        long start = System.nanoTime();
        String result = Retry.run(
                        vertx,
                        n -> {
                            attempts.add(n);
                            return n < 3
                                    ? Future.failedFuture(new IllegalStateException("no"))
                                    : Future.succeededFuture("yes");
                        },
                        (n, err) -> new Retry.After(50))
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        assertEquals("yes", result);
        assertEquals(List.of(1, 2, 3), attempts);
        assertEquals(true, System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(100), "two delays of 50 ms");
    }

    @Test
    void stopsWithThePolicysFailure(Vertx vertx) throws Exception {
        RuntimeException last = new IllegalStateException("gave up");
        List<Integer> attempts = new ArrayList<>();
        Future<String> f = Retry.run(
                vertx,
                n -> {
                    attempts.add(n);
                    return Future.<String>failedFuture(new IllegalStateException("no " + n));
                },
                (n, err) -> n >= 2 ? new Retry.Stop(last) : new Retry.After(1));
        try {
            f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            throw new AssertionError("expected a failure");
        } catch (ExecutionException e) {
            assertSame(last, e.getCause());
        }
        assertEquals(List.of(1, 2), attempts);
    }

    @Test
    void anAttemptThatThrowsIsAFailedAttempt(Vertx vertx) throws Exception {
        String result = Retry.run(
                        vertx,
                        n -> {
                            if (n == 1) {
                                throw new IllegalStateException("thrown");
                            }
                            return Future.succeededFuture("ok");
                        },
                        (n, err) -> new Retry.After(1))
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        assertEquals("ok", result);
    }

    @Test
    void doublingIsCapped() {
        assertEquals(100, Retry.doubling(100, 1, 1000));
        assertEquals(400, Retry.doubling(100, 3, 1000));
        assertEquals(1000, Retry.doubling(100, 30, 1000));
    }
}
