package dev.sluice.router.impl.admin;

import static dev.sluice.router.impl.admin.AdminHttp.problem;

import dev.sluice.router.impl.auth.ApiKeys;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.sqlclient.Pool;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The admin API on the management port, guarded by {@code router.admin.key} ({@code Authorization:
 * Bearer}, compared in constant time). Tenants, their API keys (the secret is in the creation answer
 * only) and sources (a source is its route: topic, TTL, key, signature secrets, limits). Every change
 * is a row in PostgreSQL; the triggers notify every router, which reload within moments. Errors are
 * RFC 9457 problems naming the field at fault. This class guards and routes; each resource has its
 * own class ({@link TenantsAdmin}, {@link KeysAdmin}, {@link CertificatesAdmin}, {@link SourcesAdmin}).
 *
 * <pre>
 * POST   /admin/tenants                 {"id", "name"?, "rateLimit"?: {"events", "bytes"}}
 * GET    /admin/tenants
 * DELETE /admin/tenants/{id}            revoke (its keys stop working)
 * POST   /admin/tenants/{id}/keys       {"name"?}  → {"id", "key"} — the key is shown once
 * GET    /admin/tenants/{id}/keys
 * DELETE /admin/keys/{id}               revoke
 * POST   /admin/tenants/{id}/certificates  {"certificate": PEM | "fingerprint": SHA-256 hex, "name"?}
 * GET    /admin/tenants/{id}/certificates
 * DELETE /admin/certificates/{fingerprint}  revoke (its MQTT connections are closed)
 * PUT    /admin/sources/{source}        a catalog route without "source" ("auth" defaults to "key")
 * GET    /admin/sources, /admin/sources/{source}   signature secrets are not shown
 * DELETE /admin/sources/{source}
 * PUT    /admin/workflows/{name}        a catalog workflow without "name" (its sources must be routed here)
 * GET    /admin/workflows, /admin/workflows/{name}   signing secrets are not shown
 * DELETE /admin/workflows/{name}
 * POST   /admin/workflows/validate      {"workflow", "event"?} → valid, and with an event a dry run of each step
 * </pre>
 */
public final class AdminApi implements Handler<HttpServerRequest> {

    private final byte[] adminHash;
    private final boolean database;
    private final Router router;

    /**
     * Without a {@code pool} (no PostgreSQL) every authorized call is answered 503. A stored workflow's
     * sources must pass {@code routed} (the sources this router routes).
     */
    public AdminApi(Vertx vertx, String adminKey, Optional<Pool> pool, Predicate<String> routed) {
        this.adminHash = ApiKeys.hash(adminKey);
        this.database = pool.isPresent();
        this.router = Router.router(vertx);
        router.route("/admin/*").handler(BodyHandler.create().setBodyLimit(1024 * 1024));
        router.route("/admin/*").handler(this::guard);
        pool.ifPresent(p -> {
            new TenantsAdmin(p).mount(router);
            new KeysAdmin(p).mount(router);
            new CertificatesAdmin(p).mount(router);
            new SourcesAdmin(p).mount(router);
            new WorkflowsAdmin(p, routed).mount(router);
        });
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
        if (!database) {
            problem(ctx, 503, "no-database", "No database", "the admin API needs pg.url (PostgreSQL) on this router");
            return;
        }
        ctx.next();
    }
}
