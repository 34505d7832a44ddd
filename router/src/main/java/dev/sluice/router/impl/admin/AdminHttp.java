package dev.sluice.router.impl.admin;

import io.vertx.core.AsyncResult;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatedRequest;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Row;
import java.time.OffsetDateTime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What every admin resource answers with: JSON, RFC 9457 problems, and the body and error handling they share. */
final class AdminHttp {

    private static final Logger LOG = LoggerFactory.getLogger(AdminApi.class);
    private static final String PROBLEM = "application/problem+json";
    private static final String JSON = "application/json";

    private AdminHttp() {}

    static String time(OffsetDateTime t) {
        return t == null ? null : t.toInstant().toString();
    }

    /**
     * The request body as the contract's validation read it: a JSON object (the schemas of every
     * admin body say so), or an empty one when an optional body was left out.
     */
    static JsonObject body(RoutingContext ctx) {
        ValidatedRequest validated = ctx.get(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST);
        RequestParameter body = validated == null ? null : validated.getBody();
        return body == null || body.isNull() ? new JsonObject() : body.getJsonObject();
    }

    /** 404: {@code title} names what is missing ("No such tenant"), {@code detail} which one. */
    static void notFound(RoutingContext ctx, String title, String detail) {
        problem(ctx, 404, "not-found", title, detail);
    }

    /** A row's {@code created_at} and {@code revoked_at}, added to what a list shows of it. */
    static JsonObject lifetime(JsonObject shown, Row r) {
        return shown.put("createdAt", time(r.getOffsetDateTime("created_at")))
                .put("revokedAt", time(r.getOffsetDateTime("revoked_at")));
    }

    static void invalid(RoutingContext ctx, String field, String why) {
        problem(ctx, 400, "invalid-field", "Invalid field", field + ": " + why);
    }

    static boolean failed(RoutingContext ctx, AsyncResult<?> ar) {
        if (ar.succeeded()) {
            return false;
        }
        if (ar.cause() instanceof PgException pg && "23505".equals(pg.getSqlState())) {
            problem(ctx, 409, "conflict", "Already exists", pg.getMessage());
        } else {
            LOG.warn(
                    "admin {} {} failed: {}",
                    ctx.request().method(),
                    ctx.request().path(),
                    ar.cause().toString());
            problem(
                    ctx,
                    503,
                    "database-unavailable",
                    "Database unavailable",
                    "PostgreSQL did not answer: " + ar.cause().getMessage());
        }
        return true;
    }

    static void json(RoutingContext ctx, int status, JsonObject body) {
        ctx.response()
                .setStatusCode(status)
                .putHeader("content-type", JSON)
                .putHeader("cache-control", "no-store")
                .end(body.encode());
    }

    static void problem(RoutingContext ctx, int status, String reason, String title, String detail) {
        if (ctx.response().ended()) {
            return;
        }
        ctx.response()
                .setStatusCode(status)
                .putHeader("content-type", PROBLEM)
                .end(new JsonObject()
                        .put("type", "urn:sluice:problem:" + reason)
                        .put("title", title)
                        .put("status", status)
                        .put("detail", detail)
                        .put("instance", ctx.request().path())
                        .put("reason", reason)
                        .encode());
    }
}
