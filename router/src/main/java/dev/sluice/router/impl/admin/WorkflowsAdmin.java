package dev.sluice.router.impl.admin;

import static dev.sluice.router.impl.admin.AdminHttp.body;
import static dev.sluice.router.impl.admin.AdminHttp.invalid;
import static dev.sluice.router.impl.admin.AdminHttp.json;
import static dev.sluice.router.impl.admin.AdminHttp.problem;
import static dev.sluice.router.impl.admin.AdminStore.answer;
import static dev.sluice.router.impl.admin.StoredDefinitions.definition;

import dev.sluice.core.ConfigException;
import dev.sluice.core.WorkflowConfig;
import dev.sluice.router.impl.workflow.WorkflowDirectory;
import dev.sluice.router.impl.workflow.WorkflowDryRun;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Row;
import java.util.Map;
import java.util.function.Predicate;

/**
 * {@code /admin/workflows}: workflow definitions in {@code sluice_workflows}, the table executors
 * load from (with {@code executor.workflows=postgres}) and reload on every change through its
 * trigger. A definition is a catalog workflow; it is validated as the executors validate it, and
 * its sources must be routed by this router. Signing secrets are stored in {@code signing.secrets}
 * (never shown back); {@code secretsEnv} would name a variable of whichever executor loads it, so
 * it is refused here. {@code POST /admin/workflows/validate} checks a definition without storing
 * it and, given a sample event, shows what each step would do ({@link WorkflowDryRun}).
 */
final class WorkflowsAdmin {

    private final StoredDefinitions workflows;
    private final Predicate<String> routed;

    WorkflowsAdmin(AdminStore store, Predicate<String> routed) {
        this.workflows = new StoredDefinitions(
                store,
                "sluice_workflows",
                "name",
                "workflow",
                "name, definition, updated_at",
                r -> shown(r.getString("name"), r));
        this.routed = routed;
    }

    Map<String, Handler<RoutingContext>> operations() {
        return Map.of(
                "validateWorkflow", this::validate,
                "putWorkflow", this::put,
                "listWorkflows", ctx -> workflows.list(ctx, "workflows"),
                "getWorkflow", workflows::get,
                "deleteWorkflow", workflows::delete);
    }

    /** The body has passed the contract's schema (an object); the workflow's own rules are the executors', checked here. */
    private void put(RoutingContext ctx) {
        JsonObject def = workflows.named(ctx);
        if (def == null || checked(ctx, def) == null) {
            return;
        }
        String name = def.getString("name");
        def.remove("name");
        answer(ctx, workflows.upsert(name, def), rows -> json(ctx, 200, redacted(name, def)));
    }

    /** The definition as a workflow, or null once the problem is answered. */
    private WorkflowConfig checked(RoutingContext ctx, JsonObject def) {
        if (def.getValue("signing") instanceof JsonObject sig && sig.containsKey("secretsEnv")) {
            invalid(ctx, "signing.secretsEnv", "a stored workflow carries its secrets in signing.secrets");
            return null;
        }
        WorkflowConfig w;
        try {
            w = WorkflowDirectory.parse(def);
        } catch (ConfigException e) {
            problem(ctx, 400, "invalid-field", "Invalid field", e.getMessage());
            return null;
        }
        for (int i = 0; i < w.sources().size(); i++) {
            if (!routed.test(w.sources().get(i))) {
                invalid(
                        ctx,
                        "sources[" + i + "]",
                        "no source '" + w.sources().get(i) + "' is routed here (add it to the catalog or "
                                + "with PUT /admin/sources first)");
                return null;
            }
        }
        return w;
    }

    /** The body has passed the contract's schema: a workflow object, and an event object if any. */
    private void validate(RoutingContext ctx) {
        JsonObject body = body(ctx);
        WorkflowConfig w = checked(ctx, body.getJsonObject("workflow"));
        if (w == null) {
            return;
        }
        JsonObject event = body.getJsonObject("event");
        JsonObject out = new JsonObject()
                .put("valid", true)
                .put("workflow", w.name())
                .put("sources", new JsonArray(w.sources()));
        if (event != null) {
            out.put("dryRun", WorkflowDryRun.of(w, event));
        }
        json(ctx, 200, out);
    }

    /** A stored workflow as shown, with when it last changed. */
    private static JsonObject shown(String name, Row r) {
        return redacted(name, definition(r)).put("updatedAt", AdminHttp.time(r.getOffsetDateTime("updated_at")));
    }

    /** The definition as shown: signing secrets replaced by their count. */
    private static JsonObject redacted(String name, JsonObject def) {
        JsonObject out = StoredDefinitions.redacted("name", name, def, "signing");
        out.remove("updatedAt");
        return out;
    }
}
