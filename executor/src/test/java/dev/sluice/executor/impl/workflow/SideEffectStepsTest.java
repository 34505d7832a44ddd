package dev.sluice.executor.impl.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.StepConfig;
import dev.sluice.executor.impl.kafka.AccountingProducer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * publish and redis steps honour the step's timeout and the event's deadline: a broker that never
 * acknowledges and a Redis that never answers end the attempt as an unknown outcome within the
 * step's timeout cut to the time left, and nothing is sent once the deadline has passed.
 */
class SideEffectStepsTest {

    private Vertx vertx;
    private Context loop;
    private MockProducer<byte[], byte[]> kafka;
    private SideEffectSteps steps;
    /** Bytes a Redis that never answers has received. */
    private final AtomicInteger redisBytes = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        loop = vertx.getOrCreateContext();
        kafka = new MockProducer<>(false, new ByteArraySerializer(), new ByteArraySerializer());
        NetServer mute =
                vertx.createNetServer().connectHandler(socket -> socket.handler(b -> redisBytes.addAndGet(b.length())));
        int port = mute.listen(0, "127.0.0.1")
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS)
                .actualPort();
        RedisAPI redis = RedisAPI.api(Redis.createClient(vertx, "redis://127.0.0.1:" + port));
        steps = new SideEffectSteps(loop, new AccountingProducer(kafka), java.util.Optional.of(redis));
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private Throwable failure(Supplier<Future<Void>> step) throws Exception {
        Promise<Void> done = Promise.promise();
        loop.runOnContext(v -> step.get().onComplete(done));
        try {
            done.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            throw new AssertionError("the step succeeded");
        } catch (ExecutionException e) {
            return e.getCause();
        }
    }

    @Test
    void aPublishThatIsNeverAcknowledgedEndsAtTheTimeLeftAsAnUnknownOutcome() throws Exception {
        long begin = System.currentTimeMillis();
        WorkflowRun wr = StepRetriesTest.run(begin + 500);
        StepFailure f = assertInstanceOf(
                StepFailure.class,
                failure(() -> steps.publish(wr, new StepConfig.Publish("out", Duration.ofSeconds(30)))));
        long took = System.currentTimeMillis() - begin;
        assertTrue(f.unknownOutcome() && f.retryable(), f.getMessage());
        assertTrue(
                took < 5_000, "bounded by the 500 ms left, not the step's 30 s or Kafka's delivery timeout: " + took);
        assertEquals(1, kafka.history().size());
        assertEquals(1, wr.written);
    }

    @Test
    void aPublishIsNeverSentAfterTheDeadline() throws Exception {
        WorkflowRun wr = StepRetriesTest.run(System.currentTimeMillis() - 1);
        assertInstanceOf(
                StepFailure.NotSent.class,
                failure(() -> steps.publish(wr, new StepConfig.Publish("out", Duration.ofSeconds(5)))));
        assertEquals(0, kafka.history().size());
        assertEquals(0, wr.written);
    }

    @Test
    void aRedisCommandThatIsNeverAnsweredEndsAtTheStepTimeoutAsAnUnknownOutcome() throws Exception {
        long begin = System.currentTimeMillis();
        WorkflowRun wr = StepRetriesTest.run(begin + 30_000);
        StepFailure f = assertInstanceOf(
                StepFailure.class,
                failure(() -> steps.redis(
                        wr,
                        new StepConfig.Redis(StepConfig.Redis.Command.INCR, "k", null, null, Duration.ofMillis(300)))));
        assertTrue(f.unknownOutcome() && f.retryable(), f.getMessage());
        assertTrue(System.currentTimeMillis() - begin < 5_000, "bounded by the step's 300 ms timeout");
    }

    @Test
    void aRedisCommandIsNeverSentAfterTheDeadline() throws Exception {
        WorkflowRun wr = StepRetriesTest.run(System.currentTimeMillis() - 1);
        assertInstanceOf(
                StepFailure.NotSent.class,
                failure(() -> steps.redis(
                        wr,
                        new StepConfig.Redis(StepConfig.Redis.Command.SET, "k", "v", null, Duration.ofSeconds(2)))));
        assertEquals(0, redisBytes.get());
    }
}
