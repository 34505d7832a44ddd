package dev.sluice.executor.impl.workflow;

import dev.sluice.core.WorkflowConfig;
import dev.sluice.executor.impl.state.RunClaims;
import io.vertx.core.Future;

/** A workflow run's claim: taken before its first side effect, renewed before each later one, marked done once decided. */
record RunClaimer(RunClaims claims, long leaseMarginMillis) {

    /**
     * Claims the run before its first side effect, and renews the lease before each later one (each
     * retry, each further step), for the step's timeout plus the margin. Fails with
     * {@link StepFailure.ClaimLost} when the run is not, or no longer, this executor's to send, and
     * with {@link StepFailure.NotSent} when it may not be sent before the deadline.
     */
    Future<Void> claim(WorkflowRun wr, long stepTimeoutMillis) {
        EventRun run = wr.run;
        long lease = stepTimeoutMillis + leaseMarginMillis;
        if (wr.claim == null) {
            return claims.claim(run.route, run.id, wr.workflow.name(), wr.workflow.delivery(), lease, run.deadline)
                    .compose(c -> {
                        wr.claim = c;
                        return switch (c.state()) {
                            case CLAIMED, RESEND, UNAVAILABLE, OFF -> Future.succeededFuture();
                            case HELD ->
                                Future.failedFuture(
                                        StepFailure.claimLost(
                                                "another executor's lease on this run was still live at the deadline; that executor decides it"));
                            case DUPLICATE ->
                                Future.failedFuture(
                                        StepFailure.claimLost(
                                                "already decided: a redelivery of a live event whose run was done; nothing was sent again"));
                            case TOO_LATE ->
                                Future.failedFuture(StepFailure.notSent(
                                        "the deadline passed before the run's claim could be taken; nothing was sent"));
                            case UNREACHABLE ->
                                Future.failedFuture(
                                        StepFailure.notSent(
                                                "at-most-once: Redis did not answer the run's "
                                                        + "claim before the deadline, and an unclaimed run is never sent; nothing was sent"));
                        };
                    });
        }
        if (wr.workflow.delivery() == WorkflowConfig.Delivery.AT_MOST_ONCE
                || wr.claim.state() == RunClaims.State.UNAVAILABLE
                || wr.claim.state() == RunClaims.State.OFF) {
            return Future.succeededFuture();
        }
        return claims.renew(run.route, run.id, wr.workflow.name(), lease, run.deadline)
                .compose(ours -> ours
                        ? Future.succeededFuture()
                        : Future.failedFuture(
                                StepFailure.claimLost("the lease lapsed and another executor took the run over")));
    }

    /** Marks a claimed run decided, so that a redelivery skips it instead of re-sending. */
    Future<Void> decided(WorkflowRun wr) {
        if (wr.claim != null && wr.claim.ours()) {
            // Not waited for: a mark that is lost costs one counted re-send with the same webhook-id, never a loss.
            claims.done(wr.run.route, wr.run.id, wr.workflow.name(), wr.run.deadline);
        }
        return Future.succeededFuture();
    }
}
