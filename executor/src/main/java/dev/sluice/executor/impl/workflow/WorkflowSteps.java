package dev.sluice.executor.impl.workflow;

import dev.sluice.core.StepConfig;
import dev.sluice.core.Templates;
import io.vertx.core.Future;

/**
 * The runner of each step type, one per type behind {@link StepRunner}: http, publish and redis
 * steps are side effects (claimed, retried under {@link StepRetries}), transform and filter steps
 * are local.
 */
final class WorkflowSteps {

    private final StepRunner<StepConfig.Http> http;
    private final StepRunner<StepConfig.Publish> publish;
    private final StepRunner<StepConfig.Redis> redis;
    private final StepRunner<StepConfig.Transform> transform = (step, index, wr) -> {
        try {
            wr.replacePayload(Templates.build(step.set(), wr));
            return StepRunner.NEXT;
        } catch (RuntimeException e) {
            return Future.failedFuture(StepFailure.fatal("transform failed: " + e.getMessage()));
        }
    };
    private final StepRunner<StepConfig.Filter> filter =
            (step, index, wr) -> step.condition().test(wr) ? StepRunner.NEXT : StepRunner.END;

    WorkflowSteps(HttpStepRunner client, SideEffectSteps sideEffects, StepRetries retries, RunClaimer claimer) {
        this.http = new HttpStep(client, retries, claimer);
        this.publish = (step, index, wr) -> retries.run(wr, n -> {
                    wr.attempts++;
                    return claimer.claim(wr, step.timeout().toMillis()).compose(v -> sideEffects.publish(wr, step));
                })
                .compose(v -> StepRunner.NEXT);
        this.redis = (step, index, wr) -> retries.run(wr, n -> {
                    wr.attempts++;
                    return claimer.claim(wr, step.timeout().toMillis()).compose(v -> sideEffects.redis(wr, step));
                })
                .compose(v -> StepRunner.NEXT);
    }

    /** Runs step {@code index} with the runner of its type. */
    Future<Boolean> run(StepConfig step, int index, WorkflowRun wr) {
        if (step instanceof StepConfig.Http s) {
            return http.run(s, index, wr);
        }
        if (step instanceof StepConfig.Publish s) {
            return publish.run(s, index, wr);
        }
        if (step instanceof StepConfig.Redis s) {
            return redis.run(s, index, wr);
        }
        if (step instanceof StepConfig.Transform s) {
            return transform.run(s, index, wr);
        }
        return filter.run((StepConfig.Filter) step, index, wr);
    }
}
