package dev.sluice.router.impl.admin;

import static dev.sluice.router.impl.admin.AdminHttp.body;
import static dev.sluice.router.impl.admin.AdminHttp.invalid;
import static dev.sluice.router.impl.admin.AdminHttp.json;
import static dev.sluice.router.impl.admin.AdminHttp.notFound;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.function.Function;

/**
 * A table of stored definitions, one JSON {@code definition} per key: sources by {@code source},
 * workflows by {@code name}. The key is also the path parameter that names one; a missing one is
 * 404 "No such {@code noun}". Listing, getting, storing and deleting are the same for each; what
 * a definition must satisfy is its resource's.
 *
 * @param store   the database
 * @param table   the table ({@code sluice_sources})
 * @param key     its key column, and the path parameter ({@code source})
 * @param noun    what one is called in a 404 ({@code source})
 * @param columns the columns {@code shown} reads
 * @param shown   a row as the API shows it (secrets hidden)
 */
record StoredDefinitions(
        AdminStore store, String table, String key, String noun, String columns, Function<Row, JsonObject> shown) {

    /**
     * The body as the definition the path names, its key member set to the path's; null once
     * refused, when the body names another ({@code invalid-field}).
     */
    JsonObject named(RoutingContext ctx) {
        String id = ctx.pathParam(key);
        JsonObject body = body(ctx);
        if (body.containsKey(key) && !id.equals(body.getValue(key))) {
            invalid(ctx, key, "must match the path (" + id + ") or be left out");
            return null;
        }
        return body.copy().put(key, id);
    }

    /** 200 with every definition, by key, in an array under {@code member}. */
    void list(RoutingContext ctx, String member) {
        store.list(ctx, member, "SELECT " + columns + " FROM " + table + " ORDER BY " + key, Tuple.tuple(), shown);
    }

    /** 200 with the definition the path names, or 404. */
    void get(RoutingContext ctx) {
        String id = ctx.pathParam(key);
        store.one(
                ctx,
                "SELECT " + columns + " FROM " + table + " WHERE " + key + " = $1",
                Tuple.of(id),
                () -> missing(ctx, id),
                rows -> json(ctx, 200, shown.apply(rows.iterator().next())));
    }

    /** 204 once the definition the path names is deleted, or 404. */
    void delete(RoutingContext ctx) {
        String id = ctx.pathParam(key);
        store.one(
                ctx,
                "DELETE FROM " + table + " WHERE " + key + " = $1",
                Tuple.of(id),
                () -> missing(ctx, id),
                rows -> ctx.response().setStatusCode(204).end());
    }

    /** Stores {@code definition} under {@code id}, made or replaced. */
    Future<RowSet<Row>> upsert(String id, JsonObject definition) {
        return store.query(
                "INSERT INTO " + table + " (" + key + ", definition) VALUES ($1, $2) ON CONFLICT (" + key + ") "
                        + "DO UPDATE SET definition = EXCLUDED.definition, updated_at = now()",
                Tuple.of(id, definition));
    }

    private void missing(RoutingContext ctx, String id) {
        notFound(ctx, "No such " + noun, "no stored " + noun + " " + id);
    }

    /** A row's definition (a JSON column), as a JSON object of its own. */
    static JsonObject definition(Row r) {
        Object raw = r.getJson("definition");
        return raw instanceof String text ? new JsonObject(text) : ((JsonObject) raw).copy();
    }

    /** {@code def} under its {@code key} member as shown: the secrets in {@code holder} replaced by their count. */
    static JsonObject redacted(String keyMember, String id, JsonObject def, String holder) {
        JsonObject out = new JsonObject().put(keyMember, id).mergeIn(def.copy());
        if (out.getValue(holder) instanceof JsonObject h && h.getValue("secrets") instanceof JsonArray secrets) {
            h.put("secrets", secrets.size() + " (hidden)");
        }
        return out;
    }
}
