package dev.sluice.router;

import static org.junit.jupiter.api.Assertions.fail;

import dev.sluice.router.impl.admin.ContractEndpoint;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.validation.ResponseValidator;
import io.vertx.openapi.validation.ValidatableResponse;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Checks a response the router gave against its OpenAPI contract ({@code openapi.yaml}): the
 * operation exists for the method and path, the status is one it documents, and headers and body
 * validate against the documented schema. Integration tests pass their responses through it, so a
 * test fails when code and contract disagree.
 */
final class ContractCheck {

    private static final String PROBLEM = "application/problem+json";
    private static final String YAML = "application/yaml";
    private static final Vertx VERTX =
            Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
    private static final OpenAPIContract CONTRACT = load();
    private static final ResponseValidator VALIDATOR = ResponseValidator.create(VERTX, CONTRACT);

    private ContractCheck() {}

    /**
     * The contract as served, read for vertx-openapi 5.0.7, which knows a fixed set of media types
     * only (though OpenAPI allows any): request bodies are left out (only responses are checked
     * here), and {@code application/problem+json} answers are read as {@code application/json}, and
     * YAML, HTML and event streams as {@code text/plain}, their schemas unchanged.
     */
    private static OpenAPIContract load() {
        try {
            JsonObject raw = new JsonObject(ContractEndpoint.load()
                    .json()
                    .encode()
                    .replace("\"" + PROBLEM + "\"", "\"application/json\"")
                    .replace("\"" + YAML + "\"", "\"text/plain\"")
                    .replace("\"text/html\"", "\"text/plain\"")
                    .replace("\"text/event-stream\"", "\"text/plain\""));
            JsonObject paths = raw.getJsonObject("paths");
            for (String path : paths.fieldNames()) {
                JsonObject item = paths.getJsonObject(path);
                for (String method : item.fieldNames()) {
                    if (item.getValue(method) instanceof JsonObject op) {
                        op.remove("requestBody");
                    }
                }
            }
            return OpenAPIContract.from(VERTX, raw)
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("openapi.yaml is not a valid OpenAPI contract", e);
        }
    }

    static OpenAPIContract contract() {
        return CONTRACT;
    }

    /** Validates {@code res} and returns it, so a call site can wrap its request. */
    static HttpResponse<String> check(HttpResponse<String> res) {
        Map<String, String> headers = new HashMap<>();
        res.headers().map().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), String.join(", ", v)));
        // RFC 9651 structured fields ("policy";q=5;w=1) are strings by the contract, but vertx-openapi decodes a
        // leading quote as JSON and gives up; their presence is asserted by the rate-limit tests themselves.
        headers.remove("ratelimit-policy");
        headers.remove("ratelimit");
        check(res.request().method(), res.uri().getRawPath(), res.statusCode(), headers, res.body());
        return res;
    }

    /** The same for an answer read with a Vert.x client. */
    static void check(String method, String path, io.vertx.core.http.HttpClientResponse res, Buffer body) {
        Map<String, String> headers = new HashMap<>();
        res.headers().forEach((k, v) -> headers.merge(k.toLowerCase(Locale.ROOT), v, (a, b) -> a + ", " + b));
        check(method, path, res.statusCode(), headers, body.toString());
    }

    static void check(String method, String path, int status, Map<String, String> headers, String body) {
        Operation op = CONTRACT.findOperation(path, HttpMethod.valueOf(method));
        if (op == null) {
            // Answers to what the contract does not offer: a method a documented path lacks (405), a path it lacks
            // (404).
            boolean knownPath = CONTRACT.findPath(path) != null;
            if (knownPath && status == 405 || !knownPath && status == 404) {
                return;
            }
            fail("the contract has no operation for " + method + " " + path + " (answered " + status + ")");
            return;
        }
        if (op.getResponse(status) == null && op.getDefaultResponse() == null) {
            fail("the contract does not document " + status + " for " + op.getOperationId() + " (" + method + " " + path
                    + "): " + body);
        }
        String contentType = headers.get("content-type");
        if (contentType != null && contentType.startsWith(PROBLEM)) {
            contentType = "application/json"; // as the contract was read for vertx-openapi (see load)
        } else if (contentType != null && (contentType.startsWith(YAML) || contentType.startsWith("text/"))) {
            contentType =
                    "text/plain"; // vertx-openapi knows no text/plain parameter but charset (Prometheus adds version=)
        }
        // A text body (metrics, the contract as YAML) is a string by the contract; vertx-openapi cannot check a
        // string schema against a buffer, so only its status and headers are checked.
        if ("text/plain".equals(contentType)) {
            io.vertx.openapi.contract.Response documented = op.getResponse(status);
            if (documented == null || !documented.getContent().containsKey(contentType)) {
                fail(op.getOperationId() + " " + status + " does not document a text body");
            }
            return;
        }
        ValidatableResponse response = body == null || body.isEmpty() || contentType == null
                ? ValidatableResponse.create(status, headers)
                : ValidatableResponse.create(status, headers, Buffer.buffer(body), contentType);
        try {
            VALIDATOR
                    .validate(response, op.getOperationId())
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            fail(
                    op.getOperationId() + " " + status + " does not match the contract: " + cause.getMessage() + "\n"
                            + body,
                    cause);
        }
    }
}
