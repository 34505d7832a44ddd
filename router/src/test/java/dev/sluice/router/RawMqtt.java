package dev.sluice.router;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
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

    /**
     * One connection to a router's MQTT port (reads time out after 10 s) whose CONNECT was answered
     * with a CONNACK, kept in {@code connack}.
     */
    record Connection(Socket socket, OutputStream out, DataInputStream in, byte[] connack) implements AutoCloseable {

        /** MQTT 5, clean start, keep-alive 30 s, no properties, a one-letter client id. */
        static Connection v5(int port, char clientId) throws IOException {
            return open(port, new byte[] {0x10, 14, 0, 4, 'M', 'Q', 'T', 'T', 5, 2, 0, 30, 0, 0, 1, (byte) clientId});
        }

        /** MQTT 3.1.1, clean session, the keep-alive in seconds, a one-letter client id; accepted (return code 0). */
        static Connection v311(int port, int keepAliveSeconds, char clientId) throws IOException {
            Connection c = open(port, new byte[] {
                0x10, 13, 0, 4, 'M', 'Q', 'T', 'T', 4, 2, 0, (byte) keepAliveSeconds, 0, 1, (byte) clientId
            });
            assertArrayEquals(new byte[] {0x20, 2, 0, 0}, c.connack(), "CONNACK accepted");
            return c;
        }

        private static Connection open(int port, byte[] connect) throws IOException {
            Socket s = new Socket("127.0.0.1", port);
            s.setSoTimeout(10_000);
            DataInputStream in = new DataInputStream(s.getInputStream());
            s.getOutputStream().write(connect);
            byte[] connack = packet(in);
            assertEquals(0x20, connack[0] & 0xFF, "CONNACK");
            return new Connection(s, s.getOutputStream(), in, connack);
        }

        void send(byte[] packet) throws IOException {
            out.write(packet);
            out.flush();
        }

        /** The next packet from the router. */
        byte[] next() throws IOException {
            return packet(in);
        }

        /** The reason code of the DISCONNECT that comes next, once the router has also closed the connection. */
        int disconnectReason() throws IOException {
            byte[] disconnect = next();
            assertEquals(0xE0, disconnect[0] & 0xFF, "DISCONNECT");
            assertEquals(-1, in.read(), "then the router closes the connection");
            return disconnect[bodyStart(disconnect)] & 0xFF;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
