package dev.sluice.router.impl.admin;

import static dev.sluice.router.impl.admin.AdminHttp.problem;

import dev.sluice.router.impl.auth.ApiKeys;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.SecurityPolicyHandler;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.sqlclient.Pool;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The admin API on the management port, guarded by {@code router.admin.key} ({@code Authorization:
 * Bearer}, compared in constant time). Tenants, their API keys (the secret is in the creation answer
 * only) and sources (a source is its route: topic, TTL, key, signature secrets, limits). Every change
 * is a row in PostgreSQL; the triggers notify every router, which reload within moments. Errors are
 * RFC 9457 problems naming the field at fault. This class guards and routes; each resource has its
 * own class ({@link TenantsAdmin}, {@link KeysAdmin}, {@link CertificatesAdmin}, {@link SourcesAdmin},
 * {@link WorkflowsAdmin}).
 *
 * <p>The routes are built by vertx-web-openapi-router from the contract's admin operations
 * ({@link AdminContract}): each {@code operationId} is bound to its handler, and the contract's
 * schemas validate path parameters and bodies before it runs; what they refuse is answered by
 * {@link AdminFailures}. The handlers keep only the checks a schema cannot state: a name that must
 * match the path, secrets that must not name an environment variable, the catalog's own rules,
 * and what the database says (a tenant that exists, a row that conflicts).
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

    /** The largest admin request body, in bytes. */
    static final int BODY_LIMIT = 1024 * 1024;

    private final Router router;

    private AdminApi(Router router) {
        this.router = router;
    }

    /**
     * The admin API routed from {@code contract} (the served contract, as JSON). Without a
     * {@code pool} (no PostgreSQL) every authorized call is answered 503. A stored workflow's
     * sources must pass {@code routed} (the sources this router routes).
     */
    public static Future<AdminApi> create(
            Vertx vertx, String adminKey, Optional<Pool> pool, Predicate<String> routed, JsonObject contract) {
        SecurityPolicyHandler guard = guard(ApiKeys.hash(adminKey), pool.isPresent());
        if (pool.isEmpty()) {
            Router router = Router.router(vertx);
            router.route("/admin/*").handler(guard);
            return Future.succeededFuture(new AdminApi(router));
        }
        Pool p = pool.get();
        return AdminContract.load(vertx, contract).map(admin -> {
            RouterBuilder builder = RouterBuilder.create(vertx, admin, AdminContract.extractor());
            // The key first: nothing of an anonymous request's body is read. Then form bodies are refused
            // before the body reader would decode them (and write their file parts to disk): the API takes JSON.
            builder.rootHandler(guard);
            builder.rootHandler((SecurityPolicyHandler) AdminApi::refuseForms);
            builder.rootHandler(BodyHandler.create(false).setBodyLimit(BODY_LIMIT));
            AdminStore store = new AdminStore(p);
            for (Map<String, Handler<RoutingContext>> resource : List.of(
                    new TenantsAdmin(store).operations(),
                    new KeysAdmin(store).operations(),
                    new CertificatesAdmin(store).operations(),
                    new SourcesAdmin(store).operations(),
                    new WorkflowsAdmin(store, routed).operations())) {
                resource.forEach((operationId, handler) ->
                        AdminContract.operation(builder, operationId).addHandler(handler));
            }
            Router router = builder.createRouter();
            router.route("/admin/*")
                    .handler(ctx -> problem(
                            ctx,
                            404,
                            "not-found",
                            "No such admin endpoint",
                            ctx.request().method() + " " + ctx.request().path() + " is not an admin endpoint"));
            router.route().failureHandler(AdminFailures::handle);
            return new AdminApi(router);
        });
    }

    /**
     * 415 for a form or multipart body, before anything reads it: the admin API takes JSON, and
     * the body reader would otherwise decode such a body into form attributes (a broken one was a
     * 500) and write its file parts to disk.
     */
    private static void refuseForms(RoutingContext ctx) {
        String type = ctx.request().getHeader("content-type");
        String media =
                type == null ? "" : type.toLowerCase(java.util.Locale.ROOT).trim();
        if (media.startsWith("multipart/") || media.startsWith("application/x-www-form-urlencoded")) {
            problem(
                    ctx,
                    415,
                    "unsupported-media-type",
                    "Unsupported media type",
                    "the admin API takes application/json bodies, not " + type);
            return;
        }
        ctx.next();
    }

    @Override
    public void handle(HttpServerRequest req) {
        router.handle(req);
    }

    /** A security policy, so the router orders it before the body reader: a request without the key is not read. */
    private static SecurityPolicyHandler guard(byte[] adminHash, boolean database) {
        return ctx -> {
            String token = ApiKeys.bearer(ctx.request().getHeader("authorization"));
            if (token == null || !MessageDigest.isEqual(ApiKeys.hash(token), adminHash)) {
                ctx.response().putHeader("www-authenticate", "Bearer realm=\"sluice-admin\"");
                problem(
                        ctx,
                        401,
                        "unauthorized",
                        "Admin key required",
                        "send Authorization: Bearer <router.admin.key>");
                return;
            }
            if (!database) {
                problem(
                        ctx,
                        503,
                        "no-database",
                        "No database",
                        "the admin API needs pg.url (PostgreSQL) on this router");
                return;
            }
            ctx.next();
        };
    }
}
