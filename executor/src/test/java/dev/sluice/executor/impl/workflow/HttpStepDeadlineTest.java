package dev.sluice.executor.impl.workflow;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.StepConfig;
import dev.sluice.core.WebhookSigning;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * When an http step may write, and what its timeout covers: the event's deadline bounds the wait
 * for a connection and a claim, and is checked just before the write, so a late loop never sends
 * after it; the step's timeout covers only the exchange with the target.
 */
class HttpStepDeadlineTest {

    private Vertx vertx;
    private Vertx targetVertx;
    private Context loop;
    private HttpStepRunner runner;
    private int port;
    private volatile long answerDelayMillis;
    /** Arrival times (epoch ms) of requests at the target. */
    private final List<Long> arrivals = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        targetVertx = Vertx.vertx();
        HttpServer server = targetVertx.createHttpServer().requestHandler(req -> {
            arrivals.add(System.currentTimeMillis());
            req.body().onComplete(b -> {
                if (answerDelayMillis > 0) {
                    targetVertx.setTimer(
                            answerDelayMillis,
                            id -> req.response().setStatusCode(200).end());
                } else {
                    req.response().setStatusCode(200).end();
                }
            });
        });
        port = get(server.listen(0, "127.0.0.1")).actualPort();
        vertx = Vertx.vertx();
        runner = new HttpStepRunner(
                vertx,
                vertx.createHttpClient(),
                vertx.createHttpClient(),
                new dev.sluice.executor.impl.guard.TargetGuards(
                        dev.sluice.executor.impl.guard.TargetLimits.from(
                                dev.sluice.core.Settings.of(java.util.Map.of())),
                        new io.micrometer.core.instrument.simple.SimpleMeterRegistry()));
        loop = vertx.getOrCreateContext();
    }

    @AfterEach
    void stop() throws Exception {
        get(vertx.close());
        get(targetVertx.close());
    }

    private static <T> T get(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private HttpStepRunner.Request request(Duration timeout) {
        StepConfig.Http step =
                new StepConfig.Http("http://127.0.0.1:" + port + "/hook", "POST", timeout, Map.of(), false);
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("t", 0, 0L, null, "{}".getBytes());
        return new HttpStepRunner.Request(step, record, record.value(), null, "msg_test", WebhookSigning.none());
    }

    private static void spin(long millis) {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < until) {
            Thread.onSpinWait();
        }
    }

    @Test
    void aLoopThatIsBusyPastTheDeadlineNeverWritesTheRequest() throws Exception {
        long deadline = System.currentTimeMillis() + 100;
        Promise<HttpStepRunner.Result> result = Promise.promise();
        loop.runOnContext(v -> {
            runner.call(request(Duration.ofSeconds(5)), 5000, deadline, HttpStepRunner.Gate.OPEN)
                    .onComplete(result);
            // The loop is saturated past the deadline: the connection is ready when it is free again.
            spin(400);
        });
        ExecutionException failed =
                org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () -> get(result.future()));
        assertInstanceOf(
                StepFailure.NotSent.class, failed.getCause(), failed.getCause().toString());
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(arrivals::isEmpty);
    }

    @Test
    void theStepTimeoutCoversTheExchangeNotTheWaitForTheClaim() throws Exception {
        Promise<HttpStepRunner.Result> result = Promise.promise();
        HttpStepRunner.Gate slowClaim = new HttpStepRunner.Gate() {
            @Override
            public Future<Void> beforeWrite() {
                return vertx.timer(500).mapEmpty();
            }

            @Override
            public void written() {}
        };
        loop.runOnContext(
                v -> runner.call(request(Duration.ofMillis(300)), 300, System.currentTimeMillis() + 10_000, slowClaim)
                        .onComplete(result));
        assertEquals(200, get(result.future()).status());
        assertEquals(1, arrivals.size());
    }

    private HttpStepRunner.Result call(Duration timeout, long deadline, HttpStepRunner.Gate gate) throws Exception {
        Promise<HttpStepRunner.Result> result = Promise.promise();
        loop.runOnContext(v -> runner.call(request(timeout), timeout.toMillis(), deadline, gate)
                .onComplete(result));
        return get(result.future());
    }

    @Test
    void aRequestWrittenBeforeTheDeadlineMayBeAnsweredAfterIt() throws Exception {
        call(
                Duration.ofSeconds(2),
                System.currentTimeMillis() + 10_000,
                HttpStepRunner.Gate.OPEN); // a pooled connection
        answerDelayMillis = 800;
        long deadline = System.currentTimeMillis() + 300;
        assertEquals(
                200,
                call(Duration.ofSeconds(2), deadline, HttpStepRunner.Gate.OPEN).status(),
                "the target's answer counts: it was delivered");
        assertTrue(arrivals.get(1) < deadline, "written before the deadline");
    }

    @Test
    void noAnswerWithinTheStepTimeoutAfterTheWriteIsAnUnknownOutcome() throws Exception {
        answerDelayMillis = 1000;
        int[] written = {0};
        HttpStepRunner.Gate counting = new HttpStepRunner.Gate() {
            @Override
            public Future<Void> beforeWrite() {
                return Future.succeededFuture();
            }

            @Override
            public void written() {
                written[0]++;
            }
        };
        ExecutionException failed = org.junit.jupiter.api.Assertions.assertThrows(
                ExecutionException.class,
                () -> call(Duration.ofMillis(200), System.currentTimeMillis() + 10_000, counting));
        StepFailure f = assertInstanceOf(StepFailure.class, failed.getCause());
        assertTrue(f.unknownOutcome() && f.retryable(), f.getMessage());
        assertEquals(1, written[0]);
        await().atMost(Duration.ofSeconds(2)).until(() -> arrivals.size() == 1);
    }
}
