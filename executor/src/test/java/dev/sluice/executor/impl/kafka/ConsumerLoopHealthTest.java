package dev.sluice.executor.impl.kafka;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.core.Settings;
import dev.sluice.executor.ExecutorConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.junit.jupiter.api.Test;

/** The poll loop's signs of life, as readiness reads them: a poll that does not come back shows. */
class ConsumerLoopHealthTest {

    @Test
    void aPollThatDoesNotReturnShowsAsTimeSinceThePollAndRecovers() throws Exception {
        MockConsumer<byte[], byte[]> consumer = new MockConsumer<>(OffsetResetStrategy.EARLIEST);
        ExecutorConfig config = ExecutorConfig.from(Settings.of(Map.of("executor.shutdown.timeout", "1s")));
        ConsumerLoop loop = new ConsumerLoop(consumer, List.of("t"), config, tp -> null, new AtomicInteger(), null, age -> { });
        Thread thread = new Thread(loop, "test-consumer");
        thread.setDaemon(true);
        thread.start();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> loop.polling() && loop.health().sincePollMillis() < 500);
            CountDownLatch release = new CountDownLatch(1);
            // The next poll hangs, as one stuck on a dead broker or in a rebalance callback would.
            consumer.schedulePollTask(() -> {
                try {
                    release.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            await().atMost(Duration.ofSeconds(10)).until(() -> loop.health().sincePollMillis() > 1000);
            release.countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> loop.health().sincePollMillis() < 500);
            assertEquals(0, loop.health().commitWaitMillis(), "nothing waits to be committed");
            assertEquals(0, loop.health().brokerSilentMillis(), "no group coordinator before an assignment");
        } finally {
            loop.close();
        }
    }
}
