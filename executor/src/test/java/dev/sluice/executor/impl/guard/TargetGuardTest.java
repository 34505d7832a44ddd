package dev.sluice.executor.impl.guard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class TargetGuardTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final TargetGuard guard =
            new TargetGuard("t:80", new TargetLimits(1, 1, 2, Duration.ofHours(1)), System::nanoTime, registry);

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static Throwable failure(Future<?> f) throws Exception {
        try {
            await(f);
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("expected a failure");
    }

    private double refused(String reason) {
        return registry.get("sluice.executor.target.refused")
                .tag("reason", reason)
                .counter()
                .count();
    }

    @Test
    void aWaiterGetsThePermitOnItsOwnLoopWhenTheCallAheadLeaves(Vertx vertx) throws Exception {
        Context context = vertx.getOrCreateContext();
        TargetGuard.Ticket first =
                await(guard.enter(context, System.currentTimeMillis() + 10_000, TargetGuard.Queueing.NONE));
        Future<TargetGuard.Ticket> second =
                guard.enter(context, System.currentTimeMillis() + 10_000, TargetGuard.Queueing.NONE);
        Throwable third = failure(guard.enter(context, System.currentTimeMillis() + 10_000, TargetGuard.Queueing.NONE));
        assertEquals(
                TargetGuard.Reason.BUDGET_FULL,
                assertInstanceOf(TargetGuard.Refused.class, third).reason());
        assertEquals(1, guard.waiting());
        first.leave(TargetGuard.Verdict.ANSWERED);
        await(second).leave(TargetGuard.Verdict.ANSWERED);
        assertEquals(0, guard.inFlight());
        assertEquals(1, refused("budget_full"));
    }

    @Test
    void aWaiterWhoseDeadlineComesIsRefusedAndLeavesTheQueue(Vertx vertx) throws Exception {
        Context context = vertx.getOrCreateContext();
        TargetGuard.Ticket first =
                await(guard.enter(context, System.currentTimeMillis() + 10_000, TargetGuard.Queueing.NONE));
        Throwable late = failure(guard.enter(context, System.currentTimeMillis() + 50, TargetGuard.Queueing.NONE));
        assertEquals(
                TargetGuard.Reason.DEADLINE,
                assertInstanceOf(TargetGuard.Refused.class, late).reason());
        assertEquals(0, guard.waiting());
        first.leave(TargetGuard.Verdict.NEUTRAL);
        assertEquals(0, guard.inFlight(), "the permit went back, not to the expired waiter");
        assertEquals(1, refused("deadline"));
    }

    @Test
    void consecutiveFailuresOpenTheCircuitAndLaterCallsAreRefusedUnsent(Vertx vertx) throws Exception {
        Context context = vertx.getOrCreateContext();
        for (int i = 0; i < 2; i++) {
            await(guard.enter(context, System.currentTimeMillis() + 10_000, TargetGuard.Queueing.NONE))
                    .leave(TargetGuard.Verdict.FAILED);
        }
        Throwable refused =
                failure(guard.enter(context, System.currentTimeMillis() + 10_000, TargetGuard.Queueing.NONE));
        assertEquals(
                TargetGuard.Reason.CIRCUIT_OPEN,
                assertInstanceOf(TargetGuard.Refused.class, refused).reason());
        assertEquals(
                2.0,
                registry.get("sluice.executor.target.circuit.state")
                        .tag("target", "t:80")
                        .gauge()
                        .value());
        assertEquals(
                1,
                registry.get("sluice.executor.target.circuit.transitions")
                        .tag("state", "open")
                        .counter()
                        .count());
        assertEquals(1, refused("circuit_open"));
    }

    @Test
    void waitersAreRefusedUnsentOnceTheCircuitOpensAndTheirEventsGetTheirSlotsBack(Vertx vertx) throws Exception {
        TargetGuard wide =
                new TargetGuard("w:80", new TargetLimits(1, 4, 1, Duration.ofHours(1)), System::nanoTime, registry);
        Context context = vertx.getOrCreateContext();
        int[] waiting = {0};
        TargetGuard.Queueing slot = new TargetGuard.Queueing() {
            @Override
            public void waiting() {
                waiting[0]++;
            }

            @Override
            public void done() {
                waiting[0]--;
            }
        };
        long deadline = System.currentTimeMillis() + 10_000;
        TargetGuard.Ticket first = await(wide.enter(context, deadline, slot));
        assertEquals(0, waiting[0], "a call let through at once never waits");
        List<Future<TargetGuard.Ticket>> queued =
                List.of(wide.enter(context, deadline, slot), wide.enter(context, deadline, slot));
        assertEquals(2, waiting[0]);
        first.leave(TargetGuard.Verdict.FAILED);
        for (Future<TargetGuard.Ticket> f : queued) {
            assertEquals(
                    TargetGuard.Reason.CIRCUIT_OPEN,
                    assertInstanceOf(TargetGuard.Refused.class, failure(f)).reason());
        }
        assertEquals(0, waiting[0]);
        assertEquals(0, wide.inFlight());
        assertEquals(0, wide.waiting());
    }

    @Test
    void aTicketLeftTwiceFreesOnePermit(Vertx vertx) throws Exception {
        Context context = vertx.getOrCreateContext();
        TargetGuard.Ticket t =
                await(guard.enter(context, System.currentTimeMillis() + 10_000, TargetGuard.Queueing.NONE));
        t.leave(TargetGuard.Verdict.ANSWERED);
        t.leave(TargetGuard.Verdict.ANSWERED);
        assertEquals(0, guard.inFlight());
    }

    @Test
    void theTargetIsHostAndPortWithTheSchemesDefault() {
        assertEquals("example.com:443", TargetGuards.target("https://example.com/hook"));
        assertEquals("example.com:80", TargetGuards.target("http://example.com"));
        assertEquals("127.0.0.1:8081", TargetGuards.target("http://127.0.0.1:8081/a?b"));
    }
}
