package dev.sluice.core.management;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LoopDelayTest {

    @Test
    void aLoopHeldBusyShowsUpAsTheDelayOfItsSamplingTask() throws Exception {
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        LoopDelay monitor = LoopDelay.start(vertx, registry);
        try {
            Timer delay = registry.get(LoopDelay.METRIC).timer();
            await().atMost(Duration.ofSeconds(5)).until(() -> delay.count() >= 3);
            double idleMax = delay.max(TimeUnit.MILLISECONDS);
            long idleCount = delay.count();
            assertTrue(idleCount >= 3, "sampled while idle: " + idleCount);
            assertTrue(idleMax < 250, "an idle loop runs its due task about on time: " + idleMax + " ms");

            // Hold the only loop for 300 ms, as a slow handler or a burst of work would.
            CountDownLatch held = new CountDownLatch(1);
            vertx.runOnContext(v -> {
                long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
                while (System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
                held.countDown();
            });
            assertTrue(held.await(5, TimeUnit.SECONDS));
            // The sample that was due while the loop was held runs as soon as it is free.
            await().atMost(Duration.ofSeconds(5)).until(() -> delay.count() > idleCount + 1);
            double max = delay.max(TimeUnit.MILLISECONDS);
            assertTrue(max >= 250, "the held loop's sampling task ran about 300 ms late: " + max + " ms");
            assertTrue(delay.count() > idleCount, "sampling continued after the loop was free");
        } finally {
            monitor.stop();
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
