package dev.sluice.router.impl.admin;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.RequestUtils;
import io.vertx.openapi.validation.ValidatableRequest;
import java.util.ArrayList;
import java.util.Map;

/**
 * The admin operations of the served contract ({@code openapi.yaml}), as vertx-openapi 5.0.7 can
 * read them, and what builds the admin router from them. The served {@code /openapi} stays the
 * contract as written; only this in-memory copy is adapted:
 * <ul>
 *   <li>Only the {@code /admin} paths are kept: the others use media types vertx-openapi 5.0.7
 *   refuses when it reads a contract, though OpenAPI allows any ({@code RequestBodyImpl} and
 *   {@code ResponseImpl} throw {@code OpenAPIContractException.createUnsupportedFeature}, "defines
 *   a request body / response with an unsupported media type", for a type outside
 *   {@code MediaType.SUPPORTED_MEDIA_TYPES}: YAML, HTML, event streams, NDJSON, CloudEvents).</li>
 *   <li>{@code application/problem+json} (every admin refusal) is read as {@code application/json},
 *   its schema unchanged, for the same reason. Responses are not validated at run time.</li>
 *   <li>The {@code adminKey} requirements are dropped: the admin key is checked before any
 *   operation by the API's own guard ({@link AdminApi}), so that an unknown path without the key
 *   is 401 as well, and the comparison stays in constant time.</li>
 * </ul>
 */
final class AdminContract {

    static final String PROBLEM = "application/problem+json";
    static final String JSON = "application/json";

    private AdminContract() {}

    /** The admin subset of {@code served} (the contract as JSON), read by vertx-openapi. */
    static Future<OpenAPIContract> load(Vertx vertx, JsonObject served) {
        JsonObject copy = new JsonObject(served.encode().replace("\"" + PROBLEM + "\"", "\"" + JSON + "\""));
        JsonObject paths = copy.getJsonObject("paths");
        for (String path : new ArrayList<>(paths.fieldNames())) {
            if (!path.startsWith("/admin/")) {
                paths.remove(path);
                continue;
            }
            JsonObject item = paths.getJsonObject(path);
            for (String method : item.fieldNames()) {
                if (item.getValue(method) instanceof JsonObject op) {
                    op.remove("security");
                }
            }
        }
        return OpenAPIContract.from(vertx, copy);
    }

    /** The operation's route in {@code builder}; a contract without it is a build fault, found at start. */
    static io.vertx.ext.web.openapi.router.OpenAPIRoute operation(RouterBuilder builder, String operationId) {
        io.vertx.ext.web.openapi.router.OpenAPIRoute route = builder.getRoute(operationId);
        if (route == null) {
            throw new IllegalStateException("openapi.yaml has no admin operation " + operationId);
        }
        return route;
    }

    /**
     * What the validator sees of a request: its parameters and the body {@code BodyHandler} read. A
     * body sent without a {@code Content-Type} is read as JSON, as the admin API always has (the
     * admin API takes nothing else); a body with another type is refused by the validator (415).
     */
    static RequestExtractor extractor() {
        return (RoutingContext ctx, Operation operation) -> RequestUtils.extract(
                        ctx.request(),
                        operation,
                        () -> Future.succeededFuture(ctx.body().buffer()))
                .map(request ->
                        request.getContentType() == null && ctx.body().length() > 0 ? new AsJson(request) : request);
    }

    /** A request whose body came without a content type, read as JSON. */
    private record AsJson(ValidatableRequest request) implements ValidatableRequest {

        @Override
        public String getContentType() {
            return JSON;
        }

        @Override
        public Map<String, RequestParameter> getCookies() {
            return request.getCookies();
        }

        @Override
        public Map<String, RequestParameter> getPathParameters() {
            return request.getPathParameters();
        }

        @Override
        public Map<String, RequestParameter> getQuery() {
            return request.getQuery();
        }

        @Override
        public Map<String, RequestParameter> getHeaders() {
            return request.getHeaders();
        }

        @Override
        public RequestParameter getBody() {
            return request.getBody();
        }
    }
}
