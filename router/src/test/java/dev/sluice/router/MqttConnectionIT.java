package dev.sluice.router;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Postgres;
import dev.sluice.testkit.SluiceInfra;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * MQTT connections against a real broker and PostgreSQL, with a real MQTT 5 client: a revoked key's
 * connection is closed and the key is refused at the next CONNECT; a malformed packet closes the
 * connection and produces nothing.
 */
@SluiceInfra
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class MqttConnectionIT {

    private static MqttRouter mqtt;

    @BeforeAll
    static void start(KafkaBroker kafka, Postgres postgres) throws Exception {
        mqtt = MqttRouter.start(kafka, postgres.createDatabase("mqtt_connection_it"), "it.mqtt.connections");
    }

    @AfterAll
    static void stop() throws Exception {
        if (mqtt != null) {
            mqtt.close();
        }
    }

    @Test
    void aRevokedKeysConnectionIsClosedAndABadKeyIsRefusedAtConnect() throws Exception {
        String tenant = "mq-" + System.nanoTime();
        assertEquals(
                201,
                mqtt.admin
                        .send("POST", "/admin/tenants", "{\"id\": \"" + tenant + "\"}")
                        .statusCode());
        HttpResponse<String> created =
                mqtt.admin.send("POST", "/admin/tenants/" + tenant + "/keys", "{\"name\": \"device\"}");
        assertEquals(201, created.statusCode(), created.body());
        String key = new JsonObject(created.body()).getString("key");
        String source = "meters-" + tenant;
        HttpResponse<String> put = mqtt.admin.send(
                "PUT",
                "/admin/sources/" + source,
                "{\"topic\": \"" + mqtt.topic + "\", \"tenant\": \"" + tenant + "\", \"mqtt\": {\"topics\": [\"meters/"
                        + tenant + "/+\"]}}");
        assertEquals(200, put.statusCode(), put.body());
        MqttAsyncClient c = mqtt.v5("dev-key", key);
        String payload = "{\"kwh\":\"" + System.nanoTime() + "\"}";
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            MqttMessage m = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
            m.setQos(1);
            IMqttToken t = c.publish("meters/" + tenant + "/m1", m);
            t.waitForCompletion(10_000);
            return t.getReasonCodes()[0] == 0;
        });
        assertFalse(mqtt.withPayload(payload).isEmpty());
        ch.qos.logback.classic.Logger root =
                (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged =
                new ch.qos.logback.core.read.ListAppender<>();
        logged.start();
        root.addAppender(logged);
        try {
            assertEquals(
                    200,
                    mqtt.admin
                            .send("DELETE", "/admin/keys/" + key.substring(3, 15), null)
                            .statusCode());
            await().atMost(Duration.ofSeconds(5)).until(() -> !c.isConnected());
        } finally {
            root.detachAppender(logged);
        }
        // The DISCONNECT closes the connection once: closing it again threw, logged as an unhandled exception.
        assertEquals(
                java.util.List.of(),
                logged.list.stream()
                        .filter(e -> e.getThrowableProxy() != null)
                        .map(e -> e.getThrowableProxy().getClassName() + ": "
                                + e.getThrowableProxy().getMessage())
                        .toList());
        c.close();
        org.eclipse.paho.mqttv5.common.MqttException refused =
                assertThrows(org.eclipse.paho.mqttv5.common.MqttException.class, () -> mqtt.v5("dev-revoked", key));
        assertEquals(0x86, refused.getReasonCode(), "Bad User Name or Password");
    }

    @Test
    void aMalformedPacketClosesTheConnectionAndProducesNothing() throws Exception {
        long before = mqtt.count();
        try (RawMqtt.Connection c = RawMqtt.Connection.v311(port(), 30, 'm')) {
            // A PUBLISH with both QoS bits set: QoS 3 does not exist (MQTT 3.1.1 §3.3.1.2), the packet is malformed.
            c.send(new byte[] {0x36, 5, 0, 1, 'd', 0, 1});
            assertEquals(-1, c.in().read(), "the router closes the connection");
        }
        assertEquals(before, mqtt.count(), "nothing produced");
    }

    @Test
    void aTopicThatIsNotUtf8OrATopicAliasEndsTheConnectionWithItsReasonAndNothingIsStored() throws Exception {
        String payload = "{\"probe\":\"" + System.nanoTime() + "\"}";
        byte[] body = payload.getBytes(StandardCharsets.UTF_8);
        // 0xFF is never part of well-formed UTF-8; the decoder alone would have made it U+FFFD and matched the route.
        byte[] notUtf8 = "devices/p?/telemetry".getBytes(StandardCharsets.US_ASCII);
        notUtf8[9] = (byte) 0xFF;
        byte[] aliasOne = {0x23, 0, 1};
        double errorsBefore = mqtt.counter("sluice.router.mqtt.protocol.errors");
        assertEquals(0x81, v5DisconnectReason(RawMqtt.publish(notUtf8, 1, body, new byte[0])), "Malformed Packet");
        assertEquals(
                0x94,
                v5DisconnectReason(
                        RawMqtt.publish("devices/p1/telemetry".getBytes(StandardCharsets.UTF_8), 2, body, aliasOne)),
                "Topic Alias invalid: the router announced a Topic Alias Maximum of 0");
        byte[] withNul = "devices/p\u0000/telemetry".getBytes(StandardCharsets.UTF_8);
        assertEquals(0x81, v5DisconnectReason(RawMqtt.publish(withNul, 3, body, new byte[0])), "U+0000 is malformed");
        try (RawMqtt.Connection c = RawMqtt.Connection.v311(port(), 30, 'u')) {
            c.send(RawMqtt.publish(notUtf8, 4, body, null));
            assertEquals(-1, c.in().read(), "MQTT 3.1.1: the connection is closed");
        }
        RawMqtt.warmUp(port());
        assertEquals(List.of(), mqtt.withPayload(payload), "none of them is stored");
        assertEquals(errorsBefore + 4, mqtt.counter("sluice.router.mqtt.protocol.errors"), "each counted");
    }

    /** Sends {@code publish} on a fresh MQTT 5 connection; returns the reason code of the DISCONNECT it gets. */
    private static int v5DisconnectReason(byte[] publish) throws Exception {
        try (RawMqtt.Connection c = RawMqtt.Connection.v5(port(), 'v')) {
            c.send(publish);
            return c.disconnectReason();
        }
    }

    private static int port() {
        return URI.create(mqtt.mqttUri).getPort();
    }

    @Test
    void qos2PublishesNeverReleasedAreBoundedByTheReceiveMaximum() throws Exception {
        try (RawMqtt.Connection c = RawMqtt.Connection.v5(port(), 'q')) {
            byte[] connack = c.connack();
            int receiveMaximum = 64; // the router's default, which its CONNACK announces (property 0x21)
            assertTrue(containsProperty(connack, 0x21, receiveMaximum), "CONNACK announces Receive Maximum 64");
            // One QoS 2 publish at a time, each PUBREC'd, none released: the router holds each id until its PUBREL.
            for (int id = 1; id <= receiveMaximum; id++) {
                c.send(qos2("{\"unreleased\":" + id + "}", id));
                assertEquals(0x50, c.next()[0] & 0xFF, "PUBREC for id " + id);
            }
            c.send(qos2("{\"unreleased\":0}", receiveMaximum + 1));
            assertEquals(0x93, c.disconnectReason(), "Receive Maximum exceeded: a DISCONNECT, not a PUBREC");
        }
    }

    /** A QoS 2 PUBLISH to {@code devices/q2/telemetry}, MQTT 5 with no properties. */
    private static byte[] qos2(String payload, int packetId) {
        byte[] p = RawMqtt.publish(
                "devices/q2/telemetry".getBytes(StandardCharsets.UTF_8),
                packetId,
                payload.getBytes(StandardCharsets.UTF_8),
                new byte[0]);
        p[0] = 0x34;
        return p;
    }

    /** Whether {@code connack}'s properties hold the two-byte integer property {@code id} with {@code value}. */
    private static boolean containsProperty(byte[] connack, int id, int value) {
        for (int i = RawMqtt.bodyStart(connack) + 3; i + 2 < connack.length; i++) {
            if ((connack[i] & 0xFF) == id && ((connack[i + 1] & 0xFF) << 8 | connack[i + 2] & 0xFF) == value) {
                return true;
            }
        }
        return false;
    }
}
