package dev.sluice.router;

import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;

/**
 * MQTT as the ITs that need a client no library would be (one that floods, or stops reading) write
 * and read it by hand, and the warm-up publish they start with.
 */
final class RawMqtt {

    private RawMqtt() {}

    /**
     * A PUBLISH: QoS 0 when {@code packetId} is 0, else QoS 1 with that packet id; with an empty
     * property list when {@code v5}.
     */
    static byte[] publish(String topic, int packetId, byte[] payload, boolean v5) {
        return publish(topic.getBytes(StandardCharsets.UTF_8), packetId, payload, v5 ? new byte[0] : null);
    }

    /**
     * A PUBLISH of a topic's raw bytes (well-formed UTF-8 or not): QoS 0 when {@code packetId} is 0,
     * else QoS 1; MQTT 5 with {@code properties} (encoded, without their length), 3.1.1 when null.
     */
    static byte[] publish(byte[] topic, int packetId, byte[] payload, byte[] properties) {
        int remaining = 2
                + topic.length
                + (packetId > 0 ? 2 : 0)
                + (properties != null ? 1 + properties.length : 0)
                + payload.length;
        ByteArrayOutputStream b = new ByteArrayOutputStream(remaining + 5);
        b.write(packetId > 0 ? 0x32 : 0x30);
        int n = remaining;
        do {
            int digit = n % 128;
            n /= 128;
            b.write(n > 0 ? digit | 0x80 : digit);
        } while (n > 0);
        b.write(topic.length >> 8);
        b.write(topic.length & 0xFF);
        b.writeBytes(topic);
        if (packetId > 0) {
            b.write(packetId >> 8);
            b.write(packetId & 0xFF);
        }
        if (properties != null) {
            b.write(properties.length); // property lists here stay under 128 bytes: one length byte
            b.writeBytes(properties);
        }
        b.writeBytes(payload);
        return b.toByteArray();
    }

    /** One packet read whole, its fixed header included. */
    static byte[] packet(DataInputStream in) throws IOException {
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
    static int bodyStart(byte[] p) {
        int i = 1;
        while ((p[i] & 0x80) != 0) {
            i++;
        }
        return i + 1;
    }

    /**
     * One QoS 1 publish to {@code devices/warm/telemetry} acknowledged: the topic's metadata is
     * loaded before a test starts, and before any broker is frozen.
     */
    static void warmUp(int port) throws Exception {
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
