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
}
