package dev.sluice.executor.impl;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * The executor's one retry loop, on Vert.x timer futures: run an attempt; on its failure ask the
 * policy, which either stops with a failure or names the delay before the next attempt
 * ({@code vertx.timer}). Every retrying site (step attempts, accounting records, dead-span
 * summaries, the run log's schema) differs only in its policy.
 */
public final class Retry {

    private Retry() {}

    /** What follows a failed attempt. */
    public sealed interface Next permits After, Stop {}

    /** Try again after {@code delayMillis}. */
    public record After(long delayMillis) implements Next {}

    /** Give up, failing with {@code failure}. */
    public record Stop(Throwable failure) implements Next {}

    /** Decides what follows the failure of attempt {@code attempt} (from 1). */
    @FunctionalInterface
    public interface Policy {
        Next next(int attempt, Throwable failure);
    }

    /** Runs {@code attempt} (given its number, from 1) until it succeeds or the policy stops. */
    public static <T> Future<T> run(Vertx vertx, IntFunction<Future<T>> attempt, Policy policy) {
        return run(vertx, attempt, policy, 1);
    }

    private static <T> Future<T> run(Vertx vertx, IntFunction<Future<T>> attempt, Policy policy, int n) {
        return guarded(() -> attempt.apply(n)).recover(err -> {
            Next next;
            try {
                next = policy.next(n, err);
            } catch (RuntimeException e) {
                return Future.failedFuture(e);
            }
            if (next instanceof After after) {
                return vertx.timer(Math.max(1, after.delayMillis())).compose(t -> run(vertx, attempt, policy, n + 1));
            }
            return Future.failedFuture(((Stop) next).failure());
        });
    }

    /** {@code base} doubled per attempt after the first, at most {@code max}. */
    public static long doubling(long base, int attempt, long max) {
        return Math.min(max, base << Math.min(Math.max(0, attempt - 1), 20));
    }

    /** The task's future, with anything it throws as a failed future: one path for both. */
    public static <T> Future<T> guarded(Supplier<Future<T>> task) {
        try {
            return task.get();
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
    }
}
