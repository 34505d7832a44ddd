package dev.sluice.router.impl.admin;

import static dev.sluice.router.impl.admin.AdminContract.operation;
import static dev.sluice.router.impl.admin.AdminHttp.body;
import static dev.sluice.router.impl.admin.AdminHttp.failed;
import static dev.sluice.router.impl.admin.AdminHttp.invalid;
import static dev.sluice.router.impl.admin.AdminHttp.json;
import static dev.sluice.router.impl.admin.AdminHttp.problem;

import dev.sluice.core.ConfigException;
import dev.sluice.core.WorkflowConfig;
import dev.sluice.router.impl.workflow.WorkflowDirectory;
import dev.sluice.router.impl.workflow.WorkflowDryRun;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
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

    private final Pool pool;
    private final Predicate<String> routed;

    WorkflowsAdmin(Pool pool, Predicate<String> routed) {
        this.pool = pool;
        this.routed = routed;
    }

    void bind(RouterBuilder builder) {
        operation(builder, "validateWorkflow").addHandler(this::validate);
        operation(builder, "putWorkflow").addHandler(this::put);
        operation(builder, "listWorkflows").addHandler(this::list);
        operation(builder, "getWorkflow").addHandler(this::get);
        operation(builder, "deleteWorkflow").addHandler(this::delete);
    }

    /** The body has passed the contract's schema (an object); the workflow's own rules are the executors', checked here. */
    private void put(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        JsonObject body = body(ctx);
        if (body.containsKey("name") && !name.equals(body.getValue("name"))) {
            invalid(ctx, "name", "must match the path (" + name + ") or be left out");
            return;
        }
        JsonObject def = body.copy().put("name", name);
        if (checked(ctx, def) == null) {
            return;
        }
        def.remove("name");
        pool.preparedQuery("INSERT INTO sluice_workflows (name, definition) VALUES ($1, $2) ON CONFLICT (name) "
                        + "DO UPDATE SET definition = EXCLUDED.definition, updated_at = now()")
                .execute(Tuple.of(name, def))
                .onComplete(ar -> {
                    if (!failed(ctx, ar)) {
                        json(ctx, 200, redacted(name, def));
                    }
                });
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

    private void list(RoutingContext ctx) {
        pool.query("SELECT name, definition, updated_at FROM sluice_workflows ORDER BY name")
                .execute()
                .onComplete(ar -> {
                    if (failed(ctx, ar)) {
                        return;
                    }
                    JsonArray out = new JsonArray();
                    for (Row r : ar.result()) {
                        out.add(redacted(r.getString("name"), definition(r))
                                .put("updatedAt", AdminHttp.time(r.getOffsetDateTime("updated_at"))));
                    }
                    json(ctx, 200, new JsonObject().put("workflows", out));
                });
    }

    private void get(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        pool.preparedQuery("SELECT name, definition, updated_at FROM sluice_workflows WHERE name = $1")
                .execute(Tuple.of(name))
                .onComplete(ar -> {
                    if (failed(ctx, ar)) {
                        return;
                    }
                    if (ar.result().size() == 0) {
                        problem(ctx, 404, "not-found", "No such workflow", "no stored workflow " + name);
                        return;
                    }
                    Row r = ar.result().iterator().next();
                    json(
                            ctx,
                            200,
                            redacted(name, definition(r))
                                    .put("updatedAt", AdminHttp.time(r.getOffsetDateTime("updated_at"))));
                });
    }

    private void delete(RoutingContext ctx) {
        String name = ctx.pathParam("name");
        pool.preparedQuery("DELETE FROM sluice_workflows WHERE name = $1")
                .execute(Tuple.of(name))
                .onComplete(ar -> {
                    if (!failed(ctx, ar)) {
                        if (ar.result().rowCount() == 0) {
                            problem(ctx, 404, "not-found", "No such workflow", "no stored workflow " + name);
                        } else {
                            ctx.response().setStatusCode(204).end();
                        }
                    }
                });
    }

    private static JsonObject definition(Row r) {
        Object raw = r.getJson("definition");
        return raw instanceof String text ? new JsonObject(text) : ((JsonObject) raw).copy();
    }

    /** The definition as shown: signing secrets replaced by their count. */
    private static JsonObject redacted(String name, JsonObject def) {
        JsonObject out = new JsonObject().put("name", name).mergeIn(def.copy());
        out.remove("updatedAt");
        if (out.getValue("signing") instanceof JsonObject sig && sig.getValue("secrets") instanceof JsonArray secrets) {
            sig.put("secrets", secrets.size() + " (hidden)");
        }
        return out;
    }
}
