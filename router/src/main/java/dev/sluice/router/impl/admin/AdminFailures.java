package dev.sluice.router.impl.admin;

import static dev.sluice.router.impl.admin.AdminHttp.problem;

import io.vertx.ext.web.RoutingContext;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatorErrorType;
import io.vertx.openapi.validation.ValidatorException;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin router's failure handler: what the contract's request validation refused, and what
 * failed unexpectedly, as the admin API's RFC 9457 problems (never Vert.x's default error page).
 * A body that does not parse, or is not a JSON object, is 400 {@code malformed-json}; a parameter
 * or body member the schema refuses is 400 {@code invalid-field} naming it (a JSON pointer written
 * with dots: {@code rateLimit.events}); a body that is not JSON is 415; over the body limit, 413;
 * a body the body reader could not read otherwise, 400 {@code bad-request}; anything else is a fault of the router: 500 {@code internal-error} with a reference in the log.
 */
final class AdminFailures {

    private static final Logger LOG = LoggerFactory.getLogger(AdminApi.class);

    private AdminFailures() {}

    static void handle(RoutingContext ctx) {
        ValidatorException invalid = validation(ctx.failure());
        if (invalid != null) {
            refuse(ctx, invalid);
        } else if (ctx.statusCode() == 413) {
            problem(
                    ctx,
                    413,
                    "too-large",
                    "Body too large",
                    "an admin request body is at most " + AdminApi.BODY_LIMIT + " bytes");
        } else if (ctx.statusCode() >= 400 && ctx.statusCode() < 500) {
            // The body reader refused the request (a client's fault, not the router's).
            problem(
                    ctx,
                    400,
                    "bad-request",
                    "Bad request",
                    "the body could not be read: "
                            + (ctx.failure() == null
                                    ? "status " + ctx.statusCode()
                                    : ctx.failure().getMessage()));
        } else {
            String ref = UUID.randomUUID().toString();
            LOG.error(
                    "admin {} {} failed (reference {})",
                    ctx.request().method(),
                    ctx.request().path(),
                    ref,
                    ctx.failure());
            problem(
                    ctx,
                    500,
                    "internal-error",
                    "Internal error",
                    "the router failed to handle this request (reference " + ref + ")");
        }
    }

    /** The validation failure behind {@code failure} (the router wraps it in an HttpException), if it is one. */
    private static ValidatorException validation(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ValidatorException v) {
                return v;
            }
        }
        return null;
    }

    private static void refuse(RoutingContext ctx, ValidatorException e) {
        if (e.type() == ValidatorErrorType.MISSING_REQUIRED_PARAMETER
                && ctx.body().length() <= 0) {
            problem(ctx, 400, "malformed-json", "Malformed JSON", "the body is empty; it must be a JSON object");
            return;
        }
        if (e instanceof SchemaValidationException schema) {
            // The admin operations' path parameters are unconstrained strings, so what a schema refuses is the body.
            OutputUnit unit = mostSpecific(schema.getOutputUnit());
            String field = field(unit.getInstanceLocation());
            if (field.isEmpty()
                    && unit.getKeywordLocation() != null
                    && unit.getKeywordLocation().endsWith("/type")) {
                problem(ctx, 400, "malformed-json", "Malformed JSON", "the body must be a JSON object");
            } else {
                AdminHttp.invalid(
                        ctx,
                        field.isEmpty() ? "body" : field,
                        unit.getError() == null ? e.getMessage() : unit.getError());
            }
            return;
        }
        switch (e.type()) {
            case ILLEGAL_VALUE ->
                problem(
                        ctx,
                        400,
                        "malformed-json",
                        "Malformed JSON",
                        "the body does not parse as JSON: " + e.getMessage());
            case UNSUPPORTED_VALUE_FORMAT ->
                problem(
                        ctx,
                        415,
                        "unsupported-media-type",
                        "Unsupported media type",
                        "the admin API takes application/json bodies, not "
                                + ctx.request().getHeader("content-type"));
            default -> AdminHttp.invalid(ctx, "request", e.getMessage());
        }
    }

    /** The deepest error of a validation's output (by member, then by keyword): the one that names the member and the rule. */
    private static OutputUnit mostSpecific(OutputUnit unit) {
        OutputUnit best = unit;
        List<OutputUnit> errors = unit.getErrors();
        if (errors != null) {
            for (OutputUnit e : errors) {
                OutputUnit deeper = mostSpecific(e);
                if (deeper.getError() != null && (best.getError() == null || depth(deeper) > depth(best))) {
                    best = deeper;
                }
            }
        }
        return best;
    }

    private static int depth(OutputUnit unit) {
        return 1000 * slashes(unit.getInstanceLocation()) + slashes(unit.getKeywordLocation());
    }

    private static int slashes(String pointer) {
        return pointer == null ? 0 : (int) pointer.chars().filter(c -> c == '/').count();
    }

    /** A JSON pointer ({@code /rateLimit/events}, maybe with a leading {@code #}) as {@code rateLimit.events}. */
    static String field(String pointer) {
        if (pointer == null) {
            return "";
        }
        String p = pointer.startsWith("#") ? pointer.substring(1) : pointer;
        p = p.startsWith("/") ? p.substring(1) : p;
        return p.isEmpty()
                ? ""
                : java.util.Arrays.stream(p.split("/", -1))
                        .map(s -> s.replace("~1", "/").replace("~0", "~"))
                        .collect(java.util.stream.Collectors.joining("."));
    }
}
