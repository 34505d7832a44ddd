package dev.sluice.executor.impl.workflow;

import dev.sluice.core.StepConfig;
import io.vertx.core.Future;

/**
 * Runs one type of step for a workflow run. The future says whether the workflow goes on to its
 * next step ({@code true}) or ends here, successfully ({@code false}: a filter that did not
 * match); a failure is a {@link StepFailure} (or, for a bug, anything else: the run is then
 * dead-lettered with it).
 *
 * @param <S> the step type
 */
interface StepRunner<S extends StepConfig> {

    Future<Boolean> run(S step, int index, WorkflowRun wr);

    /** The workflow goes on. */
    Future<Boolean> NEXT = Future.succeededFuture(true);

    /** The workflow ends here, successfully. */
    Future<Boolean> END = Future.succeededFuture(false);
}
