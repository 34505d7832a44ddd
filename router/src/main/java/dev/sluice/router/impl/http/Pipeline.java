package dev.sluice.router.impl.http;

import dev.sluice.router.impl.RouterMetrics.RouteMeters;
import dev.sluice.router.impl.ingest.Parsed;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.List;

/**
 * The ingest pipeline after Parse, for any transport, on one event loop: a check that must pass
 * first (a rate limit), then Deduplicate → Produce → Answer. An HTTP request and an MQTT publish
 * enter it the same way, as a {@link Submission} carrying its own {@link Answer}.
 */
public final class Pipeline {

    private final Producing producing;
    private final Gate gate;
    private final Deduplicate dedup;

    public Pipeline(Context context, IngestState state) {
        this.producing = new Producing(context, state);
        this.gate = new Gate(context, state);
        this.dedup = new Deduplicate(state, context, producing, gate);
    }

    /** Runs {@code next} on this loop once {@code check} passed; answers its refusal otherwise. */
    public void then(Answer answer, RouteMeters meters, Future<Admission.Refusal> check, Runnable next) {
        gate.then(answer, meters, check, next);
    }

    /** Deduplicates, produces and answers the parsed events of one submission. */
    public void submit(Submission sub, List<Parsed> items) {
        gate.guarded(sub, () -> dedup.submit(sub, items));
    }

    /**
     * Runs a stage that comes before the submission exists (an MQTT publish's routing and checks):
     * an exception it throws is counted as {@code internal_error}, logged with a reference and
     * refused through {@code answer}, as in every later stage.
     */
    public void guarded(Answer answer, RouteMeters meters, Runnable stage) {
        gate.guarded(answer, meters, stage);
    }

    /** Refuses a whole submission, counted. */
    public void refuse(Submission sub, Problems.Kind kind, String detail) {
        gate.refuse(sub, kind, detail);
    }

    /** Answers the submissions whose acks are overdue (call every few tens of milliseconds). */
    public void sweep() {
        producing.sweep(System.nanoTime());
    }

    public int pendingCount() {
        return producing.pendingCount();
    }
}
