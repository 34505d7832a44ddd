package dev.sluice.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.router.impl.admin.AdminApi;
import dev.sluice.router.impl.admin.ContractEndpoint;
import dev.sluice.testkit.Ports;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The admin API's request validation, routed from the contract: every refusal the schemas make is
 * one of the contract's problems (checked by {@link ContractCheck}), never Vert.x's error page.
 * Validation runs before any query, so the pool here points at a port where nothing listens: a
 * request that passes validation and reaches the database is answered 503.
 */
class AdminValidationTest {

    private static final String KEY = "admin-validation-key";
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static Vertx vertx;
    private static HttpServer server;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        Pool pool = PgBuilder.pool()
                .with(new PoolOptions().setMaxSize(1))
                .connectingTo(new PgConnectOptions()
                        .setHost("127.0.0.1")
                        .setPort(Ports.freePort())
                        .setDatabase("none")
                        .setUser("none")
                        .setPassword("none"))
                .using(vertx)
                .build();
        // "faulty" stands for a fault in the router itself: the check of a workflow's sources throws.
        AdminApi api = AdminApi.create(
                        vertx,
                        KEY,
                        Optional.of(pool),
                        source -> {
                            if (source.equals("faulty")) {
                                throw new IllegalStateException("a fault in the route table");
                            }
                            return true;
                        },
                        ContractEndpoint.load().json())
                .toCompletionStage()
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
        server = vertx.createHttpServer()
                .requestHandler(api)
                .listen(0, "127.0.0.1")
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() throws Exception {
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private static HttpResponse<String> call(String method, String path, String body, String... headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + path))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + KEY)
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return ContractCheck.check(HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString()));
    }

    private static JsonObject problem(HttpResponse<String> r, int status, String reason) {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals(
                "application/problem+json",
                r.headers().firstValue("content-type").orElse(""),
                r.body());
        JsonObject p = new JsonObject(r.body());
        assertEquals(reason, p.getString("reason"), r.body());
        assertEquals("urn:sluice:problem:" + reason, p.getString("type"));
        return p;
    }

    @Test
    void bodiesTheSchemaRefusesAreInvalidFieldProblemsNamingTheMember() throws Exception {
        assertTrue(problem(
                        call("POST", "/admin/tenants", "{\"id\": \"acme\", \"rateLimit\": {\"events\": 1.5}}"),
                        400,
                        "invalid-field")
                .getString("detail")
                .startsWith("rateLimit.events: "));
        assertTrue(problem(call("POST", "/admin/tenants", "{\"id\": \"no spaces\"}"), 400, "invalid-field")
                .getString("detail")
                .startsWith("id: "));
        problem(call("POST", "/admin/tenants", "{\"name\": \"no id\"}"), 400, "invalid-field");
        problem(call("POST", "/admin/tenants", "{\"id\": \"acme\", \"colour\": \"red\"}"), 400, "invalid-field");
        problem(
                call("POST", "/admin/tenants", "{\"id\": \"acme\", \"rateLimit\": {\"events\": 5, \"burst\": 9}}"),
                400,
                "invalid-field");
        assertTrue(problem(call("POST", "/admin/tenants/acme/keys", "{\"name\": 7}"), 400, "invalid-field")
                .getString("detail")
                .startsWith("name: "));
        problem(call("PUT", "/admin/sources/pay", "{\"auth\": \"open-sesame\"}"), 400, "invalid-field");
        // An MQTT key the topic routes could not use is refused where it is declared, not at every publish.
        for (String key : java.util.List.of("pointer:/a~2", "property:mqtt.topic.1")) {
            assertTrue(problem(
                            call(
                                    "PUT",
                                    "/admin/sources/pay",
                                    "{\"topic\": \"t\", \"tenant\": \"acme\", \"mqtt\": {\"topics\": [\"a/+\"], \"key\": \""
                                            + key + "\"}}"),
                            400,
                            "invalid-field")
                    .getString("detail")
                    .contains("mqtt.key"));
        }
        problem(call("POST", "/admin/workflows/validate", "{\"workflow\": \"not an object\"}"), 400, "invalid-field");
        problem(call("POST", "/admin/workflows/validate", "{\"event\": {}}"), 400, "invalid-field");
    }

    @Test
    void bodiesThatAreNotAJsonObjectAreMalformedJson() throws Exception {
        problem(call("POST", "/admin/tenants", "{not json"), 400, "malformed-json");
        problem(call("POST", "/admin/tenants", "[1, 2]"), 400, "malformed-json");
        problem(call("PUT", "/admin/workflows/w", "\"text\""), 400, "malformed-json");
        problem(call("POST", "/admin/tenants", null), 400, "malformed-json");
    }

    @Test
    void aBodyThatIsNotJsonByItsTypeIs415AndOneOverTheLimitIs413() throws Exception {
        problem(
                call("POST", "/admin/tenants", "id=acme", "Content-Type", "application/x-www-form-urlencoded"),
                415,
                "unsupported-media-type");
        problem(call("POST", "/admin/tenants", "{\"id\": \"" + "x".repeat(1024 * 1024) + "\"}"), 413, "too-large");
    }

    @Test
    void formAndMultipartBodiesAre415AndNothingOfThemIsStored() throws Exception {
        long before = uploadsOnDisk();
        String upload = "--xyz\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.txt\"\r\n\r\n"
                + "x".repeat(4096) + "\r\n--xyz--\r\n";
        problem(
                call("POST", "/admin/tenants", upload, "Content-Type", "multipart/form-data; boundary=xyz"),
                415,
                "unsupported-media-type");
        // Broken framing (no boundary; a part without a disposition; an unknown charset) was a 500 from the body
        // reader.
        problem(
                call("POST", "/admin/tenants", "garbage", "Content-Type", "multipart/form-data; boundary="),
                415,
                "unsupported-media-type");
        problem(
                call(
                        "POST",
                        "/admin/tenants",
                        "--xyz\r\nContent-Disposition: broken\r\n\r\nabc\r\n--xyz--\r\n",
                        "Content-Type",
                        "multipart/form-data; boundary=xyz; charset=nope"),
                415,
                "unsupported-media-type");
        problem(
                call("POST", "/admin/tenants", "id=%zz", "Content-Type", "application/x-www-form-urlencoded"),
                415,
                "unsupported-media-type");
        // Without the key nothing of the body is read at all.
        HttpResponse<String> anonymous = ContractCheck.check(HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + "/admin/tenants"))
                        .header("Content-Type", "multipart/form-data; boundary=xyz")
                        .POST(HttpRequest.BodyPublishers.ofString(upload))
                        .build(),
                HttpResponse.BodyHandlers.ofString()));
        problem(anonymous, 401, "unauthorized");
        assertEquals(before, uploadsOnDisk(), "no upload was written to disk");
    }

    /** Files in the body reader's default upload directory, relative to the working directory. */
    private static long uploadsOnDisk() throws java.io.IOException {
        java.nio.file.Path dir = java.nio.file.Path.of(io.vertx.ext.web.handler.BodyHandler.DEFAULT_UPLOADS_DIRECTORY);
        if (!java.nio.file.Files.isDirectory(dir)) {
            return 0;
        }
        try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(dir)) {
            return files.count();
        }
    }

    @Test
    void aValidRequestReachesItsHandlerAndTheDatabase() throws Exception {
        // Passed validation (with and without a content type, and an optional body left out); the database is not
        // there.
        problem(
                call("POST", "/admin/tenants", "{\"id\": \"acme\", \"rateLimit\": {\"events\": 5.0}}"),
                503,
                "database-unavailable");
        problem(
                call("POST", "/admin/tenants", "{\"id\": \"acme\"}", "Content-Type", "application/json; charset=utf-8"),
                503,
                "database-unavailable");
        problem(call("POST", "/admin/tenants/acme/keys", null), 503, "database-unavailable");
        HttpResponse<String> valid = call(
                "POST",
                "/admin/workflows/validate",
                "{\"workflow\": {\"name\": \"w\", \"sources\": [\"orders\"], \"steps\": [{\"url\": \"http://x/\"}]}}");
        assertEquals(200, valid.statusCode(), valid.body());
        // The workflow's own rules are still the executors', checked by the handler.
        assertTrue(problem(
                        call(
                                "POST",
                                "/admin/workflows/validate",
                                "{\"workflow\": {\"name\": \"w\", \"sources\": [\"orders\"], " + "\"steps\": []}}"),
                        400,
                        "invalid-field")
                .getString("detail")
                .contains("step"));
    }

    @Test
    void theKeyIsCheckedFirstAndUnknownEndpointsAre404() throws Exception {
        HttpResponse<String> noKey = ContractCheck.check(HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + "/admin/tenants"))
                        .POST(HttpRequest.BodyPublishers.ofString("[1]"))
                        .build(),
                HttpResponse.BodyHandlers.ofString()));
        problem(noKey, 401, "unauthorized");
        problem(call("GET", "/admin/nothing", null), 404, "not-found");
    }

    @Test
    void aFaultInTheRouterIsA500ProblemWithAReference() throws Exception {
        JsonObject p = problem(
                call(
                        "POST",
                        "/admin/workflows/validate",
                        "{\"workflow\": {\"name\": \"w\", \"sources\": [\"faulty\"], \"steps\": [{\"url\": \"http://x/\"}]}}"),
                500,
                "internal-error");
        assertNotNull(p.getString("detail"));
        assertTrue(p.getString("detail").contains("reference "), p.encode());
    }

    @Test
    void aStoredDefinitionThatNamesAnotherThanItsPathOrAnEnvironmentSecretIsRefusedBeforeTheDatabase()
            throws Exception {
        assertEquals(
                "source: must match the path (pay) or be left out",
                problem(
                                call("PUT", "/admin/sources/pay", "{\"source\": \"other\", \"topic\": \"t\"}"),
                                400,
                                "invalid-field")
                        .getString("detail"));
        assertEquals(
                "name: must match the path (w) or be left out",
                problem(call("PUT", "/admin/workflows/w", "{\"name\": \"v\"}"), 400, "invalid-field")
                        .getString("detail"));
        assertTrue(problem(
                        call("PUT", "/admin/sources/pay", "{\"topic\": \"t\", \"signature\": {\"secretsEnv\": \"X\"}}"),
                        400,
                        "invalid-field")
                .getString("detail")
                .startsWith("signature.secretsEnv: "));
    }
}
