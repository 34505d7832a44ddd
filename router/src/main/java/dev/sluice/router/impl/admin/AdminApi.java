package dev.sluice.router.impl.admin;

import dev.sluice.core.Catalog;
import dev.sluice.core.ConfigException;
import dev.sluice.core.RouteConfig;
import dev.sluice.router.impl.auth.ApiKeys;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.security.MessageDigest;
import java.time.OffsetDateTime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API on the management port, guarded by {@code router.admin.key} ({@code Authorization:
 * Bearer}, compared in constant time). Tenants, their API keys (the secret is in the creation answer
 * only) and sources (a source is its route: topic, TTL, key, signature secrets, limits). Every change
 * is a row in PostgreSQL; the triggers notify every router, which reload within moments. Errors are
 * RFC 9457 problems naming the field at fault.
 *
 * <pre>
 * POST   /admin/tenants                 {"id", "name"?, "rateLimit"?: {"events", "bytes"}}
 * GET    /admin/tenants
 * DELETE /admin/tenants/{id}            revoke (its keys stop working)
 * POST   /admin/tenants/{id}/keys       {"name"?}  → {"id", "key"} — the key is shown once
 * GET    /admin/tenants/{id}/keys
 * DELETE /admin/keys/{id}               revoke
 * PUT    /admin/sources/{source}        a catalog route without "source" ("auth" defaults to "key")
 * GET    /admin/sources, /admin/sources/{source}   signature secrets are not shown
 * DELETE /admin/sources/{source}
 * </pre>
 */
public final class AdminApi implements Handler<HttpServerRequest> {

    private static final Logger LOG = LoggerFactory.getLogger(AdminApi.class);
    private static final String PROBLEM = "application/problem+json";
    private static final String JSON = "application/json";
    private static final String NAME = "[A-Za-z0-9][A-Za-z0-9._-]{0,63}";

    private final byte[] adminHash;
    private final Pool pool;
    private final Router router;

    /** {@code pool} may be null (no PostgreSQL): every call is then answered 503. */
    public AdminApi(Vertx vertx, String adminKey, Pool pool) {
        this.adminHash = ApiKeys.hash(adminKey);
        this.pool = pool;
        this.router = Router.router(vertx);
        router.route("/admin/*").handler(BodyHandler.create().setBodyLimit(1024 * 1024));
        router.route("/admin/*").handler(this::guard);
        router.post("/admin/tenants").handler(this::createTenant);
        router.get("/admin/tenants").handler(this::listTenants);
        router.delete("/admin/tenants/:id").handler(this::revokeTenant);
        router.post("/admin/tenants/:id/keys").handler(this::createKey);
        router.get("/admin/tenants/:id/keys").handler(this::listKeys);
        router.delete("/admin/keys/:id").handler(this::revokeKey);
        router.put("/admin/sources/:source").handler(this::putSource);
        router.get("/admin/sources").handler(this::listSources);
        router.get("/admin/sources/:source").handler(this::getSource);
        router.delete("/admin/sources/:source").handler(this::deleteSource);
        router.route("/admin/*").handler(ctx -> problem(ctx, 404, "not-found", "No such admin endpoint",
                ctx.request().method() + " " + ctx.request().path() + " is not an admin endpoint"));
    }

    @Override
    public void handle(HttpServerRequest req) {
        router.handle(req);
    }

    private void guard(RoutingContext ctx) {
        String token = ApiKeys.bearer(ctx.request().getHeader("authorization"));
        if (token == null || !MessageDigest.isEqual(ApiKeys.hash(token), adminHash)) {
            ctx.response().putHeader("www-authenticate", "Bearer realm=\"sluice-admin\"");
            problem(ctx, 401, "unauthorized", "Admin key required", "send Authorization: Bearer <router.admin.key>");
            return;
        }
        if (pool == null) {
            problem(ctx, 503, "no-database", "No database", "the admin API needs pg.url (PostgreSQL) on this router");
            return;
        }
        ctx.next();
    }

