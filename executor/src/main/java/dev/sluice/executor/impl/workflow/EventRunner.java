package dev.sluice.executor.impl.workflow;

import dev.sluice.core.Deadlines;
import dev.sluice.core.WorkflowConfig;
import dev.sluice.executor.impl.ExecutorMetrics;
import dev.sluice.executor.impl.ExecutorServices;
import dev.sluice.executor.impl.Retry;
import dev.sluice.executor.impl.guard.TargetGuard;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Runs every workflow subscribed to an event (or, for an event that names one with
 * {@code sluice_target}, that workflow alone), under the deadline guard: an event whose deadline
 * has passed is never started and goes to {@code <topic>.expired}; each run is claimed (Redis)
 * before it starts, so a redelivered event is not run twice while live; a run that fails for good
 * goes to {@code <topic>.dlq}, and so does a run that throws anything a step does not expect;
 * every decision is written to the run log (PostgreSQL) by {@link RunOutcomes}. The returned
 * future always succeeds once the event is accounted for, so the partition's offset can move past it.
 */
public final class EventRunner {

    private final WorkflowTable workflows;
    private final ExecutorMetrics metrics;
    private final RunOutcomes outcomes;
    private final RunClaimer claimer;
    private final WorkflowSteps steps;
    private final RunTracing tracing;

    public EventRunner(Vertx vertx, Context context, HttpStepRunner http, ExecutorServices services) {
        this.workflows = services.workflows();
        this.tracing = services.tracing();
        this.metrics = services.metrics();
        this.claimer = new RunClaimer(
                services.claims(), services.config().leaseMargin().toMillis());
        this.steps = new WorkflowSteps(
                http,
                new SideEffectSteps(context, services.accounting(), services.redis()),
                new StepRetries(vertx, services.config(), metrics),
                claimer);
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
            run.span = tracing.run(record);
            runs = runEvent(run, polledAtNanos);
        } catch (RuntimeException e) {
            if (run == null) {
                // Even an event whose record cannot be read is accounted for: dead-lettered under its place in the log.
                run = new EventRun(
                        record,
                        record.topic() + "/" + record.partition() + "/" + record.offset(),
                        "",
                        Long.MAX_VALUE,
                        queueing);
            }
            runs = Future.failedFuture(e);
        }
        EventRun accounted = run;
        Future<Void> decided = runs.recover(e -> outcomes.unexpected(accounted, e));
        if (accounted.span.isRecording()) {
            decided.onComplete(ar -> RunTracing.decided(accounted.span, ar));
        }
        // Every row is offered by the time the runs are decided.
        return new Progress(
                decided, decided.transform(ar -> Future.join(accounted.records)).mapEmpty());
    }

    /**
     * An event's progress: {@code decided} once its runs are decided and accounted for (the next
     * event of its key may start), {@code recorded} once their run-log rows are durable too (its
     * offset may be committed). Neither fails unless the executor itself is broken.
     */
    public record Progress(Future<Void> decided, Future<Void> recorded) {}

    private Future<Void> runEvent(EventRun run, long polledAtNanos) {
        ConsumerRecord<byte[], byte[]> record = run.record;
        metrics.startWait(System.nanoTime() - polledAtNanos);
        List<WorkflowConfig> workflows =
                run.route.isEmpty() ? List.of() : this.workflows.forEvent(run.route, run.target);
        if (workflows.isEmpty()) {
            // An event for one workflow that this executor does not run on its route was accepted for a run that cannot
            // happen here.
            return run.target.isEmpty() ? Future.succeededFuture() : outcomes.unknownTarget(run);
        }
        long now = System.currentTimeMillis();
        if (Deadlines.isExpired(run.deadline, now)) {
            return outcomes.expired(
                    run, workflows, "deadline passed before start, " + (now - run.deadline) + " ms late");
        }
        List<Future<Void>> runs = new ArrayList<>(workflows.size());
        for (WorkflowConfig w : workflows) {
            runs.add(Retry.guarded(() -> {
                        if (w.filter() != null && !w.filter().test(run)) {
                            metrics.filtered(w.name());
                            return Future.succeededFuture();
                        }
                        return runWorkflow(w, run);
                    })
                    .recover(e -> outcomes.unexpected(new WorkflowRun(run, w, -1), e)));
        }
        return Future.join(runs).transform(ar -> {
            if (run.started) {
                metrics.ended(System.currentTimeMillis() - record.timestamp());
            }
            return ar.succeeded() ? Future.succeededFuture() : Future.failedFuture(ar.cause());
        });
    }

    private Future<Void> runWorkflow(WorkflowConfig w, EventRun run) {
        long start = System.currentTimeMillis();
        if (!run.started) {
            run.started = true;
            metrics.started(start - run.record.timestamp());
        }
        WorkflowRun wr = new WorkflowRun(run, w, start);
        ExecutorMetrics.WorkflowMeters meters = metrics.workflow(w.name());
        meters.start().record(Math.max(0, start - run.record.timestamp()), TimeUnit.MILLISECONDS);
        meters.inFlight().incrementAndGet();
        return Retry.guarded(() -> runSteps(w, 0, wr))
                .transform(ar -> {
                    if (ar.succeeded()) {
                        return claimer.decided(wr).compose(v -> outcomes.succeeded(wr));
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
                        return claimer.decided(wr)
                                .compose(v -> outcomes.deadLettered(
                                        wr, e.getMessage() == null ? RunOutcomes.describe(e) : e.getMessage()));
                    }
                    return claimer.decided(wr).compose(v -> outcomes.unexpected(wr, e));
                })
                .eventually(() -> {
                    meters.inFlight().decrementAndGet();
                    return Future.succeededFuture();
                });
    }

    private Future<Void> runSteps(WorkflowConfig w, int index, WorkflowRun wr) {
        if (index == w.steps().size()) {
            return Future.succeededFuture();
        }
        return steps.run(w.steps().get(index), index, wr)
                .compose(goOn -> goOn ? runSteps(w, index + 1, wr) : Future.succeededFuture());
    }
}
