package dev.sluice.router.impl.admin;

import static dev.sluice.router.impl.admin.AdminHttp.body;
import static dev.sluice.router.impl.admin.AdminHttp.json;
import static dev.sluice.router.impl.admin.AdminHttp.lifetime;
import static dev.sluice.router.impl.admin.AdminHttp.notFound;

import dev.sluice.router.impl.auth.ApiKeys;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Tuple;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A tenant's API keys: make one (the secret is in this answer only), list them, revoke one. */
final class KeysAdmin {

    private static final Logger LOG = LoggerFactory.getLogger(AdminApi.class);

    private final AdminStore store;

    KeysAdmin(AdminStore store) {
        this.store = store;
    }

    Map<String, Handler<RoutingContext>> operations() {
        return Map.of("createKey", this::create, "listKeys", this::list, "revokeKey", this::revoke);
    }

    /** The body, if any, has passed the contract's schema: a string name at most. */
    private void create(RoutingContext ctx) {
        String tenant = ctx.pathParam("id");
        String name = body(ctx).getString("name");
        ApiKeys.Issued issued = ApiKeys.issue();
        store.one(
                ctx,
                "INSERT INTO sluice_api_keys (id, tenant, hash, name) SELECT $1, id, $2, $3 FROM sluice_tenants "
                        + "WHERE id = $4 AND revoked_at IS NULL RETURNING id",
                Tuple.of(issued.id(), Buffer.buffer(issued.hash()), name, tenant),
                () -> notFound(ctx, "No such tenant", "no live tenant " + tenant),
                rows -> {
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

    private void list(RoutingContext ctx) {
        store.list(
                ctx,
                "keys",
                "SELECT id, name, created_at, revoked_at FROM sluice_api_keys WHERE tenant = $1 ORDER BY created_at",
                Tuple.of(ctx.pathParam("id")),
                r -> lifetime(new JsonObject().put("id", r.getString("id")).put("name", r.getString("name")), r));
    }

    private void revoke(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        store.revoke(
                ctx,
                "sluice_api_keys",
                "id",
                id,
                () -> notFound(ctx, "No such key", "no API key " + id),
                () -> LOG.info("API key {} revoked", id));
    }
}
