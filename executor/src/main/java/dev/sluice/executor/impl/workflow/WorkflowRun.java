package dev.sluice.executor.impl.workflow;

import dev.sluice.core.Templates;
import dev.sluice.core.WorkflowConfig;
import io.vertx.core.json.JsonObject;

/**
 * One workflow's run of one event: the payload as the steps reshape it, and the attempts written
 * to targets so far. Confined to the event loop.
 */
final class WorkflowRun implements Templates.Scope {

    final EventRun run;
    final WorkflowConfig workflow;
    final long startMillis;
    byte[] payload;
    String contentType;
    Object response;
    /** Attempts of side effects (requests, publishes, Redis commands) made so far, over every step. */
    int attempts;
    /** Requests written to targets so far (each may have been acted on, answered or not). */
    int written;
    /** When the first of them was written (epoch ms), or -1. */
    long firstWriteMillis = -1;
    /** The run's claim once taken (null before its first side effect, or without Redis). */
    dev.sluice.executor.impl.state.RunClaims.Claim claim;

    private Object json;
    private boolean parsed;

    WorkflowRun(EventRun run, WorkflowConfig workflow, long startMillis) {
        this.run = run;
        this.workflow = workflow;
        this.startMillis = startMillis;
        this.payload = run.record.value();
    }

    /** A side effect is being written to its target now. */
    void wrote() {
        if (written++ == 0) {
            firstWriteMillis = System.currentTimeMillis();
        }
    }

    void replacePayload(JsonObject next) {
        payload = next.toBuffer().getBytes();
        contentType = "application/json";
        json = next;
        parsed = true;
    }

    @Override
    public String attribute(String name) {
        if (name.equals("datacontenttype") && contentType != null) {
            return contentType;
        }
        return run.attribute(name);
    }

    @Override
    public Object json() {
        if (!parsed) {
            parsed = true;
            json = payload == run.record.value() ? run.json() : EventRun.parseJson(payload);
        }
        return json;
    }

    @Override
    public Object response() {
        return response;
    }
}
