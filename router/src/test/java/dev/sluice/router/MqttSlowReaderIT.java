package dev.sluice.router;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Ports;
import dev.sluice.testkit.SluiceInfra;
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
            RawMqtt.warmUp(mqttPort);
            long before = kafka.count(TOPIC);
            s.setReceiveBufferSize(4096);
            s.connect(new InetSocketAddress("127.0.0.1", mqttPort), 10_000);
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            // CONNECT, MQTT 5, clean start, no keep-alive, no properties, client id "s".
            out.write(new byte[] {0x10, 14, 0, 4, 'M', 'Q', 'T', 'T', 5, 2, 0, 0, 0, 0, 1, 's'});
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            byte[] connack = RawMqtt.packet(in);
            assertEquals(0x20, connack[0] & 0xF0);
            assertEquals(0, connack[2], "CONNACK success");
            CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
                try {
                    for (int id = 1; id <= REFUSED + STORED; id++) {
                        String topic = id <= REFUSED ? UNBOUND : "devices/s/telemetry";
                        out.write(RawMqtt.publish(
                                topic, id, ("{\"n\":" + id + "}").getBytes(StandardCharsets.UTF_8), true));
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
                    p = RawMqtt.packet(in);
                } catch (SocketTimeoutException e) {
                    throw new AssertionError("only " + n + " of " + (REFUSED + STORED) + " PUBACKs arrived", e);
                }
                assertEquals(0x40, p[0] & 0xFF, "a PUBACK");
                int body = RawMqtt.bodyStart(p);
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
}
