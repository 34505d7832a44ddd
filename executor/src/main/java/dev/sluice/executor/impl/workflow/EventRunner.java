package dev.sluice.executor.impl.workflow;

import dev.sluice.core.Deadlines;
import dev.sluice.core.StepConfig;
import dev.sluice.core.Templates;
import dev.sluice.core.WorkflowConfig;
import dev.sluice.executor.ExecutorConfig;
import dev.sluice.executor.impl.ExecutorMetrics;
import dev.sluice.executor.impl.ExecutorServices;
import dev.sluice.executor.impl.state.RunClaims;
import dev.sluice.executor.impl.guard.TargetGuard;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Runs every workflow subscribed to an event, under the deadline guard: an event whose deadline
 * has passed is never started and goes to {@code <topic>.expired}; each run is claimed (Redis)
 * before it starts, so a redelivered event is not run twice while live; a run that fails for good
 * goes to {@code <topic>.dlq}, and so does a run that throws anything a step does not expect;
 * every decision is written to the run log (PostgreSQL) by {@link RunOutcomes}. The returned
 * future always succeeds once the event is accounted for, so the partition's offset can move past it.
 */
public final class EventRunner {

    private final HttpStepRunner http;
    private final WorkflowTable workflows;
    private final ExecutorMetrics metrics;
    private final ExecutorConfig config;
    private final RunClaims claims;
    private final RunOutcomes outcomes;
    private final StepRetries retries;
    private final SideEffectSteps sideEffects;

    public EventRunner(Vertx vertx, Context context, HttpStepRunner http, ExecutorServices services) {
        this.http = http;
        this.workflows = services.workflows();
        this.metrics = services.metrics();
        this.config = services.config();
        this.claims = services.claims();
        this.retries = new StepRetries(vertx, config, metrics);
        this.sideEffects = new SideEffectSteps(context, services.accounting(), services.redis());
        this.outcomes = new RunOutcomes(context, services.accounting(), metrics, services.runLog());
    }

    /**
     * Runs the event's workflows. {@code polledAtNanos} is when the poll returned the record; the
     * time since then (the hand-off to this loop and the wait behind earlier events of its key) is
     * recorded as the event's start wait; {@code queueing} hears when its calls wait for a target's
     * budget (the partition's slot is given up meanwhile). The future succeeds once every run of the event is
     * accounted for; anything a run throws ends that run dead-lettered with the error.
     */
    public Progress run(ConsumerRecord<byte[], byte[]> record, long polledAtNanos, TargetGuard.Queueing queueing) {
        EventRun run = null;
        Future<Void> runs;
        try {
            run = EventRun.of(record, queueing);
            runs = runEvent(run, polledAtNanos);
        } catch (RuntimeException e) {
            if (run == null) {
                // Even an event whose record cannot be read is accounted for: dead-lettered under its place in the log.
                run = new EventRun(record, record.topic() + "/" + record.partition() + "/" + record.offset(), "", Long.MAX_VALUE,
                        queueing);
            }
            runs = Future.failedFuture(e);
        }
        EventRun accounted = run;
        Future<Void> decided = runs.recover(e -> outcomes.unexpected(accounted, e));
        // Every row is offered by the time the runs are decided.
        return new Progress(decided, decided.transform(ar -> Future.join(accounted.records)).mapEmpty());
    }

    /**
     * An event's progress: {@code decided} once its runs are decided and accounted for (the next
     * event of its key may start), {@code recorded} once their run-log rows are durable too (its
     * offset may be committed). Neither fails unless the executor itself is broken.
     */
    public record Progress(Future<Void> decided, Future<Void> recorded) {
    }

    private Future<Void> runEvent(EventRun run, long polledAtNanos) {
        ConsumerRecord<byte[], byte[]> record = run.record;
        metrics.startWait(System.nanoTime() - polledAtNanos);
        List<WorkflowConfig> workflows = run.route.isEmpty() ? null : this.workflows.forSource(run.route);
        if (workflows == null || workflows.isEmpty()) {
            return Future.succeededFuture();
        }
        long now = System.currentTimeMillis();
        if (Deadlines.isExpired(run.deadline, now)) {
            return outcomes.expired(run, workflows, "deadline passed before start, " + (now - run.deadline) + " ms late");
        }
        List<Future<Void>> runs = new ArrayList<>(workflows.size());
        for (WorkflowConfig w : workflows) {
            runs.add(guarded(() -> {
                if (w.filter() != null && !w.filter().test(run)) {
                    metrics.filtered(w.name());
                    return Future.succeededFuture();
                }
                return runWorkflow(w, run);
            }).recover(e -> outcomes.unexpected(new WorkflowRun(run, w, -1), e)));
        }
        return Future.join(runs).transform(ar -> {
            if (run.started) {
                metrics.ended(System.currentTimeMillis() - record.timestamp());
            }
            return ar.succeeded() ? Future.succeededFuture() : Future.failedFuture(ar.cause());
        });
    }

