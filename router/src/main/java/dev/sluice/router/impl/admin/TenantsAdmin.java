package dev.sluice.router.impl.admin;

import static dev.sluice.router.impl.admin.AdminHttp.body;
import static dev.sluice.router.impl.admin.AdminHttp.json;
import static dev.sluice.router.impl.admin.AdminHttp.lifetime;
import static dev.sluice.router.impl.admin.AdminHttp.notFound;
import static dev.sluice.router.impl.admin.AdminHttp.problem;

import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.Map;

/** {@code /admin/tenants}: create (with an optional rate limit), list, revoke. */
final class TenantsAdmin {

    private final AdminStore store;

    TenantsAdmin(AdminStore store) {
        this.store = store;
    }

    Map<String, Handler<RoutingContext>> operations() {
        return Map.of("createTenant", this::create, "listTenants", this::list, "revokeTenant", this::revoke);
    }

    /** The body has passed the contract's TenantRequest schema: an id of the right form, a string name, whole limits >= 0, nothing else. */
    private void create(RoutingContext ctx) {
        JsonObject body = body(ctx);
        String id = body.getString("id");
        String name = body.getString("name");
        JsonObject rate = body.getJsonObject("rateLimit", new JsonObject());
        long[] limit = {rate.getLong("events", 0L), rate.getLong("bytes", 0L)};
        store.one(
                ctx,
                "INSERT INTO sluice_tenants (id, name, events_per_second, bytes_per_second) VALUES ($1, $2, $3, $4) "
                        + "ON CONFLICT (id) DO NOTHING RETURNING id",
                Tuple.of(id, name, limit[0] == 0 ? null : limit[0], limit[1] == 0 ? null : limit[1]),
                () -> problem(ctx, 409, "conflict", "Already exists", "tenant " + id + " already exists"),
                rows -> json(
                        ctx,
                        201,
                        new JsonObject().put("id", id).put("name", name).put("rateLimit", limits(limit[0], limit[1]))));
    }

    private static JsonObject limits(long events, long bytes) {
        return events == 0 && bytes == 0
                ? null
                : new JsonObject().put("events", events).put("bytes", bytes);
    }

    private void list(RoutingContext ctx) {
        store.list(
                ctx,
                "tenants",
                "SELECT id, name, events_per_second, bytes_per_second, created_at, revoked_at FROM sluice_tenants ORDER BY id",
                Tuple.tuple(),
                TenantsAdmin::shown);
    }

    private static JsonObject shown(Row r) {
        Long e = r.getLong("events_per_second");
        Long b = r.getLong("bytes_per_second");
        return lifetime(
                new JsonObject()
                        .put("id", r.getString("id"))
                        .put("name", r.getString("name"))
                        .put("rateLimit", limits(e == null ? 0 : e, b == null ? 0 : b)),
                r);
    }

    private void revoke(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        store.revoke(
                ctx, "sluice_tenants", "id", id, () -> notFound(ctx, "No such tenant", "no tenant " + id), () -> {});
    }
}