    private void createTenant(RoutingContext ctx) {
        JsonObject body = body(ctx);
        if (body == null) {
            return;
        }
        String id = body.getValue("id") instanceof String s ? s : null;
        if (id == null || !id.matches(NAME)) {
            invalid(ctx, "id", "must be 1-64 of [A-Za-z0-9._-], starting with a letter or digit");
            return;
        }
        Object name = body.getValue("name");
        if (name != null && !(name instanceof String)) {
            invalid(ctx, "name", "must be a string");
            return;
        }
        long[] limit;
        try {
            limit = rateLimit(body.getValue("rateLimit"));
        } catch (IllegalArgumentException e) {
            invalid(ctx, "rateLimit", e.getMessage());
            return;
        }
        for (String f : body.fieldNames()) {
            if (!f.equals("id") && !f.equals("name") && !f.equals("rateLimit")) {
                invalid(ctx, f, "unknown field (known: id, name, rateLimit)");
                return;
            }
        }
        pool.preparedQuery("INSERT INTO sluice_tenants (id, name, events_per_second, bytes_per_second) VALUES ($1, $2, $3, $4) "
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
                    json(ctx, 201, new JsonObject().put("id", id).put("name", name).put("rateLimit", limits(limit[0], limit[1])));
                });
    }

    private static long[] rateLimit(Object v) {
        if (v == null) {
            return new long[] {0, 0};
        }
        if (!(v instanceof JsonObject o)) {
            throw new IllegalArgumentException("must be an object {\"events\": <per second>, \"bytes\": <per second>}");
        }
        long[] out = new long[2];
        int i = 0;
        for (String f : new String[] {"events", "bytes"}) {
            Object x = o.getValue(f);
            if (x != null && (!(x instanceof Number n) || n.longValue() < 0 || n.doubleValue() != n.longValue())) {
                throw new IllegalArgumentException(f + " must be a whole number >= 0");
            }
            out[i++] = x == null ? 0 : ((Number) x).longValue();
        }
        for (String f : o.fieldNames()) {
            if (!f.equals("events") && !f.equals("bytes")) {
                throw new IllegalArgumentException(f + ": unknown field (known: events, bytes)");
            }
        }
        return out;
    }

    private static JsonObject limits(long events, long bytes) {
        return events == 0 && bytes == 0 ? null : new JsonObject().put("events", events).put("bytes", bytes);
    }

    private void listTenants(RoutingContext ctx) {
        pool.query("SELECT id, name, events_per_second, bytes_per_second, created_at, revoked_at FROM sluice_tenants ORDER BY id")
                .execute().onComplete(ar -> {
                    if (failed(ctx, ar)) {
                        return;
                    }
                    JsonArray out = new JsonArray();
                    for (Row r : ar.result()) {
                        Long e = r.getLong("events_per_second");
                        Long b = r.getLong("bytes_per_second");
                        out.add(new JsonObject().put("id", r.getString("id")).put("name", r.getString("name"))
                                .put("rateLimit", limits(e == null ? 0 : e, b == null ? 0 : b))
                                .put("createdAt", time(r.getOffsetDateTime("created_at")))
                                .put("revokedAt", time(r.getOffsetDateTime("revoked_at"))));
                    }
                    json(ctx, 200, new JsonObject().put("tenants", out));
                });
    }

    private void revokeTenant(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        pool.preparedQuery("UPDATE sluice_tenants SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1 RETURNING id")
                .execute(Tuple.of(id)).onComplete(ar -> {
                    if (!failed(ctx, ar)) {
                        if (ar.result().rowCount() == 0) {
                            problem(ctx, 404, "not-found", "No such tenant", "no tenant " + id);
                        } else {
                            json(ctx, 200, new JsonObject().put("id", id).put("revoked", true));
                        }
                    }
                });
    }

    private void createKey(RoutingContext ctx) {
        String tenant = ctx.pathParam("id");
        JsonObject body = ctx.body().length() == 0 ? new JsonObject() : body(ctx);
        if (body == null) {
            return;
        }
        Object name = body.getValue("name");
        if (name != null && !(name instanceof String)) {
            invalid(ctx, "name", "must be a string");
            return;
        }
        ApiKeys.Issued issued = ApiKeys.issue();
        pool.preparedQuery("INSERT INTO sluice_api_keys (id, tenant, hash, name) SELECT $1, id, $2, $3 FROM sluice_tenants "
                        + "WHERE id = $4 AND revoked_at IS NULL RETURNING id")
                .execute(Tuple.of(issued.id(), Buffer.buffer(issued.hash()), name, tenant)).onComplete(ar -> {
                    if (failed(ctx, ar)) {
                        return;
                    }
                    if (ar.result().rowCount() == 0) {
                        problem(ctx, 404, "not-found", "No such tenant", "no live tenant " + tenant);
                        return;
                    }
                    LOG.info("API key {} made for tenant {}", issued.id(), tenant);
                    json(ctx, 201, new JsonObject().put("id", issued.id()).put("tenant", tenant).put("name", name)
                            .put("key", issued.key()).put("note", "the key is shown only now; store it"));
                });
    }

    private void listKeys(RoutingContext ctx) {
        pool.preparedQuery("SELECT id, name, created_at, revoked_at FROM sluice_api_keys WHERE tenant = $1 ORDER BY created_at")
                .execute(Tuple.of(ctx.pathParam("id"))).onComplete(ar -> {
                    if (failed(ctx, ar)) {
                        return;
                    }
                    JsonArray out = new JsonArray();
                    for (Row r : ar.result()) {
                        out.add(new JsonObject().put("id", r.getString("id")).put("name", r.getString("name"))
                                .put("createdAt", time(r.getOffsetDateTime("created_at")))
                                .put("revokedAt", time(r.getOffsetDateTime("revoked_at"))));
                    }
                    json(ctx, 200, new JsonObject().put("keys", out));
                });
    }

    private void revokeKey(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        pool.preparedQuery("UPDATE sluice_api_keys SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1 RETURNING id")
                .execute(Tuple.of(id)).onComplete(ar -> {
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

    private void putSource(RoutingContext ctx) {
        String source = ctx.pathParam("source");
        JsonObject body = body(ctx);
        if (body == null) {
            return;
        }
        if (body.containsKey("source") && !source.equals(body.getValue("source"))) {
            invalid(ctx, "source", "must match the path (" + source + ") or be left out");
            return;
        }
        if (body.containsKey("signature") && body.getValue("signature") instanceof JsonObject sig && sig.containsKey("secretsEnv")) {
            invalid(ctx, "signature.secretsEnv", "a stored source carries its secrets in signature.secrets");
            return;
        }
        JsonObject def = body.copy().put("source", source);
        if (!def.containsKey("auth")) {
            def.put("auth", RouteConfig.AUTH_KEY);
        }
        RouteConfig route;
        try {
            route = Catalog.parseRoute(def);
        } catch (ConfigException e) {
            problem(ctx, 400, "invalid-field", "Invalid field", e.getMessage());
            return;
        }
        def.remove("source");
        pool.preparedQuery("SELECT 1 FROM sluice_tenants WHERE id = $1").execute(Tuple.of(route.tenant()))
                .compose(rows -> {
                    if (rows.size() == 0) {
                        return Future.succeededFuture(false);
                    }
                    return pool.preparedQuery("INSERT INTO sluice_sources (source, definition) VALUES ($1, $2) ON CONFLICT (source) "
                            + "DO UPDATE SET definition = EXCLUDED.definition, updated_at = now()").execute(Tuple.of(source, def))
                            .map(true);
                }).onComplete(ar -> {
                    if (failed(ctx, ar)) {
                        return;
                    }
                    if (!ar.result()) {
                        problem(ctx, 400, "invalid-field", "Invalid field", "tenant: no tenant " + route.tenant()
                                + " (create it first)");
                        return;
                    }
                    json(ctx, 200, redacted(source, def));
                });
    }

    private void listSources(RoutingContext ctx) {
        pool.query("SELECT source, definition FROM sluice_sources ORDER BY source").execute().onComplete(ar -> {
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
        pool.preparedQuery("SELECT source, definition FROM sluice_sources WHERE source = $1").execute(Tuple.of(source))
                .onComplete(ar -> {
                    if (failed(ctx, ar)) {
                        return;
                    }
                    if (ar.result().size() == 0) {
                        problem(ctx, 404, "not-found", "No such source", "no stored source " + source);
                        return;
                    }
                    json(ctx, 200, redacted(source, definition(ar.result().iterator().next())));
                });
    }

    private void deleteSource(RoutingContext ctx) {
        String source = ctx.pathParam("source");
        pool.preparedQuery("DELETE FROM sluice_sources WHERE source = $1").execute(Tuple.of(source)).onComplete(ar -> {
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

    private static String time(OffsetDateTime t) {
        return t == null ? null : t.toInstant().toString();
    }

    private static JsonObject body(RoutingContext ctx) {
        try {
            Buffer b = ctx.body().buffer();
            String text = b == null ? "" : b.toString().trim();
            if (text.startsWith("{")) {
                return new JsonObject(text);
            }
            problem(ctx, 400, "malformed-json", "Malformed JSON", "the body must be a JSON object");
        } catch (DecodeException e) {
            problem(ctx, 400, "malformed-json", "Malformed JSON", "the body does not parse: " + e.getMessage());
        }
        return null;
    }

    private static void invalid(RoutingContext ctx, String field, String why) {
        problem(ctx, 400, "invalid-field", "Invalid field", field + ": " + why);
    }

    private static boolean failed(RoutingContext ctx, io.vertx.core.AsyncResult<?> ar) {
        if (ar.succeeded()) {
            return false;
        }
        if (ar.cause() instanceof PgException pg && "23505".equals(pg.getSqlState())) {
            problem(ctx, 409, "conflict", "Already exists", pg.getMessage());
        } else {
            LOG.warn("admin {} {} failed: {}", ctx.request().method(), ctx.request().path(), ar.cause().toString());
            problem(ctx, 503, "database-unavailable", "Database unavailable", "PostgreSQL did not answer: " + ar.cause().getMessage());
        }
        return true;
    }

    private static void json(RoutingContext ctx, int status, JsonObject body) {
        ctx.response().setStatusCode(status).putHeader("content-type", JSON).putHeader("cache-control", "no-store")
                .end(body.encode());
    }

    private static void problem(RoutingContext ctx, int status, String reason, String title, String detail) {
        if (ctx.response().ended()) {
            return;
        }
        ctx.response().setStatusCode(status).putHeader("content-type", PROBLEM).end(new JsonObject()
                .put("type", "urn:sluice:problem:" + reason).put("title", title).put("status", status).put("detail", detail)
                .put("instance", ctx.request().path()).put("reason", reason).encode());
    }
}
