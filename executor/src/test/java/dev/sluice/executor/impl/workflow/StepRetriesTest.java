package dev.sluice.executor.impl.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.Settings;
import dev.sluice.core.StepConfig;
import dev.sluice.core.WorkflowConfig;
import dev.sluice.executor.ExecutorConfig;
import dev.sluice.executor.impl.ExecutorMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The one retry policy every step type uses: backoff with jitter, bounded by attempts and by the deadline. */
class StepRetriesTest {

    private Vertx vertx;
    private SimpleMeterRegistry registry;
    private StepRetries retries;
    private final List<Long> starts = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        registry = new SimpleMeterRegistry();
        ExecutorConfig config = ExecutorConfig.from(
                Settings.of(Map.of("executor.retry.attempts", "10", "executor.retry.backoff", "100ms")));
        retries = new StepRetries(vertx, config, new ExecutorMetrics(registry));
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    static WorkflowRun run(long deadline) {
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>(
                "t",
                0,
                0L,
                System.currentTimeMillis(),
                org.apache.kafka.common.record.TimestampType.CREATE_TIME,
                0,
                2,
                null,
                "{}".getBytes(),
                new org.apache.kafka.common.header.internals.RecordHeaders(),
                java.util.Optional.empty());
        WorkflowConfig w = new WorkflowConfig(
                "w", List.of("s"), null, List.of(new StepConfig.Publish("out", Duration.ofSeconds(1))));
        return new WorkflowRun(
                new EventRun(record, "id", "s", deadline, dev.sluice.executor.impl.guard.TargetGuard.Queueing.NONE),
                w,
                System.currentTimeMillis());
    }

    private Future<Void> on(WorkflowRun wr, IntFunction<Future<Void>> attempt) throws Exception {
        Promise<Void> done = Promise.promise();
        vertx.getOrCreateContext()
                .runOnContext(v -> retries.run(wr, n -> {
                            starts.add(System.currentTimeMillis());
                            return attempt.apply(n);
                        })
                        .onComplete(done));
        try {
            done.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            // inspected by the caller
        }
        return done.future();
    }

    @Test
    void aRetryableFailureIsTriedAgainAfterAGrowingJitteredBackoffUntilItSucceeds() throws Exception {
        Future<Void> f = on(
                run(System.currentTimeMillis() + 10_000),
                n -> n < 3 ? Future.failedFuture(StepFailure.retryable("503", null)) : Future.succeededFuture());
        assertTrue(f.succeeded(), String.valueOf(f.cause()));
        assertEquals(3, starts.size());
        long first = starts.get(1) - starts.get(0);
        long second = starts.get(2) - starts.get(1);
        assertTrue(first >= 50, "first backoff is half to all of 100 ms: " + first);
        assertTrue(second >= 100, "then half to all of 200 ms: " + second);
        assertEquals(2.0, registry.get("sluice.executor.retries").counter().count());
        assertEquals(0.0, registry.get("sluice.executor.resends").counter().count());
    }

    @Test
    void noAttemptStartsWithoutTimeLeftBeforeTheDeadline() throws Exception {
        long deadline = System.currentTimeMillis() + 400;
        WorkflowRun wr = run(deadline);
        Future<Void> f = on(wr, n -> {
            wr.written++;
            return Future.failedFuture(StepFailure.retryable("503", null));
        });
        StepFailure failure = assertInstanceOf(StepFailure.class, f.cause());
        assertTrue(
                failure.getMessage().contains("no time left")
                        && failure.getMessage().contains(starts.size() + " written"),
                failure.getMessage());
        assertTrue(starts.size() >= 2, "retried while time was left: " + starts.size());
        assertTrue(
                starts.stream().allMatch(t -> t < deadline - StepRetries.MIN_RETRY_WINDOW_MS),
                starts + " vs " + deadline);
    }

    @Test
    void aFailureThatIsNotRetryableIsTriedOnce() throws Exception {
        Future<Void> f =
                on(run(System.currentTimeMillis() + 10_000), n -> Future.failedFuture(StepFailure.fatal("400")));
        assertEquals(1, starts.size());
        assertTrue(f.cause().getMessage().contains("not retryable"), f.cause().getMessage());
    }

    @Test
    void aRetryAfterAnUnknownOutcomeIsCountedAsAResend() throws Exception {
        Future<Void> f = on(
                run(System.currentTimeMillis() + 10_000),
                n -> n == 1
                        ? Future.failedFuture(StepFailure.unknownOutcome(
                                "no response within 300 ms after the request was written", null))
                        : Future.succeededFuture());
        assertTrue(f.succeeded());
        assertEquals(1.0, registry.get("sluice.executor.resends").counter().count());
    }

    @Test
    void aStepNotSentBeforeAnythingLeftExpiresTheRunButFailsItAfterEarlierWrites() throws Exception {
        StepFailure notSent = StepFailure.notSent("the deadline passed");
        assertSame(
                notSent,
                on(run(System.currentTimeMillis() + 10_000), n -> Future.failedFuture(notSent))
                        .cause());
        WorkflowRun wrote = run(System.currentTimeMillis() + 10_000);
        wrote.written = 1;
        StepFailure f = assertInstanceOf(
                StepFailure.class, on(wrote, n -> Future.failedFuture(notSent)).cause());
        assertTrue(!f.retryable() && f.getMessage().contains("1 written"), f.getMessage());
    }

    @Test
    void somethingNoStepExpectsIsNotRetriedAndPassesThrough() throws Exception {
        IllegalStateException bug = new IllegalStateException("bug");
        assertSame(
                bug,
                on(run(System.currentTimeMillis() + 10_000), n -> {
                            throw bug;
                        })
                        .cause());
        assertEquals(1, starts.size());
    }
}
