package dev.sluice.router;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Ports;
import dev.sluice.testkit.Postgres;
import dev.sluice.testkit.SluiceInfra;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.SocketFactory;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every MQTT connection refused before its session begins is counted on the router's
 * {@code /metrics} by reason ({@code sluice_router_mqtt_connect_refused_total}): an unknown key,
 * a revoked key, a certificate no tenant holds, a revoked certificate, and a TLS handshake that
 * failed for a certificate no trusted CA signed. Each check reads the management port's
 * {@code /metrics} before and after one refused connection.
 */
@SluiceInfra
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MqttRefusalsIT {

    private static final String ADMIN_KEY = "admin-" + System.nanoTime();
    private static final Pattern REFUSED = Pattern.compile(
            "^sluice_router_mqtt_connect_refused_total\\{[^}]*reason=\"([a-z_]+)\"[^}]*} (\\S+)$", Pattern.MULTILINE);
    private static final HttpClient HTTP =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static TestCertificates certs;
    private static TestCertificates foreign;
    private static RouterFixture router;
    private static String plain;
    private static String tls;

    @BeforeAll
    static void start(KafkaBroker kafka, Postgres postgres) throws Exception {
        certs = new TestCertificates();
        foreign = new TestCertificates();
        String db = postgres.createDatabase("mqtt_refusals_it");
        int port = Ports.freePort();
        int tlsPort = Ports.freePort();
        router = RouterFixture.start(
                kafka,
                "{\"routes\": []}",
                Map.of(
                        "router.instances",
                        "1",
                        "router.mqtt.enabled",
                        "true",
                        "router.mqtt.port",
                        Integer.toString(port),
                        "router.mqtt.tls.port",
                        Integer.toString(tlsPort),
                        "router.mqtt.tls.client.auth",
                        "request",
                        "router.mqtt.tls.trust",
                        certs.caPem().toString()),
                b -> b.postgres(db).adminKey(ADMIN_KEY).tls(certs.routerStore().toString(), TestCertificates.PASSWORD));
        plain = "tcp://127.0.0.1:" + port;
        tls = "ssl://127.0.0.1:" + tlsPort;
    }

    @AfterAll
    static void stop() throws Exception {
        if (router != null) {
            router.close();
        }
        for (TestCertificates c : new TestCertificates[] {certs, foreign}) {
            if (c != null) {
                c.close();
            }
        }
    }

    private static HttpResponse<String> management(String method, String path, String body) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                                + router.app().config().listen().managementPort() + path))
                        .timeout(Duration.ofSeconds(10))
                        .header("Authorization", "Bearer " + ADMIN_KEY)
                        .method(
                                method,
                                body == null
                                        ? HttpRequest.BodyPublishers.noBody()
                                        : HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The refusal counter for {@code reason}, as {@code /metrics} shows it (0 while it is not shown). */
    private static double refused(String reason) throws Exception {
        HttpResponse<String> r = management("GET", "/metrics", null);
        assertEquals(200, r.statusCode());
        Matcher m = REFUSED.matcher(r.body());
        while (m.find()) {
            if (m.group(1).equals(reason)) {
                return Double.parseDouble(m.group(2));
            }
        }
        return 0;
    }

    private static MqttAsyncClient connect(String uri, SocketFactory factory, String password) throws Exception {
        MqttAsyncClient c = new MqttAsyncClient(uri, "refusals-" + System.nanoTime(), new MemoryPersistence());
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        o.setAutomaticReconnect(false);
        if (factory != null) {
            o.setSocketFactory(factory);
            o.setHttpsHostnameVerificationEnabled(false);
        }
        if (password != null) {
            o.setUserName("device");
            o.setPassword(password.getBytes(StandardCharsets.UTF_8));
        }
        try {
            c.connect(o).waitForCompletion(10_000);
        } catch (MqttException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** Asserts that one connection through {@code attempt} is refused and moves {@code reason}'s counter by one. */
    private static MqttException refusedOnceFor(String reason, ThrowingConnect attempt) throws Exception {
        double before = refused(reason);
        MqttException e = assertThrows(MqttException.class, attempt::connect);
        await().atMost(Duration.ofSeconds(10)).until(() -> refused(reason) == before + 1);
        return e;
    }

    private interface ThrowingConnect {
        void connect() throws Exception;
    }

    private static String tenant() throws Exception {
        String tenant = "r" + System.nanoTime();
        assertEquals(
                201,
                management("POST", "/admin/tenants", "{\"id\": \"" + tenant + "\"}")
                        .statusCode());
        return tenant;
    }

    @Test
    void anUnknownKeyIsRefusedAndCounted() throws Exception {
        MqttException e =
                refusedOnceFor("key_unknown", () -> connect(plain, null, "sk_" + System.nanoTime() + "_not_a_key"));
        assertEquals(0x86, e.getReasonCode(), "Bad User Name or Password");
    }

    @Test
    void aRevokedKeyIsRefusedAndCountedAsRevoked() throws Exception {
        String tenant = tenant();
        HttpResponse<String> created =
                management("POST", "/admin/tenants/" + tenant + "/keys", "{\"name\": \"device\"}");
        assertEquals(201, created.statusCode(), created.body());
        String key = new JsonObject(created.body()).getString("key");
        MqttAsyncClient live = await().atMost(Duration.ofSeconds(10))
                .ignoreExceptions()
                .until(() -> connect(plain, null, key), java.util.Objects::nonNull);
        live.disconnect().waitForCompletion(5_000);
        live.close();
        assertEquals(
                200,
                management("DELETE", "/admin/keys/" + key.substring(3, 15), null)
                        .statusCode());
        // The access store reloads on NOTIFY: the key is revoked within moments.
        double before = refused("key_revoked");
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
            MqttException e = assertThrows(MqttException.class, () -> connect(plain, null, key));
            return e.getReasonCode() == 0x86;
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> refused("key_revoked") >= before + 1);
    }

    @Test
    void aCertificateNoTenantHoldsIsRefusedAndCounted() throws Exception {
        TestCertificates.Device stranger = certs.device("stranger");
        MqttException e = refusedOnceFor("certificate_unknown", () -> connect(tls, stranger.socketFactory(), null));
        assertEquals(0x87, e.getReasonCode(), "Not authorized");
    }

    @Test
    void aRevokedCertificateIsRefusedAndCountedAsRevoked() throws Exception {
        String tenant = tenant();
        TestCertificates.Device device = certs.device("meter-" + tenant);
        HttpResponse<String> bound = management(
                "POST",
                "/admin/tenants/" + tenant + "/certificates",
                new JsonObject().put("certificate", device.pem()).encode());
        assertEquals(201, bound.statusCode(), bound.body());
        MqttAsyncClient live = await().atMost(Duration.ofSeconds(10))
                .ignoreExceptions()
                .until(() -> connect(tls, device.socketFactory(), null), java.util.Objects::nonNull);
        live.disconnect().waitForCompletion(5_000);
        live.close();
        String fingerprint = new JsonObject(bound.body()).getString("fingerprint");
        assertEquals(
                200,
                management("DELETE", "/admin/certificates/" + fingerprint, null).statusCode());
        double before = refused("certificate_revoked");
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
            MqttException e = assertThrows(MqttException.class, () -> connect(tls, device.socketFactory(), null));
            return e.getReasonCode() == 0x87;
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> refused("certificate_revoked") >= before + 1);
    }

    @Test
    void aCertificateNoTrustedCaSignedFailsTheHandshakeAndIsCounted() throws Exception {
        TestCertificates.Device outsider = foreign.device("outsider");
        MqttException e = refusedOnceFor("tls_handshake", () -> connect(tls, outsider.socketFactory(), null));
        assertEquals(
                false,
                e.getReasonCode() >= 0x80 && e.getReasonCode() <= 0xFF,
                "no CONNACK: the handshake itself fails (" + e + ")");
    }

    @Test
    void aConnectThatBreaksTheProtocolIsRefusedAndCounted() throws Exception {
        double before = refused("protocol_error");
        // MQTT 5, Receive Maximum 0 (property 0x21): CONNACK 0x82 Protocol Error.
        byte[] connack =
                exchange(new byte[] {0x10, 17, 0, 4, 'M', 'Q', 'T', 'T', 5, 2, 0, 30, 3, 0x21, 0, 0, 0, 1, 'r'});
        assertEquals(0x20, connack[0] & 0xFF, "CONNACK");
        assertEquals(0x82, connack[3] & 0xFF, "Protocol Error");
        // MQTT 3.1.1, a will with QoS 3: closed, no CONNACK.
        assertEquals(
                0,
                exchange(new byte[] {0x10, 19, 0, 4, 'M', 'Q', 'T', 'T', 4, 0x1E, 0, 30, 0, 1, 'w', 0, 1, 't', 0, 1, 'm'
                        })
                        .length);
        assertEquals(before + 2, refused("protocol_error"), "each counted");
    }

    /** Sends one CONNECT on a fresh plain connection; returns every byte until the router closes it. */
    private static byte[] exchange(byte[] connect) throws Exception {
        URI u = URI.create(plain);
        try (java.net.Socket s = new java.net.Socket(u.getHost(), u.getPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(connect);
            return s.getInputStream().readAllBytes();
        }
    }
}
