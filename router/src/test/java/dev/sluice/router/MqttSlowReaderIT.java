package dev.sluice.router;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Ports;
import dev.sluice.testkit.SluiceInfra;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A device that stops reading its socket still gets every PUBACK, once, when it reads again. The
 * device (a raw MQTT 5 client with a small receive buffer) first sends publishes to a topic no
 * route binds: each refusal is a PUBACK carrying a reason string of some 500 bytes, and together
 * they fill the kernel's buffers and then the router's channel, which turns unwritable. The success
 * PUBACKs of the publishes that follow then go out through the endpoint instead of being batched
 * ({@code AckWriter}'s fallback), queued behind the refusals.
 */
@SluiceInfra
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MqttSlowReaderIT {

    private static final String TOPIC = "it.mqtt.slowreader";
    /** About 6 MiB of refusals: more than the router's send buffer (4 MiB at most here) and the device's receive buffer. */
    private static final int REFUSED = 12_000;

    private static final int STORED = 2_000;
    /** A topic of one level no route binds, long enough for a reason string cut at 512 characters. */
    private static final String UNBOUND = "nobody-" + "x".repeat(480);

    @Test
    void aDeviceThatStopsReadingGetsEveryPubackOnceWhenItReadsAgain(KafkaBroker kafka) throws Exception {
        kafka.createTopic(TOPIC, 1, Duration.ofMinutes(10));
        int mqttPort = Ports.freePort();
        RouterFixture router = RouterFixture.start(
                kafka,
                """
                {"routes": [{"source": "slow", "topic": "%s", "mqtt": {"topics": ["devices/+/telemetry"]}}]}
                """.formatted(TOPIC),
                Map.of(
                        "router.instances", "1",
                        "router.mqtt.enabled", "true",
                        "router.mqtt.port", Integer.toString(mqttPort),
                        // The device sends without reading: the router, not Receive Maximum, is what is tested.
                        "router.mqtt.receive.maximum", "20000"));
        try (Socket s = new Socket()) {
            warmUp(mqttPort);
            long before = kafka.count(TOPIC);
            s.setReceiveBufferSize(4096);
            s.connect(new InetSocketAddress("127.0.0.1", mqttPort), 10_000);
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            // CONNECT, MQTT 5, clean start, no keep-alive, no properties, client id "s".
            out.write(new byte[] {0x10, 14, 0, 4, 'M', 'Q', 'T', 'T', 5, 2, 0, 0, 0, 0, 1, 's'});
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            byte[] connack = packet(in);
            assertEquals(0x20, connack[0] & 0xF0);
            assertEquals(0, connack[2], "CONNACK success");
            CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
                try {
                    for (int id = 1; id <= REFUSED + STORED; id++) {
                        String topic = id <= REFUSED ? UNBOUND : "devices/s/telemetry";
                        out.write(qos1Publish(topic, id, "{\"n\":" + id + "}"));
                    }
                    out.flush();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            sent.get(60, TimeUnit.SECONDS);
            // Every publish to be stored is in Kafka, so each of their PUBACKs has been written by now.
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> kafka.count(TOPIC) - before >= STORED);

            int[] reasons = new int[REFUSED + STORED + 1];
            int[] answers = new int[REFUSED + STORED + 1];
            for (int n = 0; n < REFUSED + STORED; n++) {
                byte[] p;
                try {
                    p = packet(in);
                } catch (SocketTimeoutException e) {
                    throw new AssertionError("only " + n + " of " + (REFUSED + STORED) + " PUBACKs arrived", e);
                }
                assertEquals(0x40, p[0] & 0xFF, "a PUBACK");
                int body = bodyStart(p);
                int id = (p[body] & 0xFF) << 8 | p[body + 1] & 0xFF;
                answers[id]++;
                reasons[id] = p.length > body + 2 ? p[body + 2] & 0xFF : 0;
            }
            for (int id = 1; id <= REFUSED + STORED; id++) {
                assertEquals(1, answers[id], "one PUBACK for packet " + id);
                assertEquals(id <= REFUSED ? 0x90 : 0, reasons[id], "the reason code for packet " + id);
            }
            assertEquals(STORED, kafka.count(TOPIC) - before, "each stored publish is in Kafka once");
        } finally {
            router.close();
        }
    }

    /** One packet, its fixed header included. */
    private static byte[] packet(DataInputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream(5);
        head.write(in.readUnsignedByte());
        int length = 0;
        int shift = 0;
        int b;
        do {
            b = in.readUnsignedByte();
            head.write(b);
            length |= (b & 0x7F) << shift;
            shift += 7;
        } while ((b & 0x80) != 0);
        byte[] rest = new byte[length];
        in.readFully(rest);
        head.writeBytes(rest);
        return head.toByteArray();
    }

    /** Where a packet's variable header starts (after its remaining length). */
    private static int bodyStart(byte[] p) {
        int i = 1;
        while ((p[i] & 0x80) != 0) {
            i++;
        }
        return i + 1;
    }

    /** An MQTT 5 QoS 1 PUBLISH without properties. */
    private static byte[] qos1Publish(String topic, int packetId, String payload) {
        byte[] t = topic.getBytes(StandardCharsets.UTF_8);
        byte[] data = payload.getBytes(StandardCharsets.UTF_8);
        int remaining = 2 + t.length + 2 + 1 + data.length;
        ByteArrayOutputStream b = new ByteArrayOutputStream(remaining + 5);
        b.write(0x32);
        int n = remaining;
        do {
            int digit = n % 128;
            n /= 128;
            b.write(n > 0 ? digit | 0x80 : digit);
        } while (n > 0);
        b.write(t.length >> 8);
        b.write(t.length & 0xFF);
        b.writeBytes(t);
        b.write(packetId >> 8);
        b.write(packetId & 0xFF);
        b.write(0);
        b.writeBytes(data);
        return b.toByteArray();
    }

    /** One QoS 1 publish acknowledged: the topic's metadata is loaded before the device starts. */
    private static void warmUp(int port) throws Exception {
        MqttAsyncClient c = new MqttAsyncClient("tcp://127.0.0.1:" + port, "warm", new MemoryPersistence());
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        c.connect(o).waitForCompletion(10_000);
        try {
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
                MqttMessage m = new MqttMessage("{\"warm\":true}".getBytes(StandardCharsets.UTF_8));
                m.setQos(1);
                IMqttToken t = c.publish("devices/warm/telemetry", m);
                t.waitForCompletion(10_000);
                return t.getReasonCodes()[0] == 0;
            });
        } finally {
            c.disconnect().waitForCompletion(5_000);
            c.close();
        }
    }
}
