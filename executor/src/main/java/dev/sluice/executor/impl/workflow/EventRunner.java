package dev.sluice.executor.impl.workflow;

import dev.sluice.core.Deadlines;
import dev.sluice.core.EventRecords;
import dev.sluice.core.SluiceHeaders;
import dev.sluice.core.StepConfig;
import dev.sluice.core.Topics;
import dev.sluice.core.WorkflowConfig;
import dev.sluice.executor.ExecutorConfig;
import dev.sluice.executor.impl.ExecutorMetrics;
import dev.sluice.executor.impl.ExecutorMetrics.Outcome;
import dev.sluice.executor.impl.kafka.AccountingProducer;
import dev.sluice.executor.impl.state.RunClaims;
import dev.sluice.executor.impl.state.RunLog;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs every workflow subscribed to an event, under the deadline guard: an event whose deadline
 * has passed is never started and goes to {@code <topic>.expired}; each run is claimed (Redis)
 * before it starts, so a redelivered event is not run twice while live; a run that fails for good
 * goes to {@code <topic>.dlq}; every decision is written to the run log (PostgreSQL). The returned
 * future always succeeds once the event is accounted for, so the partition's offset can move past it.
 */
public final class EventRunner {

    private static final Logger LOG = LoggerFactory.getLogger(EventRunner.class);
    private static final int ACCOUNTING_ATTEMPTS = 5;

    private final Vertx vertx;
    private final Context context;
    private final Map<String, List<WorkflowConfig>> workflowsBySource;
    private final HttpStepRunner http;
    private final AccountingProducer accounting;
    private final ExecutorMetrics metrics;
    private final ExecutorConfig config;
    private final RunClaims claims;
    private final RunLog runLog;

    public EventRunner(Vertx vertx, Context context, Map<String, List<WorkflowConfig>> workflowsBySource, HttpStepRunner http,
                       AccountingProducer accounting, ExecutorMetrics metrics, ExecutorConfig config, RunClaims claims,
                       RunLog runLog) {
        this.vertx = vertx;
        this.context = context;
        this.workflowsBySource = workflowsBySource;
        this.http = http;
        this.accounting = accounting;
        this.metrics = metrics;
        this.config = config;
        this.claims = claims;
        this.runLog = runLog;
    }

    /** One event's progress. Confined to the event loop. */
    private static final class Run {
        final ConsumerRecord<byte[], byte[]> record;
        final String id;
        final String route;
        final long deadline;
        boolean started;

        Run(ConsumerRecord<byte[], byte[]> record, String id, String route, long deadline) {
            this.record = record;
            this.id = id;
            this.route = route;
            this.deadline = deadline;
        }
    }

    public Future<Void> run(ConsumerRecord<byte[], byte[]> record) {
        String route = EventRecords.text(record.headers(), SluiceHeaders.ROUTE);
        List<WorkflowConfig> workflows = route == null ? null : workflowsBySource.get(route);
        if (workflows == null || workflows.isEmpty()) {
            return Future.succeededFuture();
        }
        String id = EventRecords.text(record.headers(), SluiceHeaders.CE_ID);
        Run run = new Run(record, id == null ? record.topic() + "/" + record.partition() + "/" + record.offset() : id, route,
                EventRecords.deadline(record));
        long now = System.currentTimeMillis();
        if (Deadlines.isExpired(run.deadline, now)) {
            return expire(run, workflows, "deadline passed before start, " + (now - run.deadline) + " ms late");
        }
        List<Future<Void>> runs = new ArrayList<>(workflows.size());
        for (WorkflowConfig w : workflows) {
            runs.add(runWorkflow(w, run));
        }
        return Future.join(runs).transform(ar -> {
            if (run.started) {
                metrics.ended(System.currentTimeMillis() - record.timestamp());
            }
            return Future.succeededFuture();
        });
    }

    private Future<Void> expire(Run run, List<WorkflowConfig> workflows, String reason) {
        metrics.expired(run.record.topic());
        long now = System.currentTimeMillis();
        for (WorkflowConfig w : workflows) {
            metrics.run(w.name(), Outcome.EXPIRED);
            log(run, w, Outcome.EXPIRED, 0, -1, now, reason);
        }
        return account(Topics.expired(run.record.topic()), run.record, Map.of(SluiceHeaders.EXPIRED_REASON, reason), 1);
    }

