package dev.sluice.router;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Postgres;
import dev.sluice.testkit.SluiceInfra;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The limits a device meets, on the wire against a real broker: a payload over its route's
 * {@code maxBodyBytes}, a packet announcing more than {@code router.mqtt.max.packet.bytes} (refused
 * on what was announced, before the bytes come, so memory is never reserved for them), the
 * keep-alive, and a session expiry the router does not keep. Nothing over a limit is produced,
 * and the router goes on serving others.
 */
@SluiceInfra
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class MqttLimitsIT {

    private static MqttRouter mqtt;
    private static URI uri;

    @BeforeAll
    static void start(KafkaBroker kafka, Postgres postgres) throws Exception {
        mqtt = MqttRouter.start(kafka, postgres.createDatabase("mqtt_limits_it"), "it.mqtt.limits");
        uri = URI.create(mqtt.mqttUri);
        RawMqtt.warmUp(uri.getPort());
    }

    @AfterAll
    static void stop() throws Exception {
        if (mqtt != null) {
            mqtt.close();
        }
    }

    @Test
    void aPayloadOverItsRoutesLimitEndsTheConnectionWith0x95AndIsNotStored() throws Exception {
        try (RawMqtt.Connection c = RawMqtt.Connection.v5(uri.getPort(), 'l')) {
            c.send(RawMqtt.publish("small/s1", 1, new byte[65], true));
            assertEquals(0x95, c.disconnectReason(), "Packet too large");
        }
        try (RawMqtt.Connection c = RawMqtt.Connection.v311(uri.getPort(), 30, 'k')) {
            c.send(RawMqtt.publish("small/s2", 1, new byte[65], false));
            assertEquals(-1, c.in().read(), "MQTT 3.1.1 has no reason code: the connection is closed");
        }
        RawMqtt.warmUp(uri.getPort());
        assertEquals(
                0,
                mqtt.withPayload(new String(new byte[65], StandardCharsets.UTF_8))
                        .size(),
                "neither is stored");
    }

    @Test
    void aPacketAnnouncingMoreThanTheLimitIsRefusedBeforeItsBytesArrive() throws Exception {
        try (RawMqtt.Connection c = RawMqtt.Connection.v311(uri.getPort(), 30, 'k')) {
            // A QoS 0 PUBLISH whose remaining length says 200,000,000 bytes, then the first 3 of them.
            c.send(new byte[] {0x30, (byte) 0x80, (byte) 0x84, (byte) 0xAF, 0x5F, 0, 1, 's'});
            long start = System.nanoTime();
            assertEquals(-1, c.in().read(), "the router closes the connection without waiting for the announced bytes");
            assertTrue(
                    System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5),
                    "closed on the announcement, not after a timeout");
        }
        RawMqtt.warmUp(uri.getPort());
        assertTrue(
                mqtt.withPayload("{\"warm\":true}").size() >= 1,
                "the router goes on serving others: a publish after it is acknowledged and stored");
    }

    @Test
    void aSilentDeviceIsClosedAfterOneAndAHalfKeepAlivesAndAPingKeepsItOpen() throws Exception {
        try (RawMqtt.Connection c = RawMqtt.Connection.v311(uri.getPort(), 1, 'k')) {
            // The ping comes 0.7 s into the 1 s keep-alive: the close must then come 1.5 s after the
            // ping, past where it would have come without it. Pacing of the exchange, not a wait for a result.
            Thread.sleep(700);
            c.send(new byte[] {(byte) 0xC0, 0});
            assertArrayEquals(new byte[] {(byte) 0xD0, 0}, c.in().readNBytes(2), "PINGRESP");
            long quietFrom = System.nanoTime();
            assertEquals(-1, c.in().read(), "closed once silent past the keep-alive");
            long quietMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - quietFrom);
            assertTrue(
                    quietMillis >= 1_000 && quietMillis < 5_000,
                    "closed after 1.5 keep-alives of silence, not before one nor long after: " + quietMillis + " ms");
        }
    }

    @Test
    void aSessionExpiryAskedForIsAnsweredZeroSinceTheRouterKeepsNoSessions() throws Exception {
        MqttAsyncClient c = new MqttAsyncClient(mqtt.mqttUri, "expiry", new MemoryPersistence());
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(false);
        o.setSessionExpiryInterval(3600L);
        o.setAutomaticReconnect(false);
        IMqttToken connected = c.connect(o);
        connected.waitForCompletion(10_000);
        try {
            assertEquals(0L, connected.getResponseProperties().getSessionExpiryInterval(), "CONNACK's session expiry");
            assertEquals(false, connected.getSessionPresent(), "no session kept from before");
        } finally {
            c.disconnect().waitForCompletion(5_000);
            c.close();
        }
    }
}
