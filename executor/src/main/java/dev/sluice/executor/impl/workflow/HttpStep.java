package dev.sluice.executor.impl.workflow;

import dev.sluice.core.StepConfig;
import dev.sluice.executor.impl.guard.TargetGuard;
import io.vertx.core.Future;

/** Runs an {@code http} step: each attempt claimed just before its write and counted as written when it is. */
record HttpStep(HttpStepRunner client, StepRetries retries, RunClaimer claimer) implements StepRunner<StepConfig.Http> {

    @Override
    public Future<Boolean> run(StepConfig.Http step, int index, WorkflowRun wr) {
        return retries.run(wr, n -> attempt(step, index, wr)).compose(v -> StepRunner.NEXT);
    }

    private Future<Void> attempt(StepConfig.Http step, int index, WorkflowRun wr) {
        wr.attempts++;
        EventRun run = wr.run;
        HttpStepRunner.Request request = new HttpStepRunner.Request(
                step,
                run.record,
                wr.payload,
                wr.contentType,
                client.webhookId(run.route, run.id, wr.workflow.name(), index),
                wr.workflow.signing(),
                run.span);
        HttpStepRunner.Gate gate = new HttpStepRunner.Gate() {
            @Override
            public Future<Void> beforeWrite() {
                return claimer.claim(wr, step.timeout().toMillis());
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
        return client.call(request, step.timeout().toMillis(), run.deadline, gate)
                .map(result -> {
                    wr.response = result.json() == null
                            ? null
                            : EventRun.parseJson(result.json().getBytes());
                    return (Void) null;
                });
    }
}
