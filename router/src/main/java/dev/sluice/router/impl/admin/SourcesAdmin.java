package dev.sluice.router.impl.admin;

import static dev.sluice.router.impl.admin.AdminHttp.invalid;
import static dev.sluice.router.impl.admin.AdminHttp.json;
import static dev.sluice.router.impl.admin.AdminHttp.problem;
import static dev.sluice.router.impl.admin.AdminStore.answer;
import static dev.sluice.router.impl.admin.StoredDefinitions.definition;

import dev.sluice.core.AuthMode;
import dev.sluice.core.Catalog;
import dev.sluice.core.ConfigException;
import dev.sluice.core.RouteConfig;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Tuple;
import java.util.Map;

/** {@code /admin/sources}: a stored source is a catalog route; put, list, get (secrets hidden), delete. */
final class SourcesAdmin {

    private final AdminStore store;
    private final StoredDefinitions sources;

    SourcesAdmin(AdminStore store) {
        this.store = store;
        this.sources = new StoredDefinitions(
                store,
                "sluice_sources",
                "source",
                "source",
                "source, definition",
                r -> redacted(r.getString("source"), definition(r)));
    }

    Map<String, Handler<RoutingContext>> operations() {
        return Map.of(
                "putSource",
                this::put,
                "listSources",
                ctx -> sources.list(ctx, "sources"),
                "getSource",
                sources::get,
                "deleteSource",
                sources::delete);
    }

    /**
     * The body has passed the contract's Route schema (an object; topic, ttl and key strings; auth
     * public or key). What a schema cannot say is checked here: the name matches the path, secrets
     * are stored rather than named, the catalog accepts the route, and its tenant exists.
     */
    private void put(RoutingContext ctx) {
        JsonObject def = sources.named(ctx);
        if (def == null) {
            return;
        }
        String source = def.getString("source");
        if (def.getValue("signature") instanceof JsonObject sig && sig.containsKey("secretsEnv")) {
            invalid(ctx, "signature.secretsEnv", "a stored source carries its secrets in signature.secrets");
            return;
        }
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
        Future<Boolean> stored = store.query("SELECT 1 FROM sluice_tenants WHERE id = $1", Tuple.of(route.tenant()))
                .compose(rows -> rows.size() == 0
                        ? Future.succeededFuture(false)
                        : sources.upsert(source, def).map(true));
        answer(ctx, stored, tenantExists -> {
            if (tenantExists) {
                json(ctx, 200, redacted(source, def));
            } else {
                invalid(ctx, "tenant", "no tenant " + route.tenant() + " (create it first)");
            }
        });
    }

    /** The definition as shown: signature secrets replaced by their count. */
    private static JsonObject redacted(String source, JsonObject def) {
        return StoredDefinitions.redacted("source", source, def, "signature");
    }
}
