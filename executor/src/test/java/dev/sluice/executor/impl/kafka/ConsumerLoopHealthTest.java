package dev.sluice.executor.impl.kafka;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.core.Settings;
import dev.sluice.executor.ExecutorConfig;
import dev.sluice.executor.impl.PartitionWorker;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetCommitCallback;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.consumer.RetriableCommitFailedException;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * The poll loop's signs of life, as readiness reads them: a poll that does not come back, and an
 * offset that cannot be committed, show, and clear once the loop recovers.
 */
class ConsumerLoopHealthTest {

    @Test
    void aPollThatDoesNotReturnShowsAsTimeSinceThePollAndRecovers() throws Exception {
        MockConsumer<byte[], byte[]> consumer = new MockConsumer<>(OffsetResetStrategy.EARLIEST);
        ExecutorConfig config = ExecutorConfig.from(Settings.of(Map.of("executor.shutdown.timeout", "1s")));
        ConsumerLoop loop = new ConsumerLoop(
                consumer,
                List.of("t"),
                config,
                tp -> null,
                new AtomicInteger(),
                DeadSpanSkip.DeadSpans.NONE,
                age -> {});
        Thread thread = new Thread(loop, "test-consumer");
        thread.setDaemon(true);
        thread.start();
        try {
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> loop.polling() && loop.health().sincePollMillis() < 500);
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
            assertEquals(
                    0,
                    loop.health().brokerSilentMillis(),
                    "a consumer that reports no connection count is never taken as cut off");
        } finally {
            loop.close();
        }
    }

    @Test
    void anOffsetThatCannotBeCommittedShowsAsCommitWaitAndRecovers() throws Exception {
        AtomicBoolean failing = new AtomicBoolean(true);
        MockConsumer<byte[], byte[]> consumer = new MockConsumer<>(OffsetResetStrategy.EARLIEST) {
            @Override
            public synchronized void commitAsync(
                    Map<TopicPartition, OffsetAndMetadata> offsets, OffsetCommitCallback callback) {
                if (failing.get()) {
                    callback.onComplete(offsets, new RetriableCommitFailedException("the broker is unreachable"));
                } else {
                    super.commitAsync(offsets, callback);
                }
            }
        };
        TopicPartition tp = new TopicPartition("t", 0);
        consumer.updateBeginningOffsets(Map.of(tp, 0L));
        Vertx vertx = Vertx.vertx();
        ExecutorConfig config = ExecutorConfig.from(
                Settings.of(Map.of("executor.shutdown.timeout", "1s", "executor.commit.interval", "100ms")));
        Context loopContext = vertx.getOrCreateContext();
        ConsumerLoop loop = new ConsumerLoop(
                consumer,
                List.of("t"),
                config,
                p -> new PartitionWorker(p, loopContext, null, new AtomicInteger()),
                new AtomicInteger(),
                DeadSpanSkip.DeadSpans.NONE,
                age -> {});
        consumer.schedulePollTask(() -> consumer.rebalance(List.of(tp)));
        Thread thread = new Thread(loop, "test-consumer");
        thread.setDaemon(true);
        thread.start();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> loop.workers().containsKey(tp));
            // Offset 0 is done (as a skipped span is once recorded): offset 1 becomes committable, and every commit
            // fails.
            loop.workers().get(tp).hold(0, Future.succeededFuture());
            await().atMost(Duration.ofSeconds(10)).until(() -> loop.health().commitWaitMillis() > 1000);
            failing.set(false);
            await().atMost(Duration.ofSeconds(10)).until(() -> loop.health().commitWaitMillis() == 0);
        } finally {
            loop.close();
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
