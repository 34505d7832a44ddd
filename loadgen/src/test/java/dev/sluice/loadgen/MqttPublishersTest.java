package dev.sluice.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The generator's MQTT publishers against a peer that accepts the connection and then stops reading. */
class MqttPublishersTest {

    @Test
    void qos0PublishesToAPeerThatStopsReadingAreReportedUnsentNotQueuedWithoutBound() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            // A peer that answers CONNECT with CONNACK (accepted) and then never reads again.
            NetServer peer = vertx.createNetServer()
                    .connectHandler(so -> so.handler(first -> {
                        so.pause();
                        so.write(Buffer.buffer(new byte[] {0x20, 2, 0, 0}));
                    }));
            int port = peer.listen(0, "127.0.0.1").await().actualPort();
            Context context = vertx.getOrCreateContext();
            MqttPublishers publishers = MqttPublishers.open(
                            vertx,
                            context,
                            URI.create("tcp://127.0.0.1:" + port),
                            1,
                            0,
                            0,
                            new byte[64 * 1024],
                            RandomPad.NONE,
                            null,
                            10_000)
                    .await();
            int sent = 2_000;
            Map<String, Integer> failed = new HashMap<>();
            int[] acked = {0};
            publishers.answerTo(new MqttPublishers.Answers() {
                @Override
                public void acked(MqttPublishers.Pending p, long end) {
                    acked[0]++;
                }

                @Override
                public void failed(MqttPublishers.Pending p, String kind) {
                    failed.merge(kind, 1, Integer::sum);
                }
            });
            // 125 MiB due at once: far more than the kernel's buffers take while the peer reads nothing.
            CompletableFuture<int[]> counts = new CompletableFuture<>();
            context.runOnContext(v -> {
                for (int i = 0; i < sent; i++) {
                    publishers.send(i, System.nanoTime(), true);
                }
                publishers.flush();
                context.runOnContext(w -> counts.complete(
                        new int[] {acked[0], failed.getOrDefault(MqttPublishers.WRITE_QUEUE_FULL, 0), failed.size()}));
            });
            int[] c = counts.get(30, TimeUnit.SECONDS);
            int unanswered = sent - c[0] - c[1];
            assertTrue(c[1] > sent / 2, "most publishes were reported unsent: " + c[1] + " of " + sent);
            assertTrue(
                    unanswered <= MqttPublishers.WINDOW,
                    "at most a window of publishes waits on the socket, not " + unanswered);
            assertEquals(1, c[2], "no other failure: " + failed);
        } finally {
            vertx.close().await();
        }
    }

    @Test
    void withRandomPadEveryPublishOnTheWireCarriesItsOwnPaddingAtBothQoS() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            byte[] template = RunPlan.payload(120);
            String topic = "devices/load-0/telemetry";
            for (int qos = 0; qos <= 1; qos++) {
                int remaining = 2 + topic.length() + 2 * qos + template.length;
                int frame = 1 + (remaining > 127 ? 2 : 1) + remaining;
                Buffer received = Buffer.buffer();
                CompletableFuture<Void> threeFrames = new CompletableFuture<>();
                NetServer peer = vertx.createNetServer().connectHandler(so -> {
                    boolean[] connected = {false};
                    so.handler(b -> {
                        if (!connected[0]) { // the CONNECT, then every byte after it is kept
                            connected[0] = true;
                            so.write(Buffer.buffer(new byte[] {0x20, 2, 0, 0}));
                        } else {
                            synchronized (received) {
                                received.appendBuffer(b);
                                if (received.length() >= 3 * frame) {
                                    threeFrames.complete(null);
                                }
                            }
                        }
                    });
                });
                int port = peer.listen(0, "127.0.0.1").await().actualPort();
                Context context = vertx.getOrCreateContext();
                MqttPublishers publishers = MqttPublishers.open(
                                vertx,
                                context,
                                URI.create("tcp://127.0.0.1:" + port),
                                1,
                                0,
                                qos,
                                template,
                                RandomPad.over(template),
                                null,
                                10_000)
                        .await();
                publishers.answerTo(new MqttPublishers.Answers() {
                    @Override
                    public void acked(MqttPublishers.Pending p, long end) {}

                    @Override
                    public void failed(MqttPublishers.Pending p, String kind) {}
                });
                context.runOnContext(v -> {
                    for (int i = 0; i < 3; i++) {
                        publishers.send(i, System.nanoTime(), true);
                    }
                    publishers.flush();
                });
                threeFrames.get(10, TimeUnit.SECONDS);
                java.util.Set<String> payloads = new java.util.HashSet<>();
                synchronized (received) {
                    assertEquals(
                            3 * frame, received.length(), "three PUBLISH frames of the template's size at QoS " + qos);
                    for (int f = 0; f < 3; f++) {
                        int at = f * frame;
                        assertEquals(0x30 | qos << 1, received.getUnsignedByte(at), "a PUBLISH at QoS " + qos);
                        String payload = received.getString(at + frame - template.length, at + frame);
                        assertTrue(
                                payload.matches("\\{\"device\":\\{\"id\":\"d-1\"\\},\"pad\":\"[0-9a-f]+\"\\}"),
                                payload);
                        payloads.add(payload);
                    }
                }
                assertEquals(3, payloads.size(), "three different payloads at QoS " + qos);
                peer.close().await();
            }
        } finally {
            vertx.close().await();
        }
    }
}
