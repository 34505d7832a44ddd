package dev.sluice.router.impl.admin;

import static dev.sluice.router.impl.admin.AdminContract.operation;
import static dev.sluice.router.impl.admin.AdminHttp.body;
import static dev.sluice.router.impl.admin.AdminHttp.failed;
import static dev.sluice.router.impl.admin.AdminHttp.json;
import static dev.sluice.router.impl.admin.AdminHttp.problem;
import static dev.sluice.router.impl.admin.AdminHttp.time;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

/** {@code /admin/tenants}: create (with an optional rate limit), list, revoke. */
final class TenantsAdmin {

    private final Pool pool;

    TenantsAdmin(Pool pool) {
        this.pool = pool;
    }

    void bind(RouterBuilder builder) {
        operation(builder, "createTenant").addHandler(this::createTenant);
        operation(builder, "listTenants").addHandler(this::listTenants);
        operation(builder, "revokeTenant").addHandler(this::revokeTenant);
    }

    /** The body has passed the contract's TenantRequest schema: an id of the right form, a string name, whole limits >= 0, nothing else. */
    private void createTenant(RoutingContext ctx) {
        JsonObject body = body(ctx);
        String id = body.getString("id");
        String name = body.getString("name");
        JsonObject rate = body.getJsonObject("rateLimit", new JsonObject());
        long[] limit = {rate.getLong("events", 0L), rate.getLong("bytes", 0L)};
        pool.preparedQuery(
                        "INSERT INTO sluice_tenants (id, name, events_per_second, bytes_per_second) VALUES ($1, $2, $3, $4) "
                                + "ON CONFLICT (id) DO NOTHING RETURNING id")
                .execute(Tuple.of(id, name, limit[0] == 0 ? null : limit[0], limit[1] == 0 ? null : limit[1]))
                .onComplete(ar -> {
                    if (failed(ctx, ar)) {
                        return;
                    }
                    if (ar.result().rowCount() == 0) {
                        problem(ctx, 409, "conflict", "Already exists", "tenant " + id + " already exists");
                        return;
                    }
                    json(
                            ctx,
                            201,
                            new JsonObject()
                                    .put("id", id)
                                    .put("name", name)
                                    .put("rateLimit", limits(limit[0], limit[1])));
                });
    }

    private static JsonObject limits(long events, long bytes) {
        return events == 0 && bytes == 0
                ? null
                : new JsonObject().put("events", events).put("bytes", bytes);
    }

    private void listTenants(RoutingContext ctx) {
        pool.query(
                        "SELECT id, name, events_per_second, bytes_per_second, created_at, revoked_at FROM sluice_tenants ORDER BY id")
                .execute()
                .onComplete(ar -> {
                    if (failed(ctx, ar)) {
                        return;
                    }
                    JsonArray out = new JsonArray();
                    for (Row r : ar.result()) {
                        Long e = r.getLong("events_per_second");
                        Long b = r.getLong("bytes_per_second");
                        out.add(new JsonObject()
                                .put("id", r.getString("id"))
                                .put("name", r.getString("name"))
                                .put("rateLimit", limits(e == null ? 0 : e, b == null ? 0 : b))
                                .put("createdAt", time(r.getOffsetDateTime("created_at")))
                                .put("revokedAt", time(r.getOffsetDateTime("revoked_at"))));
                    }
                    json(ctx, 200, new JsonObject().put("tenants", out));
                });
    }

    private void revokeTenant(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        pool.preparedQuery(
                        "UPDATE sluice_tenants SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1 RETURNING id")
                .execute(Tuple.of(id))
                .onComplete(ar -> {
                    if (!failed(ctx, ar)) {
                        if (ar.result().rowCount() == 0) {
                            problem(ctx, 404, "not-found", "No such tenant", "no tenant " + id);
                        } else {
                            json(ctx, 200, new JsonObject().put("id", id).put("revoked", true));
                        }
                    }
                });
    }
}