    /** The task's future, with anything it throws as a failed future: one path for both. */
    static <T> Future<T> guarded(Supplier<Future<T>> task) {
        try {
            return task.get();
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
    }

    private Future<Void> runWorkflow(WorkflowConfig w, EventRun run) {
        long start = System.currentTimeMillis();
        if (!run.started) {
            run.started = true;
            metrics.started(start - run.record.timestamp());
        }
        WorkflowRun wr = new WorkflowRun(run, w, start);
        return guarded(() -> runSteps(w, 0, wr)).transform(ar -> {
            if (ar.succeeded()) {
                return decided(wr).compose(v -> outcomes.succeeded(wr));
            }
            Throwable e = ar.cause();
            if (e instanceof StepFailure.NotSent) {
                // Its first request never left: the run did not start in time.
                return outcomes.expired(run, List.of(w), e.getMessage());
            }
            if (e instanceof StepFailure.ClaimLost) {
                return outcomes.skippedDuplicate(wr, e.getMessage());
            }
            if (e instanceof StepFailure) {
                return decided(wr).compose(v -> outcomes.deadLettered(wr, e.getMessage() == null ? RunOutcomes.describe(e) : e.getMessage()));
            }
            return decided(wr).compose(v -> outcomes.unexpected(wr, e));
        });
    }

    /** Marks a claimed run decided, so that a redelivery skips it instead of re-sending. */
    private Future<Void> decided(WorkflowRun wr) {
        if (wr.claim == null || !wr.claim.ours()) {
            return Future.succeededFuture();
        }
        // Not waited for: a mark that is lost costs one counted re-send with the same webhook-id, never a loss.
        claims.done(wr.run.route, wr.run.id, wr.workflow.name(), wr.run.deadline);
        return Future.succeededFuture();
    }

    /**
     * Claims the run before its first side effect, and renews the lease before each later one (each
     * retry, each further step), for the step's timeout plus the margin. Fails with
     * {@link StepFailure.ClaimLost} when the run is not, or no longer, this executor's to send.
     */
    private Future<Void> claim(WorkflowRun wr, long stepTimeoutMillis) {
        EventRun run = wr.run;
        long lease = stepTimeoutMillis + config.leaseMargin().toMillis();
        if (wr.claim == null) {
            return claims.claim(run.route, run.id, wr.workflow.name(), wr.workflow.delivery(), lease, run.deadline).compose(c -> {
                wr.claim = c;
                return switch (c.state()) {
                    case CLAIMED, RESEND, UNAVAILABLE, OFF -> Future.succeededFuture();
                    case HELD -> Future.failedFuture(StepFailure.claimLost(
                            "another executor's lease on this run was still live at the deadline; that executor decides it"));
                    case DUPLICATE -> Future.failedFuture(StepFailure.claimLost(
                            "already decided: a redelivery of a live event whose run was done; nothing was sent again"));
                    case TOO_LATE -> Future.failedFuture(StepFailure.notSent(
                            "the deadline passed before the run's claim could be taken; nothing was sent"));
                    case UNREACHABLE -> Future.failedFuture(StepFailure.notSent("at-most-once: Redis did not answer the run's "
                            + "claim before the deadline, and an unclaimed run is never sent; nothing was sent"));
                };
            });
        }
        if (wr.workflow.delivery() == WorkflowConfig.Delivery.AT_MOST_ONCE || wr.claim.state() == RunClaims.State.UNAVAILABLE
                || wr.claim.state() == RunClaims.State.OFF) {
            return Future.succeededFuture();
        }
        return claims.renew(run.route, run.id, wr.workflow.name(), lease, run.deadline).compose(ours -> ours
                ? Future.succeededFuture()
                : Future.failedFuture(StepFailure.claimLost("the lease lapsed and another executor took the run over")));
    }

    private Future<Void> runSteps(WorkflowConfig w, int index, WorkflowRun wr) {
        if (index == w.steps().size()) {
            return Future.succeededFuture();
        }
        StepConfig step = w.steps().get(index);
        Future<Void> done;
        if (step instanceof StepConfig.Http http) {
            done = retries.run(wr, n -> attempt(http, index, wr));
        } else if (step instanceof StepConfig.Filter f) {
            if (!f.condition().test(wr)) {
                return Future.succeededFuture();
            }
            done = Future.succeededFuture();
        } else if (step instanceof StepConfig.Transform t) {
            try {
                wr.replacePayload(Templates.build(t.set(), wr));
                done = Future.succeededFuture();
            } catch (RuntimeException e) {
                done = Future.failedFuture(StepFailure.fatal("transform failed: " + e.getMessage()));
            }
        } else if (step instanceof StepConfig.Publish p) {
            done = retries.run(wr, n -> {
                wr.attempts++;
                return claim(wr, p.timeout().toMillis()).compose(v -> sideEffects.publish(wr, p));
            });
        } else {
            StepConfig.Redis r = (StepConfig.Redis) step;
            done = retries.run(wr, n -> {
                wr.attempts++;
                return claim(wr, r.timeout().toMillis()).compose(v -> sideEffects.redis(wr, r));
            });
        }
        return done.compose(v -> runSteps(w, index + 1, wr));
    }

    /** One attempt of an http step: claimed just before the write, counted as written when it is. */
    private Future<Void> attempt(StepConfig.Http step, int index, WorkflowRun wr) {
        wr.attempts++;
        EventRun run = wr.run;
        HttpStepRunner.Request request = new HttpStepRunner.Request(step, run.record, wr.payload, wr.contentType,
                http.webhookId(run.route, run.id, wr.workflow.name(), index), wr.workflow.signing());
        HttpStepRunner.Gate gate = new HttpStepRunner.Gate() {
            @Override
            public Future<Void> beforeWrite() {
                return claim(wr, step.timeout().toMillis());
            }

            @Override
            public void written() {
                wr.wrote();
            }

            @Override
            public TargetGuard.Queueing queueing() {
                return run.queueing;
            }
        };
        return http.call(request, step.timeout().toMillis(), run.deadline, gate).map(result -> {
            wr.response = result.json() == null ? null : EventRun.parseJson(result.json().getBytes());
            return (Void) null;
        });
    }
}
