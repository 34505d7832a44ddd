package dev.sluice.executor.impl.workflow;

import dev.sluice.executor.ExecutorConfig;
import dev.sluice.executor.impl.ExecutorMetrics;
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
        return run(wr, attempt, 1);
    }

    private Future<Void> run(WorkflowRun wr, IntFunction<Future<Void>> attempt, int n) {
        return EventRunner.guarded(() -> attempt.apply(n)).recover(err -> {
            if (err instanceof StepFailure.ClaimLost) {
                return Future.failedFuture(err);
            }
            if (err instanceof StepFailure.NotSent) {
                return Future.failedFuture(wr.written == 0 ? err : gaveUp(wr, err.getMessage() + " (attempt " + n + ")", err));
            }
            if (!(err instanceof StepFailure f)) {
                return Future.failedFuture(err); // unexpected: the run ends dead-lettered with it
            }
            if (!f.retryable()) {
                return Future.failedFuture(gaveUp(wr, f.getMessage() + " (attempt " + n + ", not retryable)", f));
            }
            if (n >= maxAttempts) {
                return Future.failedFuture(gaveUp(wr, f.getMessage() + " (gave up after " + n + " attempts)", f));
            }
            long base = backoffMillis << Math.min(n - 1, 20);
            long delay = Math.max(f.retryAfterMillis(), base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1));
            long deadline = wr.run.deadline;
            if (System.currentTimeMillis() + delay + MIN_RETRY_WINDOW_MS >= deadline) {
                return Future.failedFuture(noTimeLeft(wr, f, n));
            }
            metrics.retry();
            if (f.unknownOutcome()) {
                // The target may have acted already: the retry is a re-send of it (an http step's carries the same webhook-id).
                metrics.resend();
            }
            return vertx.timer(delay).compose(t -> System.currentTimeMillis() + MIN_RETRY_WINDOW_MS >= deadline
                    ? Future.failedFuture(noTimeLeft(wr, f, n))
                    : run(wr, attempt, n + 1));
        });
    }

    /** The run's final failure, saying how many of its side effects were written (each may have landed). */
    static StepFailure gaveUp(WorkflowRun wr, String message, Throwable cause) {
        return StepFailure.fatal(message + "; " + wr.written + " written to the target", cause);
    }

    private static StepFailure noTimeLeft(WorkflowRun wr, StepFailure last, int n) {
        return gaveUp(wr, last.getMessage() + " (no time left for attempt " + (n + 1) + " before the deadline)", last);
    }
}
