package dev.sluice.router.impl.admin;

import io.vertx.core.AsyncResult;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.pgclient.PgException;
import java.time.OffsetDateTime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What every admin resource answers with: JSON, RFC 9457 problems, and the body and error handling they share. */
final class AdminHttp {

    private static final Logger LOG = LoggerFactory.getLogger(AdminApi.class);
    private static final String PROBLEM = "application/problem+json";
    private static final String JSON = "application/json";
    /** An id or name: 1-64 of [A-Za-z0-9._-], starting with a letter or digit. */
    static final String NAME = "[A-Za-z0-9][A-Za-z0-9._-]{0,63}";

    private AdminHttp() {
    }

    static String time(OffsetDateTime t) {
        return t == null ? null : t.toInstant().toString();
    }

    static JsonObject body(RoutingContext ctx) {
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
            LOG.warn("admin {} {} failed: {}", ctx.request().method(), ctx.request().path(), ar.cause().toString());
            problem(ctx, 503, "database-unavailable", "Database unavailable", "PostgreSQL did not answer: " + ar.cause().getMessage());
        }
        return true;
    }

    static void json(RoutingContext ctx, int status, JsonObject body) {
        ctx.response().setStatusCode(status).putHeader("content-type", JSON).putHeader("cache-control", "no-store")
                .end(body.encode());
    }

    static void problem(RoutingContext ctx, int status, String reason, String title, String detail) {
        if (ctx.response().ended()) {
            return;
        }
        ctx.response().setStatusCode(status).putHeader("content-type", PROBLEM).end(new JsonObject()
                .put("type", "urn:sluice:problem:" + reason).put("title", title).put("status", status).put("detail", detail)
                .put("instance", ctx.request().path()).put("reason", reason).encode());
    }
}
