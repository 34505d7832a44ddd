package dev.sluice.router;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sluice.core.Catalog;
import dev.sluice.core.KafkaConfig;
import dev.sluice.core.Settings;
import dev.sluice.router.impl.auth.ClientCertificates;
import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Ports;
import dev.sluice.testkit.Postgres;
import dev.sluice.testkit.SluiceInfra;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.SocketFactory;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Client certificates on the MQTT TLS port ({@code router.mqtt.tls.client.auth=request}), with
 * certificates keytool makes for the test and real Paho clients: a certificate bound to a tenant
 * authenticates a device without a password, and its QoS 1 publish is acknowledged once in Kafka;
 * one the CA signed but no tenant holds is refused at CONNACK (Not authorized); a revoked one's
 * connection is closed; a device without a certificate may still use a key.
 */
@SluiceInfra
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class MqttClientCertIT {

    private static final String TOPIC = "it.mqtt.certs";
    private static final String ADMIN_KEY = "admin-" + System.nanoTime();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static TestCertificates certs;
    private static KafkaBroker kafka;
    private static Vertx vertx;
    private static RouterApp router;
    private static String mqttTls;
    private static String db;

    @BeforeAll
    static void start(KafkaBroker broker, Postgres postgres) throws Exception {
        kafka = broker;
        kafka.createTopic(TOPIC, 1, Duration.ofMinutes(10));
        certs = new TestCertificates();
        db = postgres.createDatabase("mqtt_certs_it");
        vertx = Vertx.vertx();
        int tlsPort = Ports.freePort();
        RouterConfig config = RouterConfig.from(Settings.of(Map.of(
                        "router.instances",
                        "1",
                        "router.mqtt.enabled",
                        "true",
                        "router.mqtt.port",
                        Integer.toString(Ports.freePort()),
                        "router.mqtt.tls.port",
                        Integer.toString(tlsPort),
                        "router.mqtt.tls.client.auth",
                        "request",
                        "router.mqtt.tls.trust",
                        certs.caPem().toString())))
                .toBuilder()
                .ports("127.0.0.1", Ports.freePort(), Ports.freePort())
                .postgres(db)
                .adminKey(ADMIN_KEY)
                .tls(certs.routerStore().toString(), TestCertificates.PASSWORD)
                .build();
        router = RouterApp.start(
                        vertx,
                        config,
                        KafkaConfig.of(kafka.bootstrapServers()),
                        Catalog.parse(new JsonObject("{\"routes\": []}")),
                        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))
                .toCompletionStage()
                .toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(30)).until(() -> router.readiness().ready());
        mqttTls = "ssl://127.0.0.1:" + tlsPort;
    }

    @AfterAll
    static void stop() throws Exception {
        if (router != null) {
            router.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        if (certs != null) {
            certs.close();
        }
    }

    private static HttpResponse<String> admin(String method, String path, String body) throws Exception {
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(URI.create(
                                "http://127.0.0.1:" + router.config().listen().managementPort() + path))
                        .timeout(Duration.ofSeconds(10))
                        .header("Authorization", "Bearer " + ADMIN_KEY)
                        .method(
                                method,
                                body == null
                                        ? HttpRequest.BodyPublishers.noBody()
                                        : HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        return r;
    }

    /** A tenant that owns a key-guarded source bound to {@code <tenant>/+}. */
    private static String tenantWithSource() throws Exception {
        String tenant = "t" + System.nanoTime();
        assertEquals(
                201,
                admin("POST", "/admin/tenants", "{\"id\": \"" + tenant + "\"}").statusCode());
        HttpResponse<String> put = admin(
                "PUT",
                "/admin/sources/src-" + tenant,
                "{\"topic\": \"" + TOPIC + "\", \"tenant\": \"" + tenant + "\", \"mqtt\": {\"topics\": [\"" + tenant
                        + "/+\"]}}");
        assertEquals(200, put.statusCode(), put.body());
        return tenant;
    }

    private static MqttAsyncClient connect(String clientId, SocketFactory tls, String password) throws Exception {
        MqttAsyncClient c = new MqttAsyncClient(mqttTls, clientId, new MemoryPersistence());
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        o.setAutomaticReconnect(false);
        o.setSocketFactory(tls);
        o.setHttpsHostnameVerificationEnabled(false);
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

    private static int publish(MqttAsyncClient c, String topic, String payload) throws Exception {
        MqttMessage m = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
        m.setQos(1);
        IMqttToken t = c.publish(topic, m);
        t.waitForCompletion(10_000);
        return t.getReasonCodes()[0];
    }

    private static long stored(String payload) {
        return kafka.readAll(TOPIC, Duration.ofSeconds(5)).stream()
                .filter(r -> payload.equals(new String(r.value(), StandardCharsets.UTF_8)))
                .count();
    }

    @Test
    void aBoundCertificateAuthenticatesWithoutAPasswordUntilItIsRevoked() throws Exception {
        // Stored sources are applied whole, in order: once the second is routed, so is the first.
        String other = tenantWithSource();
        String tenant = tenantWithSource();
        TestCertificates.Device device = certs.device("pump-" + tenant);
        HttpResponse<String> bound = admin(
                "POST",
                "/admin/tenants/" + tenant + "/certificates",
                new JsonObject()
                        .put("certificate", device.pem())
                        .put("name", "pump")
                        .encode());
        assertEquals(201, bound.statusCode(), bound.body());
        String fingerprint = ClientCertificates.fingerprint(device.cert());
        assertEquals(fingerprint, new JsonObject(bound.body()).getString("fingerprint"));
        assertEquals("CN=pump-" + tenant, new JsonObject(bound.body()).getString("subject"));
        // The access store reloads on NOTIFY: the certificate is known within moments.
        MqttAsyncClient c = await().atMost(Duration.ofSeconds(10))
                .ignoreExceptions()
                .until(() -> connect("pump-1", device.socketFactory(), null), java.util.Objects::nonNull);
        try {
            String payload = "{\"cert\":\"" + System.nanoTime() + "\"}";
            await().atMost(Duration.ofSeconds(10)).until(() -> publish(c, tenant + "/pump-1", payload) == 0);
            assertEquals(1, stored(payload), "acknowledged means in Kafka, once");
            String elsewhere = "{\"other\":\"" + System.nanoTime() + "\"}";
            assertEquals(0x87, publish(c, other + "/pump-1", elsewhere), "another tenant's source: Not authorized");
            assertEquals(0, stored(elsewhere));
            assertEquals(
                    200,
                    admin("DELETE", "/admin/certificates/" + fingerprint, null).statusCode());
            await().atMost(Duration.ofSeconds(5)).until(() -> !c.isConnected());
        } finally {
            c.close();
        }
        MqttException refused =
                assertThrows(MqttException.class, () -> connect("pump-again", device.socketFactory(), null));
        assertEquals(0x87, refused.getReasonCode(), "a revoked certificate: Not authorized");
    }

    @Test
    void aCertificateTheCaSignedButNoTenantHoldsIsRefusedAtConnack() throws Exception {
        TestCertificates.Device stranger = certs.device("stranger");
        MqttException v5 =
                assertThrows(MqttException.class, () -> connect("stranger-5", stranger.socketFactory(), null));
        assertEquals(0x87, v5.getReasonCode(), "MQTT 5: Not authorized");
        org.eclipse.paho.client.mqttv3.MqttClient old = new org.eclipse.paho.client.mqttv3.MqttClient(
                mqttTls, "stranger-311", new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
        org.eclipse.paho.client.mqttv3.MqttConnectOptions o = new org.eclipse.paho.client.mqttv3.MqttConnectOptions();
        o.setMqttVersion(org.eclipse.paho.client.mqttv3.MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setSocketFactory(stranger.socketFactory());
        o.setHttpsHostnameVerificationEnabled(false);
        org.eclipse.paho.client.mqttv3.MqttException v311 =
                assertThrows(org.eclipse.paho.client.mqttv3.MqttException.class, () -> old.connect(o));
        assertEquals(5, v311.getReasonCode(), "MQTT 3.1.1: 0x05 not authorized");
        old.close();
    }

    @Test
    void withoutACertificateADeviceStillAuthenticatesWithAKey() throws Exception {
        String tenant = tenantWithSource();
        HttpResponse<String> created = admin("POST", "/admin/tenants/" + tenant + "/keys", "{\"name\": \"device\"}");
        assertEquals(201, created.statusCode(), created.body());
        String key = new JsonObject(created.body()).getString("key");
        MqttAsyncClient c = await().atMost(Duration.ofSeconds(10))
                .ignoreExceptions()
                .until(() -> connect("keyed-1", TestCertificates.anonymous(), key), java.util.Objects::nonNull);
        try {
            String payload = "{\"keyed\":\"" + System.nanoTime() + "\"}";
            await().atMost(Duration.ofSeconds(10)).until(() -> publish(c, tenant + "/m1", payload) == 0);
            assertEquals(1, stored(payload));
        } finally {
            c.disconnect().waitForCompletion(5_000);
            c.close();
        }
        MqttAsyncClient anonymous = connect("anonymous-1", TestCertificates.anonymous(), null);
        try {
            String payload = "{\"anonymous\":\"" + System.nanoTime() + "\"}";
            assertEquals(
                    0x87, publish(anonymous, tenant + "/m1", payload), "neither key nor certificate: Not authorized");
            assertEquals(0, stored(payload));
        } finally {
            anonymous.disconnect().waitForCompletion(5_000);
            anonymous.close();
        }
    }

    /** With {@code required}, a device without a certificate does not get through the TLS handshake; a bound one connects. */
    @Test
    void whenCertificatesAreRequiredADeviceWithoutOneCannotConnect() throws Exception {
        String tenant = tenantWithSource();
        TestCertificates.Device device = certs.device("meter-" + tenant);
        assertEquals(
                201,
                admin(
                                "POST",
                                "/admin/tenants/" + tenant + "/certificates",
                                new JsonObject()
                                        .put("certificate", device.pem())
                                        .encode())
                        .statusCode());
        int tlsPort = Ports.freePort();
        RouterConfig config = RouterConfig.from(Settings.of(Map.of(
                        "router.instances",
                        "1",
                        "router.mqtt.enabled",
                        "true",
                        "router.mqtt.port",
                        Integer.toString(Ports.freePort()),
                        "router.mqtt.tls.port",
                        Integer.toString(tlsPort),
                        "router.mqtt.tls.client.auth",
                        "required",
                        "router.mqtt.tls.trust",
                        certs.caPem().toString())))
                .toBuilder()
                .ports("127.0.0.1", Ports.freePort(), Ports.freePort())
                .postgres(db)
                .tls(certs.routerStore().toString(), TestCertificates.PASSWORD)
                .build();
        RouterApp strict = RouterApp.start(
                        vertx,
                        config,
                        KafkaConfig.of(kafka.bootstrapServers()),
                        Catalog.parse(new JsonObject("{\"routes\": []}")),
                        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))
                .toCompletionStage()
                .toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
        String previous = mqttTls;
        mqttTls = "ssl://127.0.0.1:" + tlsPort;
        try {
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> strict.readiness().ready());
            MqttException anonymous =
                    assertThrows(MqttException.class, () -> connect("no-cert", TestCertificates.anonymous(), null));
            org.junit.jupiter.api.Assertions.assertFalse(
                    anonymous.getReasonCode() >= 0x80 && anonymous.getReasonCode() <= 0xFF,
                    "no CONNACK: the TLS handshake itself fails (" + anonymous + ")");
            MqttAsyncClient c = await().atMost(Duration.ofSeconds(10))
                    .ignoreExceptions()
                    .until(() -> connect("meter-1", device.socketFactory(), null), java.util.Objects::nonNull);
            try {
                String payload = "{\"required\":\"" + System.nanoTime() + "\"}";
                await().atMost(Duration.ofSeconds(10)).until(() -> publish(c, tenant + "/meter-1", payload) == 0);
                assertEquals(1, stored(payload));
            } finally {
                c.disconnect().waitForCompletion(5_000);
                c.close();
            }
        } finally {
            mqttTls = previous;
            strict.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }
}
