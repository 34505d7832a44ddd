package dev.sluice.router;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Postgres;
import dev.sluice.testkit.SluiceInfra;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Client certificates on the MQTT TLS port when the router requires them
 * ({@code router.mqtt.tls.client.auth=required}): a device without one does not get through the TLS
 * handshake, and a device whose certificate is bound to a tenant connects and publishes.
 */
@SluiceInfra
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class MqttClientCertRequiredIT {

    private static MqttCertRouter mqtt;
    private static TestCertificates certs;

    @BeforeAll
    static void start(KafkaBroker kafka, Postgres postgres) throws Exception {
        mqtt = MqttCertRouter.start(
                kafka, postgres.createDatabase("mqtt_certs_required_it"), "it.mqtt.certs.required", "required");
        certs = mqtt.certs;
    }

    @AfterAll
    static void stop() throws Exception {
        if (mqtt != null) {
            mqtt.close();
        }
    }

    /** With {@code required}, a device without a certificate does not get through the TLS handshake; a bound one connects. */
    @Test
    void whenCertificatesAreRequiredADeviceWithoutOneCannotConnect() throws Exception {
        String tenant = mqtt.tenantWithSource();
        TestCertificates.Device device = certs.device("meter-" + tenant);
        assertEquals(
                201,
                mqtt.admin
                        .send(
                                "POST",
                                "/admin/tenants/" + tenant + "/certificates",
                                new JsonObject()
                                        .put("certificate", device.pem())
                                        .encode())
                        .statusCode());
        MqttException anonymous =
                assertThrows(MqttException.class, () -> mqtt.connect("no-cert", TestCertificates.anonymous(), null));
        assertFalse(
                anonymous.getReasonCode() >= 0x80 && anonymous.getReasonCode() <= 0xFF,
                "no CONNACK: the TLS handshake itself fails (" + anonymous + ")");
        MqttAsyncClient c = await().atMost(Duration.ofSeconds(10))
                .ignoreExceptions()
                .until(() -> mqtt.connect("meter-1", device.socketFactory(), null), java.util.Objects::nonNull);
        try {
            String payload = MqttCertRouter.publishUntilAcknowledged(c, tenant + "/meter-1", "required");
            assertEquals(1, mqtt.stored(payload));
        } finally {
            c.disconnect().waitForCompletion(5_000);
            c.close();
        }
    }
}
