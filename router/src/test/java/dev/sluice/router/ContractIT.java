package dev.sluice.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Postgres;
import dev.sluice.testkit.SluiceInfra;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The router answers as its OpenAPI contract says: every kind of answer of ingest, admin and
 * management, each checked against {@code openapi.yaml} by {@link ContractCheck}; and the
 * management port serves that contract.
 */
@SluiceInfra
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ContractIT {

    private static final String TOPIC = "it.contract";
    private static final String ADMIN_KEY = "contract-admin-" + System.nanoTime();
    private static AdminClient admin;
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static RouterFixture router;

    @BeforeAll
    static void start(KafkaBroker kafka, Postgres postgres) throws Exception {
        kafka.createTopic(TOPIC, 1, Duration.ofMinutes(10));
        String db = postgres.createDatabase("contract_it");
        String catalog = new JsonObject()
                .put(
                        "routes",
                        new io.vertx.core.json.JsonArray()
                                .add(new JsonObject().put("source", "open").put("topic", TOPIC))
                                .add(new JsonObject()
                                        .put("source", "typed")
                                        .put("topic", TOPIC)
                                        .put("maxBodyBytes", 1024)
                                        .put(
                                                "schema",
                                                new JsonObject()
                                                        .put("type", "object")
                                                        .put("required", new io.vertx.core.json.JsonArray().add("t"))
                                                        .put(
                                                                "properties",
                                                                new JsonObject()
                                                                        .put(
                                                                                "t",
                                                                                new JsonObject()
                                                                                        .put("type", "number"))))))
                .encode();
        router = RouterFixture.start(
                kafka, catalog, Map.of(), b -> b.postgres(db).adminKey(ADMIN_KEY));
        admin = AdminClient.of(router.app(), ADMIN_KEY);
        router.warmUp("open");
    }

    @AfterAll
    static void stop() throws Exception {
        if (router != null) {
            router.close();
        }
    }

    private static HttpResponse<String> send(int port, String method, String path, String body, String... headers)
            throws Exception {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            req.header(headers[i], headers[i + 1]);
        }
        return ContractCheck.check(HTTP.send(req.build(), HttpResponse.BodyHandlers.ofString()));
    }

    private static HttpResponse<String> ingest(String path, String body, String... headers) throws Exception {
        return send(router.port(), "POST", path, body, headers);
    }

    private static HttpResponse<String> management(String path, String... headers) throws Exception {
        return send(router.app().config().listen().managementPort(), "GET", path, null, headers);
    }

    @Test
    void everyKindOfIngestAnswerIsTheContracts() throws Exception {
        String json = "application/json";
        assertEquals(
                202,
                ingest("/v1/events/open", "{\"a\":1}", "content-type", json).statusCode());
        assertEquals(
                202,
                ingest(
                                "/v1/events/open",
                                "{\"a\":1}",
                                "content-type",
                                json,
                                "ce-specversion",
                                "1.0",
                                "ce-id",
                                "c-1",
                                "ce-source",
                                "/contract",
                                "ce-type",
                                "com.example.contract",
                                "ce-longextensionnamebeyondtwenty",
                                "ok")
                        .statusCode());
        assertEquals(
                202,
                ingest(
                                "/v1/events/open",
                                "{\"specversion\":\"1.0\",\"id\":\"c-2\",\"source\":\"/contract\","
                                        + "\"type\":\"com.example.contract\",\"data\":{\"a\":1}}",
                                "content-type",
                                "application/cloudevents+json")
                        .statusCode());
        assertEquals(
                202,
                ingest("/v1/events/open/batch", "{\"a\":1}\n{\"a\":2}\n", "content-type", "application/x-ndjson")
                        .statusCode());
        assertEquals(
                207,
                ingest("/v1/events/open/batch", "{\"a\":1}\n{oops\n", "content-type", "application/x-ndjson")
                        .statusCode());
        assertEquals(
                400,
                ingest("/v1/events/open/batch", "", "content-type", "application/x-ndjson")
                        .statusCode());
        assertEquals(
                400,
                ingest("/v1/events/open", "{\"specversion\":\"1.0\"}", "content-type", "application/cloudevents+json")
                        .statusCode());
        assertEquals(
                404, ingest("/v1/events/nowhere", "{}", "content-type", json).statusCode());
        assertEquals(
                413,
                ingest("/v1/events/typed", "{\"t\":1,\"pad\":\"" + "x".repeat(2048) + "\"}", "content-type", json)
                        .statusCode());
        assertEquals(
                415,
                ingest("/v1/events/open", "{}", "content-type", json, "content-encoding", "br")
                        .statusCode());
        assertEquals(
                422,
                ingest("/v1/events/typed", "{\"t\":\"warm\"}", "content-type", json)
                        .statusCode());
    }

    @Test
    void everyAdminCallAnswersAsTheContractSays() throws Exception {
        assertEquals(
                201,
                admin.send(
                                "POST",
                                "/admin/tenants",
                                "{\"id\":\"acme\",\"name\":\"Acme\",\"rateLimit\":{\"events\":100}}")
                        .statusCode());
        assertEquals(200, admin.send("GET", "/admin/tenants", null).statusCode());
        HttpResponse<String> key = admin.send("POST", "/admin/tenants/acme/keys", "{\"name\":\"ci\"}");
        assertEquals(201, key.statusCode());
        assertEquals(200, admin.send("GET", "/admin/tenants/acme/keys", null).statusCode());
        assertEquals(
                200,
                admin.send("DELETE", "/admin/keys/" + new JsonObject(key.body()).getString("id"), null)
                        .statusCode());
        String fingerprint = "ab".repeat(32);
        assertEquals(
                201,
                admin.send("POST", "/admin/tenants/acme/certificates", "{\"fingerprint\":\"" + fingerprint + "\"}")
                        .statusCode());
        assertEquals(
                409,
                admin.send("POST", "/admin/tenants/acme/certificates", "{\"fingerprint\":\"" + fingerprint + "\"}")
                        .statusCode());
        assertEquals(
                400,
                admin.send("POST", "/admin/tenants/acme/certificates", "{\"certificate\":\"not a PEM\"}")
                        .statusCode());
        assertEquals(
                400,
                admin.send("POST", "/admin/tenants/acme/certificates", "{\"name\":\"neither\"}")
                        .statusCode());
        assertEquals(
                400,
                admin.send("POST", "/admin/tenants/acme/certificates", "{\"fingerprint\":\"abc\"}")
                        .statusCode());
        assertEquals(
                404,
                admin.send(
                                "POST",
                                "/admin/tenants/nobody/certificates",
                                "{\"fingerprint\":\"" + "cd".repeat(32) + "\"}")
                        .statusCode());
        assertEquals(
                200, admin.send("GET", "/admin/tenants/acme/certificates", null).statusCode());
        assertEquals(
                200,
                admin.send("DELETE", "/admin/certificates/" + fingerprint, null).statusCode());
        assertEquals(
                404,
                admin.send("DELETE", "/admin/certificates/" + "ef".repeat(32), null)
                        .statusCode());
        assertEquals(
                200,
                admin.send("PUT", "/admin/sources/stored-one", "{\"topic\":\"" + TOPIC + "\",\"tenant\":\"acme\"}")
                        .statusCode());
        assertEquals(200, admin.send("GET", "/admin/sources/stored-one", null).statusCode());
        assertEquals(200, admin.send("GET", "/admin/sources", null).statusCode());
        assertEquals(
                204, admin.send("DELETE", "/admin/sources/stored-one", null).statusCode());
        assertEquals(404, admin.send("GET", "/admin/sources/stored-one", null).statusCode());
        assertEquals(
                400,
                admin.send("POST", "/admin/tenants", "{\"name\":\"no id\"}").statusCode());
        assertEquals(404, admin.send("DELETE", "/admin/tenants/nobody", null).statusCode());
        assertEquals(200, admin.send("DELETE", "/admin/tenants/acme", null).statusCode());
        assertEquals(
                401,
                send(router.app().config().listen().managementPort(), "GET", "/admin/tenants", null)
                        .statusCode());
    }

    @Test
    void theManagementPortServesProbesMetricsAndTheContractItself() throws Exception {
        assertEquals(200, management("/health/live").statusCode());
        assertEquals(200, management("/health/ready").statusCode());
        assertEquals(200, management("/metrics").statusCode());
        HttpResponse<String> yaml = management("/openapi");
        assertEquals(200, yaml.statusCode());
        assertTrue(yaml.headers().firstValue("content-type").orElse("").startsWith("application/yaml"));
        assertTrue(
                yaml.body().startsWith("openapi: 3.1.0"),
                yaml.body().lines().findFirst().orElse(""));
        HttpResponse<String> json = management("/openapi", "accept", "application/json");
        assertEquals(
                dev.sluice.router.impl.admin.ContractEndpoint.load()
                        .json()
                        .getJsonObject("paths")
                        .fieldNames(),
                new JsonObject(json.body()).getJsonObject("paths").fieldNames(),
                "the JSON form is the same contract");
        assertEquals("3.1.0", new JsonObject(management("/openapi.json").body()).getString("openapi"));
    }
}
