package dev.sluice.router.impl.http;

import dev.sluice.core.Condition;
import dev.sluice.core.WorkflowConfig;
import dev.sluice.router.impl.ingest.Draft;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The event of a manual run: its payload as sent (JSON; an empty body is {@code {}}), with
 * CloudEvents type {@value #TYPE}, source {@code /workflows/<name>} and extension
 * {@code workflow=<name>}; and what the workflow's filter makes of it.
 *
 * @param draft the event as the pipeline takes it
 * @param json  the payload, decoded, as the filter sees it
 */
record ManualRunEvent(Draft draft, Object json) {

    /** The CloudEvents type of a manual run. */
    static final String TYPE = "dev.sluice.manual";

    /** The run of {@code workflow} with {@code body}; a body that is not JSON throws {@link DecodeException}. */
    static ManualRunEvent of(WorkflowConfig workflow, byte[] body) {
        Object json = body.length == 0 ? new JsonObject() : Json.decodeValue(Buffer.buffer(body));
        byte[] payload = body.length == 0 ? "{}".getBytes(StandardCharsets.UTF_8) : body;
        return new ManualRunEvent(
                new Draft(
                        null,
                        "/workflows/" + workflow.name(),
                        TYPE,
                        null,
                        null,
                        "application/json",
                        payload,
                        Map.of("workflow", workflow.name())),
                json);
    }

    /** Whether {@code workflow}'s filter (if any) accepts this event, so the run would start. */
    boolean passes(WorkflowConfig workflow) {
        return workflow.filter() == null || workflow.filter().test(asFiltered());
    }

    /** The event as a workflow's filter sees it (its id is minted later, so a filter on the id sees none). */
    private Condition.Event asFiltered() {
        return new Condition.Event() {
            @Override
            public String attribute(String name) {
                return switch (name) {
                    case "source" -> draft.source();
                    case "type" -> draft.type();
                    case "datacontenttype" -> draft.contentType();
                    default -> draft.extensions().get(name);
                };
            }

            @Override
            public Object json() {
                return json;
            }
        };
    }
}
