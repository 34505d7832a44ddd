package dev.sluice.router.impl.admin;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * {@code GET /openapi} on the management port: the router's OpenAPI 3.1 contract as written
 * ({@code application/yaml}), or as JSON for {@code Accept: application/json} and at
 * {@code /openapi.json}. Read once from the jar at start.
 */
public final class ContractEndpoint implements Handler<HttpServerRequest> {

    public static final String PATH = "/openapi";
    static final String RESOURCE = "openapi.yaml";

    private final String yaml;
    private final String json;

    private ContractEndpoint(String yaml, String json) {
        this.yaml = yaml;
        this.json = json;
    }

    public static ContractEndpoint load() {
        try (InputStream in = ContractEndpoint.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the classpath");
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            Map<String, Object> tree = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
            return new ContractEndpoint(text, new JsonObject(tree).encodePrettily());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void handle(HttpServerRequest req) {
        if (req.method() != HttpMethod.GET && req.method() != HttpMethod.HEAD) {
            req.response().setStatusCode(405).putHeader("allow", "GET").end();
            return;
        }
        String accept = req.getHeader("accept");
        boolean wantsJson = req.path().equals(PATH + ".json") || accept != null && accept.contains("application/json");
        switch (req.path()) {
            case PATH, PATH + ".json" ->
                req.response()
                        .putHeader("content-type", wantsJson ? "application/json" : "application/yaml; charset=utf-8")
                        .putHeader("cache-control", "no-cache")
                        .end(wantsJson ? json : yaml);
            default -> req.response().setStatusCode(404).end();
        }
    }

    /** The contract as JSON, as served. */
    public JsonObject json() {
        return new JsonObject(json);
    }
}
