package dev.sluice.router;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.testkit.KafkaBroker;
import dev.sluice.testkit.Ports;
import dev.sluice.testkit.Signals;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * QoS 0 is bounded by the producer's in-flight bound, not by what devices send: with the broker
 * frozen, a device flooding QoS 0 publishes fills the producer's bound, then the router stops
 * reading its socket, so the device's writes stall in TCP; nothing is refused for want of room
 * (a QoS 0 refusal is a lost event). Once the broker is back, every publish the device wrote is in
 * Kafka.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class MqttBackpressureIT {

    private static final String TOPIC = "it.mqtt.backpressure";
    private static final int BOUND = 50;
    /** 64 MiB in all: more than the kernel buffers both ends can hold (4 MiB send, 32 MiB receive at most here). */
    private static final int PAYLOAD = 16 * 1024;

    private static final int PUBLISHES = 4096;
    private static KafkaBroker kafka;
    private static RouterFixture router;
    private static int mqttPort;

    @BeforeAll
    static void start() throws Exception {
        kafka = KafkaBroker.start();
        kafka.createTopic(TOPIC, 1, Duration.ofMinutes(10));
        mqttPort = Ports.freePort();
        router = RouterFixture.start(
                kafka,
                """
                {"routes": [{"source": "flood", "topic": "%s", "mqtt": {"topics": ["devices/+/telemetry"]}}]}
                """.formatted(TOPIC),
                Map.of(
                        "router.instances", "1",
                        "router.mqtt.enabled", "true",
                        "router.mqtt.port", Integer.toString(mqttPort),
                        "router.inflight.records", Integer.toString(BOUND),
                        // Kafka's own timeouts (twice this, and more) stay beyond the frozen stretch: nothing expires.
                        "router.produce.timeout", "20s"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (router != null) {
            router.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void aQos0FloodAgainstAFrozenBrokerStopsTheRouterReadingAndLosesNothing() throws Exception {
        RawMqtt.warmUp(mqttPort);
        long before = kafka.count(TOPIC);
        ProcessHandle broker = brokerProcess();
        AtomicInteger written = new AtomicInteger();
        CompletableFuture<Void> flood;
        Signals.send(broker, "STOP");
        try (Socket s = new Socket("127.0.0.1", mqttPort)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            // CONNECT, MQTT 3.1.1, clean session, no keep-alive, client id "f".
            out.write(new byte[] {0x10, 13, 0, 4, 'M', 'Q', 'T', 'T', 4, 2, 0, 0, 0, 1, 'f'});
            InputStream in = s.getInputStream();
            assertEquals(0, in.readNBytes(4)[3], "CONNACK accepted");
            byte[] publish = RawMqtt.publish("devices/f/telemetry", 0, payload(PAYLOAD), false);
            flood = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < PUBLISHES; i++) {
                        out.write(publish);
                        written.incrementAndGet();
                    }
                    out.flush();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try {
                // The producer fills to its bound, then the device's writes stop going anywhere.
                await().atMost(Duration.ofSeconds(20)).until(() -> router.gauge("sluice.router.inflight") >= BOUND);
                int[] last = {-1};
                await().atMost(Duration.ofSeconds(20))
                        .pollInterval(Duration.ofSeconds(1))
                        .until(() -> {
                            int now = written.get();
                            boolean still = now == last[0];
                            last[0] = now;
                            return still;
                        });
                assertTrue(
                        written.get() < PUBLISHES,
                        "the router stopped reading: the device could write only " + written.get() + " of " + PUBLISHES
                                + " publishes");
                assertTrue(router.gauge("sluice.router.inflight") <= BOUND, "never past the producer's bound");
                assertEquals(0, router.events("overloaded"), "nothing refused (and so lost) for want of room");
                reconnectingDevicesLeaveNothingHeld();
            } finally {
                Signals.send(broker, "CONT");
            }
            flood.get(90, TimeUnit.SECONDS);
            assertEquals(PUBLISHES, written.get());
            await().atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> kafka.count(TOPIC) - before >= PUBLISHES);
        }
        assertEquals(PUBLISHES, kafka.count(TOPIC) - before, "every QoS 0 publish written is in Kafka, once");
        assertEquals(0, router.events("overloaded"));
    }

    /**
     * While the producer has no room, devices that connect, publish once and go away (a reconnect
     * storm against an unavailable broker) each hold a publish only while connected: the router lets
     * go of it when the connection closes, and counts it, instead of keeping it until the broker is back.
     */
    private static void reconnectingDevicesLeaveNothingHeld() throws Exception {
        assertEquals(1, router.gauge("sluice.router.mqtt.held"), "the flooding device holds a publish");
        int devices = 20;
        Socket[] sockets = new Socket[devices];
        try {
            for (int i = 0; i < devices; i++) {
                sockets[i] = new Socket("127.0.0.1", mqttPort);
                sockets[i].setSoTimeout(10_000);
                OutputStream out = sockets[i].getOutputStream();
                out.write(new byte[] {0x10, 13, 0, 4, 'M', 'Q', 'T', 'T', 4, 2, 0, 0, 0, 1, (byte) ('a' + i)});
                assertEquals(0, sockets[i].getInputStream().readNBytes(4)[3], "CONNACK accepted");
                out.write(RawMqtt.publish("devices/r" + i + "/telemetry", 0, payload(64), false));
                out.flush();
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> router.gauge("sluice.router.mqtt.held") == 1 + devices);
            assertTrue(router.gauge("sluice.router.mqtt.connections") >= 1 + devices);
        } finally {
            for (Socket s : sockets) {
                if (s != null) {
                    s.close();
                }
            }
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> router.gauge("sluice.router.mqtt.held") == 1);
        assertEquals(
                devices,
                router.registry()
                        .get("sluice.router.mqtt.held.dropped")
                        .counter()
                        .count());
    }

    private static byte[] payload(int size) {
        byte[] payload = new byte[size];
        Arrays.fill(payload, (byte) 'x');
        return payload;
    }

    private static ProcessHandle brokerProcess() {
        String dir = kafka.logFile().getParent().toString();
        return ProcessHandle.current()
                .descendants()
                .filter(p -> p.info().commandLine().orElse("").contains(dir))
                .findFirst()
                .orElseThrow();
    }
}
