package dev.sluice.router.impl.admin;

import static dev.sluice.router.impl.admin.AdminContract.operation;
import static dev.sluice.router.impl.admin.AdminHttp.body;
import static dev.sluice.router.impl.admin.AdminHttp.failed;
import static dev.sluice.router.impl.admin.AdminHttp.invalid;
import static dev.sluice.router.impl.admin.AdminHttp.json;
import static dev.sluice.router.impl.admin.AdminHttp.problem;

import dev.sluice.core.AuthMode;
import dev.sluice.core.Catalog;
import dev.sluice.core.ConfigException;
import dev.sluice.core.RouteConfig;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

/** {@code /admin/sources}: a stored source is a catalog route; put, list, get (secrets hidden), delete. */
final class SourcesAdmin {

    private final Pool pool;

    SourcesAdmin(Pool pool) {
        this.pool = pool;
    }

    void bind(RouterBuilder builder) {
        operation(builder, "putSource").addHandler(this::putSource);
        operation(builder, "listSources").addHandler(this::listSources);
        operation(builder, "getSource").addHandler(this::getSource);
        operation(builder, "deleteSource").addHandler(this::deleteSource);
    }

    /**
     * The body has passed the contract's Route schema (an object; topic, ttl and key strings; auth
     * public or key). What a schema cannot say is checked here: the name matches the path, secrets
     * are stored rather than named, the catalog accepts the route, and its tenant exists.
     */
    private void putSource(RoutingContext ctx) {
        String source = ctx.pathParam("source");
        JsonObject body = body(ctx);
        if (body.containsKey("source") && !source.equals(body.getValue("source"))) {
            invalid(ctx, "source", "must match the path (" + source + ") or be left out");
            return;
        }
        if (body.containsKey("signature")
                && body.getValue("signature") instanceof JsonObject sig
                && sig.containsKey("secretsEnv")) {
            invalid(ctx, "signature.secretsEnv", "a stored source carries its secrets in signature.secrets");
            return;
        }
        JsonObject def = body.copy().put("source", source);
        if (!def.containsKey("auth")) {
            def.put("auth", AuthMode.KEY.spelling);
        }
        RouteConfig route;
        try {
            route = Catalog.parseRoute(def);
        } catch (ConfigException e) {
            problem(ctx, 400, "invalid-field", "Invalid field", e.getMessage());
            return;
        }
        def.remove("source");
        pool.preparedQuery("SELECT 1 FROM sluice_tenants WHERE id = $1")
                .execute(Tuple.of(route.tenant()))
                .compose(rows -> {
                    if (rows.size() == 0) {
                        return Future.succeededFuture(false);
                    }
                    return pool.preparedQuery(
                                    "INSERT INTO sluice_sources (source, definition) VALUES ($1, $2) ON CONFLICT (source) "
                                            + "DO UPDATE SET definition = EXCLUDED.definition, updated_at = now()")
                            .execute(Tuple.of(source, def))
                            .map(true);
                })
                .onComplete(ar -> {
                    if (failed(ctx, ar)) {
                        return;
                    }
                    if (!ar.result()) {
                        problem(
                                ctx,
                                400,
                                "invalid-field",
                                "Invalid field",
                                "tenant: no tenant " + route.tenant() + " (create it first)");
                        return;
                    }
                    json(ctx, 200, redacted(source, def));
                });
    }

    private void listSources(RoutingContext ctx) {
        pool.query("SELECT source, definition FROM sluice_sources ORDER BY source")
                .execute()
                .onComplete(ar -> {
                    if (failed(ctx, ar)) {
                        return;
                    }
                    JsonArray out = new JsonArray();
                    for (Row r : ar.result()) {
                        out.add(redacted(r.getString("source"), definition(r)));
                    }
                    json(ctx, 200, new JsonObject().put("sources", out));
                });
    }

    private void getSource(RoutingContext ctx) {
        String source = ctx.pathParam("source");
        pool.preparedQuery("SELECT source, definition FROM sluice_sources WHERE source = $1")
                .execute(Tuple.of(source))
                .onComplete(ar -> {
                    if (failed(ctx, ar)) {
                        return;
                    }
                    if (ar.result().size() == 0) {
                        problem(ctx, 404, "not-found", "No such source", "no stored source " + source);
                        return;
                    }
                    json(
                            ctx,
                            200,
                            redacted(source, definition(ar.result().iterator().next())));
                });
    }

    private void deleteSource(RoutingContext ctx) {
        String source = ctx.pathParam("source");
        pool.preparedQuery("DELETE FROM sluice_sources WHERE source = $1")
                .execute(Tuple.of(source))
                .onComplete(ar -> {
                    if (!failed(ctx, ar)) {
                        if (ar.result().rowCount() == 0) {
                            problem(ctx, 404, "not-found", "No such source", "no stored source " + source);
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

    /** The definition as shown: signature secrets replaced by their count. */
    private static JsonObject redacted(String source, JsonObject def) {
        JsonObject out = new JsonObject().put("source", source).mergeIn(def.copy());
        JsonObject sig = out.getJsonObject("signature");
        if (sig != null && sig.containsKey("secrets")) {
            sig.put("secrets", sig.getJsonArray("secrets").size() + " (hidden)");
        }
        return out;
    }
}