    private Future<Void> runWorkflow(WorkflowConfig w, Run run) {
        Future<RunClaims.Claim> claim = claims == null ? Future.succeededFuture(RunClaims.Claim.UNAVAILABLE)
                : claims.claim(run.route, run.id, w.name(), run.deadline - System.currentTimeMillis());
        return claim.compose(c -> {
            long start = System.currentTimeMillis();
            if (c == RunClaims.Claim.DUPLICATE) {
                metrics.run(w.name(), Outcome.SKIPPED_DUPLICATE);
                log(run, w, Outcome.SKIPPED_DUPLICATE, 0, -1, start, "already claimed: a redelivery of a live event");
                return Future.succeededFuture();
            }
            if (Deadlines.isExpired(run.deadline, start)) {
                // The deadline passed while the claim was taken: still never started.
                return expire(run, List.of(w), "deadline passed before start, " + (start - run.deadline) + " ms late");
            }
            if (!run.started) {
                run.started = true;
                metrics.started(start - run.record.timestamp());
            }
            int[] attempts = {0};
            // A claimed run is marked sent just before its first request leaves.
            java.util.function.Supplier<Future<Boolean>> mark = c != RunClaims.Claim.CLAIMED ? null
                    : () -> claims.markSent(run.route, run.id, w.name(), run.deadline - System.currentTimeMillis());
            return runSteps(w, 0, run, attempts, mark).transform(ar -> {
                long end = System.currentTimeMillis();
                if (ar.failed() && ar.cause() instanceof HttpStepRunner.ClaimLost) {
                    metrics.run(w.name(), Outcome.SKIPPED_DUPLICATE);
                    log(run, w, Outcome.SKIPPED_DUPLICATE, 0, start, end, ar.cause().getMessage());
                    return Future.succeededFuture();
                }
                if (ar.succeeded()) {
                    metrics.run(w.name(), Outcome.SUCCEEDED);
                    log(run, w, Outcome.SUCCEEDED, attempts[0], start, end, null);
                    return Future.succeededFuture();
                }
                metrics.run(w.name(), Outcome.DEAD_LETTERED);
                Throwable e = ar.cause();
                String error = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                log(run, w, Outcome.DEAD_LETTERED, attempts[0], start, end, error);
                return account(Topics.deadLetter(run.record.topic()), run.record,
                        Map.of(SluiceHeaders.WORKFLOW, w.name(), SluiceHeaders.ERROR, error,
                                "sluice_attempts", Integer.toString(attempts[0])), 1);
            });
        });
    }

    private void log(Run run, WorkflowConfig w, Outcome outcome, int attempts, long start, long end, String error) {
        if (runLog != null) {
            ConsumerRecord<byte[], byte[]> r = run.record;
            runLog.offer(new RunLog.Row(run.id, run.route, w.name(), outcome.name().toLowerCase(Locale.ROOT), attempts,
                    r.timestamp(), start, end, r.topic(), r.partition(), r.offset(), error));
        }
    }

    private Future<Void> runSteps(WorkflowConfig w, int index, Run run, int[] attempts,
                                  java.util.function.Supplier<Future<Boolean>> mark) {
        if (index == w.steps().size()) {
            return Future.succeededFuture();
        }
        StepConfig step = w.steps().get(index);
        return attempt((StepConfig.Http) step, run, 1, attempts, index == 0 ? mark : null)
                .compose(v -> runSteps(w, index + 1, run, attempts, null));
    }

    private Future<Void> attempt(StepConfig.Http step, Run run, int attempt, int[] attempts,
                                 java.util.function.Supplier<Future<Boolean>> mark) {
        attempts[0]++;
        long timeout = Deadlines.stepTimeout(step.timeout().toMillis(), run.deadline, System.currentTimeMillis());
        return http.call(step, run.record, timeout, attempt == 1 ? mark : null).<Void>mapEmpty().recover(err -> {
            if (err instanceof HttpStepRunner.ClaimLost) {
                return Future.failedFuture(err);
            }
            StepFailure f = err instanceof StepFailure sf ? sf : StepFailure.retryable(String.valueOf(err.getMessage()), err);
            if (!f.retryable()) {
                return Future.failedFuture(new StepFailure(f.getMessage() + " (attempt " + attempt + ", not retryable)", false, -1, f));
            }
            if (attempt >= config.maxAttempts()) {
                return Future.failedFuture(new StepFailure(f.getMessage() + " (gave up after " + attempt + " attempts)", false, -1, f));
            }
            long base = config.retryBackoff().toMillis() << (attempt - 1);
            long delay = Math.max(f.retryAfterMillis(), base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1));
            if (System.currentTimeMillis() + delay >= run.deadline) {
                return Future.failedFuture(new StepFailure(f.getMessage() + " (no time left for attempt " + (attempt + 1)
                        + " before the deadline)", false, -1, f));
            }
            metrics.retry();
            Promise<Void> later = Promise.promise();
            vertx.setTimer(delay, id -> attempt(step, run, attempt + 1, attempts, null).onComplete(later));
            return later.future();
        });
    }

    /** Writes the accounting record, retrying a few times; a record that cannot be written is logged and counted. */
    private Future<Void> account(String topic, ConsumerRecord<byte[], byte[]> record, Map<String, String> headers, int attempt) {
        return accounting.publish(context, topic, record, headers).recover(err -> {
            if (attempt >= ACCOUNTING_ATTEMPTS) {
                metrics.accountingFailure();
                LOG.error("could not write {}/{}/{} to {} after {} attempts: {}", record.topic(), record.partition(),
                        record.offset(), topic, attempt, err.toString());
                return Future.succeededFuture();
            }
            Promise<Void> later = Promise.promise();
            vertx.setTimer(100L << attempt, id -> account(topic, record, headers, attempt + 1).onComplete(later));
            return later.future();
        });
    }
}
