package dev.sluice.executor.impl.workflow;

import dev.sluice.executor.ExecutorConfig;
import dev.sluice.executor.impl.ExecutorMetrics;
import dev.sluice.executor.impl.Retry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntFunction;

/**
 * The one retry policy of every step type: a retryable failure is tried again after a backoff
 * that doubles per attempt, with jitter (half to all of it, or the target's {@code Retry-After}
 * when longer), up to {@code executor.retry.attempts}, and only while an attempt can still start
 * before the event's deadline, checked again when the backoff's timer fires (a busy loop fires it
 * late). A retry after an {@link StepFailure#unknownOutcome() unknown outcome} is a re-send and is
 * counted as such. A step that could not act before the deadline ({@link StepFailure.NotSent})
 * expires the run when nothing of it has left yet, and fails it otherwise.
 */
final class StepRetries {

    /**
     * A retry is started only with at least this much time left before the deadline: less cannot
     * carry a request and its answer, and the attempt would only add load and a failure after it.
     */
    static final long MIN_RETRY_WINDOW_MS = 20;

    private final Vertx vertx;
    private final int maxAttempts;
    private final long backoffMillis;
    private final ExecutorMetrics metrics;

    StepRetries(Vertx vertx, ExecutorConfig config, ExecutorMetrics metrics) {
        this.vertx = vertx;
        this.maxAttempts = config.maxAttempts();
        this.backoffMillis = config.retryBackoff().toMillis();
        this.metrics = metrics;
    }

    /** Runs {@code attempt} (given its number, from 1) until it succeeds or fails for good. */
    Future<Void> run(WorkflowRun wr, IntFunction<Future<Void>> attempt) {
        long deadline = wr.run.deadline;
        StepFailure[] last = new StepFailure[1];
        // A retry's timer may fire late on a busy loop: the deadline is checked again before the attempt.
        return Retry.run(
                vertx,
                n -> n > 1 && System.currentTimeMillis() + MIN_RETRY_WINDOW_MS >= deadline
                        ? Future.failedFuture(noTimeLeft(wr, last[0], n - 1))
                        : attempt.apply(n),
                (n, err) -> {
                    Retry.Next next = next(wr, n, err);
                    if (err instanceof StepFailure f) {
                        last[0] = f;
                    }
                    return next;
                });
    }

    private Retry.Next next(WorkflowRun wr, int n, Throwable err) {
        if (err instanceof StepFailure.ClaimLost) {
            return new Retry.Stop(err);
        }
        if (err instanceof StepFailure.NotSent) {
            return new Retry.Stop(wr.written == 0 ? err : gaveUp(wr, err.getMessage() + " (attempt " + n + ")", err));
        }
        if (!(err instanceof StepFailure f)) {
            return new Retry.Stop(err); // unexpected: the run ends dead-lettered with it
        }
        if (!f.retryable()) {
            return new Retry.Stop(gaveUp(wr, f.getMessage() + " (attempt " + n + ", not retryable)", f));
        }
        if (n >= maxAttempts) {
            return new Retry.Stop(gaveUp(wr, f.getMessage() + " (gave up after " + n + " attempts)", f));
        }
        long base = Retry.doubling(backoffMillis, n, Long.MAX_VALUE >> 1);
        long delay = Math.max(
                f.retryAfterMillis(), base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1));
        if (System.currentTimeMillis() + delay + MIN_RETRY_WINDOW_MS >= wr.run.deadline) {
            return new Retry.Stop(noTimeLeft(wr, f, n));
        }
        metrics.retry();
        if (f.unknownOutcome()) {
            // The target may have acted already: the retry is a re-send of it (an http step's carries the same
            // webhook-id).
            metrics.resend();
        }
        return new Retry.After(delay);
    }

    /** The run's final failure, saying how many of its side effects were written (each may have landed). */
    static StepFailure gaveUp(WorkflowRun wr, String message, Throwable cause) {
        return StepFailure.fatal(message + "; " + wr.written + " written to the target", cause);
    }

    private static StepFailure noTimeLeft(WorkflowRun wr, StepFailure last, int n) {
        return gaveUp(wr, last.getMessage() + " (no time left for attempt " + (n + 1) + " before the deadline)", last);
    }
}
