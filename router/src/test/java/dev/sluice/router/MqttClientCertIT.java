package dev.sluice.router;

import static dev.sluice.router.MqttCertRouter.publish;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sluice.router.impl.auth.ClientCertificates;
import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Postgres;
import dev.sluice.testkit.SluiceInfra;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Client certificates on the MQTT TLS port when the router asks for them
 * ({@code router.mqtt.tls.client.auth=request}), with certificates keytool makes for the test and
 * real Paho clients: a certificate bound to a tenant authenticates a device without a password,
 * and its QoS 1 publish is acknowledged once in Kafka, until the certificate is revoked; one the CA
 * signed but no tenant holds is refused at CONNACK (Not authorized); a device without a certificate
 * may still use a key. When certificates are required: {@link MqttClientCertRequiredIT}.
 */
@SluiceInfra
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class MqttClientCertIT {

    private static MqttCertRouter mqtt;
    private static TestCertificates certs;

    @BeforeAll
    static void start(KafkaBroker kafka, Postgres postgres) throws Exception {
        mqtt = MqttCertRouter.start(kafka, postgres.createDatabase("mqtt_certs_it"), "it.mqtt.certs", "request");
        certs = mqtt.certs;
    }

    @AfterAll
    static void stop() throws Exception {
        if (mqtt != null) {
            mqtt.close();
        }
    }

    @Test
    void aBoundCertificateAuthenticatesWithoutAPasswordUntilItIsRevoked() throws Exception {
        // Stored sources are applied whole, in order: once the second is routed, so is the first.
        String other = mqtt.tenantWithSource();
        String tenant = mqtt.tenantWithSource();
        TestCertificates.Device device = certs.device("pump-" + tenant);
        HttpResponse<String> bound = mqtt.admin.send(
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
                .until(() -> mqtt.connect("pump-1", device.socketFactory(), null), java.util.Objects::nonNull);
        try {
            String payload = MqttCertRouter.publishUntilAcknowledged(c, tenant + "/pump-1", "cert");
            assertEquals(1, mqtt.stored(payload), "acknowledged means in Kafka, once");
            String elsewhere = "{\"other\":\"" + System.nanoTime() + "\"}";
            assertEquals(0x87, publish(c, other + "/pump-1", elsewhere), "another tenant's source: Not authorized");
            assertEquals(0, mqtt.stored(elsewhere));
            assertEquals(
                    200,
                    mqtt.admin
                            .send("DELETE", "/admin/certificates/" + fingerprint, null)
                            .statusCode());
            await().atMost(Duration.ofSeconds(5)).until(() -> !c.isConnected());
        } finally {
            c.close();
        }
        MqttException refused =
                assertThrows(MqttException.class, () -> mqtt.connect("pump-again", device.socketFactory(), null));
        assertEquals(0x87, refused.getReasonCode(), "a revoked certificate: Not authorized");
    }

    @Test
    void aCertificateTheCaSignedButNoTenantHoldsIsRefusedAtConnack() throws Exception {
        TestCertificates.Device stranger = certs.device("stranger");
        MqttException v5 =
                assertThrows(MqttException.class, () -> mqtt.connect("stranger-5", stranger.socketFactory(), null));
        assertEquals(0x87, v5.getReasonCode(), "MQTT 5: Not authorized");
        org.eclipse.paho.client.mqttv3.MqttClient old = new org.eclipse.paho.client.mqttv3.MqttClient(
                mqtt.mqttTls, "stranger-311", new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
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
        String tenant = mqtt.tenantWithSource();
        HttpResponse<String> created =
                mqtt.admin.send("POST", "/admin/tenants/" + tenant + "/keys", "{\"name\": \"device\"}");
        assertEquals(201, created.statusCode(), created.body());
        String key = new JsonObject(created.body()).getString("key");
        MqttAsyncClient c = await().atMost(Duration.ofSeconds(10))
                .ignoreExceptions()
                .until(() -> mqtt.connect("keyed-1", TestCertificates.anonymous(), key), java.util.Objects::nonNull);
        try {
            String payload = MqttCertRouter.publishUntilAcknowledged(c, tenant + "/m1", "keyed");
            assertEquals(1, mqtt.stored(payload));
        } finally {
            c.disconnect().waitForCompletion(5_000);
            c.close();
        }
        MqttAsyncClient anonymous = mqtt.connect("anonymous-1", TestCertificates.anonymous(), null);
        try {
            String payload = "{\"anonymous\":\"" + System.nanoTime() + "\"}";
            assertEquals(
                    0x87, publish(anonymous, tenant + "/m1", payload), "neither key nor certificate: Not authorized");
            assertEquals(0, mqtt.stored(payload));
        } finally {
            anonymous.disconnect().waitForCompletion(5_000);
            anonymous.close();
        }
    }
}
