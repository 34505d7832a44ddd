package dev.sluice.router;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Postgres;
import dev.sluice.testkit.Redis;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Two routers sharing one PostgreSQL database, Redis and a Kafka topic of their own, with the admin
 * API reached through the first: what the tests of tenants, keys and stored sources run against.
 * The catalog routes {@code file-public} to the topic; every other source is stored through the
 * admin API.
 */
final class AccessStack implements AutoCloseable {

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    final String topic;
    final RouterApp a;
    final RouterApp b;
    final AdminClient admin;
    private final RouterFixture first;
    private final RouterFixture second;

    private AccessStack(String topic, RouterFixture first, RouterFixture second, AdminClient admin) {
        this.topic = topic;
        this.first = first;
        this.second = second;
        this.a = first.app();
        this.b = second.app();
        this.admin = admin;
    }

    /** Starts both routers on topic {@code it.<name>.events} and database {@code <name>_it}. */
    static AccessStack start(KafkaBroker kafka, Postgres postgres, Redis redis, String name) throws Exception {
        String topic = "it." + name + ".events";
        kafka.createTopic(topic, 3, Duration.ofMinutes(10));
        String db = postgres.createDatabase(name + "_it");
        String adminKey = "admin-" + System.nanoTime();
        String catalog = "{\"routes\": [{\"source\": \"file-public\", \"topic\": \"" + topic + "\"}]}";
        Map<String, String> settings = Map.of("router.instances", "1");
        RouterFixture first = RouterFixture.start(
                kafka, catalog, settings, c -> c.redis(redis.uri()).postgres(db).adminKey(adminKey));
        try {
            RouterFixture second = RouterFixture.start(
                    kafka,
                    catalog,
                    settings,
                    c -> c.redis(redis.uri()).postgres(db).adminKey(adminKey));
            return new AccessStack(topic, first, second, AdminClient.of(first.app(), adminKey));
        } catch (Exception | Error e) {
            first.close();
            throw e;
        }
    }

    /** Stores {@code source} and waits until both routers route it. */
    void putSource(String source, String definition) throws Exception {
        HttpResponse<String> r = admin.send("PUT", "/admin/sources/" + source, definition);
        assertEquals(200, r.statusCode(), r.body());
        await().atMost(Duration.ofSeconds(10))
                .until(() -> ingest(a, source, "{}").statusCode() != 404
                        && ingest(b, source, "{}").statusCode() != 404);
    }

    /** Stores a key-guarded source {@code s-<tenant>} of {@code tenant} on the topic, and returns its name. */
    String tenantSource(String tenant) throws Exception {
        String source = "s-" + tenant;
        putSource(source, "{\"topic\": \"" + topic + "\", \"tenant\": \"" + tenant + "\"}");
        return source;
    }

    static HttpResponse<String> ingest(RouterApp r, String source, String body, String... headers) throws Exception {
        HttpRequest.Builder req = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + r.config().listen().port() + "/v1/events/" + source))
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            req.header(headers[i], headers[i + 1]);
        }
        return ContractCheck.check(HTTP.send(req.build(), HttpResponse.BodyHandlers.ofString()));
    }

    static String bearer(String key) {
        return "Bearer " + key;
    }

    static String hmac(String secret, String text) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public void close() throws Exception {
        try {
            first.close();
        } finally {
            second.close();
        }
    }
}
