package dev.sluice.router.impl.admin;

import static dev.sluice.router.impl.admin.AdminContract.operation;
import static dev.sluice.router.impl.admin.AdminHttp.body;
import static dev.sluice.router.impl.admin.AdminHttp.failed;
import static dev.sluice.router.impl.admin.AdminHttp.json;
import static dev.sluice.router.impl.admin.AdminHttp.problem;
import static dev.sluice.router.impl.admin.AdminHttp.time;

import dev.sluice.router.impl.auth.ApiKeys;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A tenant's API keys: make one (the secret is in this answer only), list them, revoke one. */
final class KeysAdmin {

    private static final Logger LOG = LoggerFactory.getLogger(AdminApi.class);

    private final Pool pool;

    KeysAdmin(Pool pool) {
        this.pool = pool;
    }

    void bind(RouterBuilder builder) {
        operation(builder, "createKey").addHandler(this::createKey);
        operation(builder, "listKeys").addHandler(this::listKeys);
        operation(builder, "revokeKey").addHandler(this::revokeKey);
    }

    /** The body, if any, has passed the contract's schema: a string name at most. */
    private void createKey(RoutingContext ctx) {
        String tenant = ctx.pathParam("id");
        String name = body(ctx).getString("name");
        ApiKeys.Issued issued = ApiKeys.issue();
        pool.preparedQuery(
                        "INSERT INTO sluice_api_keys (id, tenant, hash, name) SELECT $1, id, $2, $3 FROM sluice_tenants "
                                + "WHERE id = $4 AND revoked_at IS NULL RETURNING id")
                .execute(Tuple.of(issued.id(), Buffer.buffer(issued.hash()), name, tenant))
                .onComplete(ar -> {
                    if (failed(ctx, ar)) {
                        return;
                    }
                    if (ar.result().rowCount() == 0) {
                        problem(ctx, 404, "not-found", "No such tenant", "no live tenant " + tenant);
                        return;
                    }
                    LOG.info("API key {} made for tenant {}", issued.id(), tenant);
                    json(
                            ctx,
                            201,
                            new JsonObject()
                                    .put("id", issued.id())
                                    .put("tenant", tenant)
                                    .put("name", name)
                                    .put("key", issued.key())
                                    .put("note", "the key is shown only now; store it"));
                });
    }

    private void listKeys(RoutingContext ctx) {
        pool.preparedQuery(
                        "SELECT id, name, created_at, revoked_at FROM sluice_api_keys WHERE tenant = $1 ORDER BY created_at")
                .execute(Tuple.of(ctx.pathParam("id")))
                .onComplete(ar -> {
                    if (failed(ctx, ar)) {
                        return;
                    }
                    JsonArray out = new JsonArray();
                    for (Row r : ar.result()) {
                        out.add(new JsonObject()
                                .put("id", r.getString("id"))
                                .put("name", r.getString("name"))
                                .put("createdAt", time(r.getOffsetDateTime("created_at")))
                                .put("revokedAt", time(r.getOffsetDateTime("revoked_at"))));
                    }
                    json(ctx, 200, new JsonObject().put("keys", out));
                });
    }

    private void revokeKey(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        pool.preparedQuery(
                        "UPDATE sluice_api_keys SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1 RETURNING id")
                .execute(Tuple.of(id))
                .onComplete(ar -> {
                    if (!failed(ctx, ar)) {
                        if (ar.result().rowCount() == 0) {
                            problem(ctx, 404, "not-found", "No such key", "no API key " + id);
                        } else {
                            LOG.info("API key {} revoked", id);
                            json(ctx, 200, new JsonObject().put("id", id).put("revoked", true));
                        }
                    }
                });
    }
}
