package dev.sluice.router;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The admin API of one router as integration tests call it: on the management port, with the admin
 * key as a bearer token, a JSON body when there is one, and every answer checked against the
 * OpenAPI contract.
 */
final class AdminClient {

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final int managementPort;
    private final String key;

    AdminClient(int managementPort, String key) {
        this.managementPort = managementPort;
        this.key = key;
    }

    static AdminClient of(RouterApp router, String key) {
        return new AdminClient(router.config().listen().managementPort(), key);
    }

    /** A request with the admin key; {@code body} may be null. */
    HttpResponse<String> send(String method, String path, String body) throws Exception {
        return send(method, path, body, key);
    }

    /** A request with {@code bearer} as its token, or without one when it is null. */
    HttpResponse<String> send(String method, String path, String body, String bearer) throws Exception {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path))
                .timeout(Duration.ofSeconds(10))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            req.header("content-type", "application/json");
        }
        if (bearer != null) {
            req.header("Authorization", "Bearer " + bearer);
        }
        return ContractCheck.check(HTTP.send(req.build(), HttpResponse.BodyHandlers.ofString()));
    }

    /** Creates tenant {@code id} and returns it. */
    String newTenant(String id) throws Exception {
        HttpResponse<String> r = send("POST", "/admin/tenants", "{\"id\": \"" + id + "\"}");
        assertEquals(201, r.statusCode(), r.body());
        return id;
    }

    /** Creates an API key for {@code tenant} and returns the key itself. */
    String newKey(String tenant) throws Exception {
        HttpResponse<String> r = send("POST", "/admin/tenants/" + tenant + "/keys", "{\"name\": \"test\"}");
        assertEquals(201, r.statusCode(), r.body());
        return new JsonObject(r.body()).getString("key");
    }
}
