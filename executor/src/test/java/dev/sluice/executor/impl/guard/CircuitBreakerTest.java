package dev.sluice.executor.impl.guard;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.executor.impl.guard.CircuitBreaker.Pass;
import dev.sluice.executor.impl.guard.CircuitBreaker.State;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {

    private long now = 1_000_000_000L;
    private final List<State> changes = new ArrayList<>();
    private final CircuitBreaker breaker =
            new CircuitBreaker(3, Duration.ofSeconds(5).toNanos(), () -> now, changes::add);

    private void fail(int times) {
        for (int i = 0; i < times; i++) {
            breaker.failed(breaker.pass());
        }
    }

    @Test
    void opensAfterTheThresholdOfConsecutiveFailuresAndRefusesCalls() {
        fail(2);
        assertEquals(State.CLOSED, breaker.state());
        fail(1);
        assertEquals(State.OPEN, breaker.state());
        assertEquals(Pass.REFUSED, breaker.pass());
        assertEquals(List.of(State.OPEN), changes);
    }

    @Test
    void aSuccessInBetweenResetsTheCount() {
        fail(2);
        breaker.succeeded(breaker.pass());
        fail(2);
        assertEquals(State.CLOSED, breaker.state());
        assertEquals(2, breaker.failures());
    }

    @Test
    void neutralEndsNeitherCountNorReset() {
        fail(2);
        breaker.neutral(breaker.pass());
        assertEquals(2, breaker.failures());
        fail(1);
        assertEquals(State.OPEN, breaker.state());
    }

    @Test
    void afterTheCoolDownOneProbeGoesAndItsSuccessCloses() {
        fail(3);
        now += Duration.ofMillis(4_999).toNanos();
        assertEquals(Pass.REFUSED, breaker.pass());
        now += Duration.ofMillis(1).toNanos();
        Pass probe = breaker.pass();
        assertEquals(Pass.PROBE, probe);
        assertEquals(State.HALF_OPEN, breaker.state());
        assertEquals(Pass.REFUSED, breaker.pass(), "one probe at a time");
        breaker.succeeded(probe);
        assertEquals(State.CLOSED, breaker.state());
        assertEquals(Pass.CALL, breaker.pass());
        assertEquals(List.of(State.OPEN, State.HALF_OPEN, State.CLOSED), changes);
    }

    @Test
    void aFailedProbeOpensForAnotherCoolDown() {
        fail(3);
        now += Duration.ofSeconds(5).toNanos();
        Pass probe = breaker.pass();
        breaker.failed(probe);
        assertEquals(State.OPEN, breaker.state());
        now += Duration.ofSeconds(4).toNanos();
        assertEquals(Pass.REFUSED, breaker.pass());
        now += Duration.ofSeconds(1).toNanos();
        assertEquals(Pass.PROBE, breaker.pass());
        assertEquals(List.of(State.OPEN, State.HALF_OPEN, State.OPEN, State.HALF_OPEN), changes);
    }

    @Test
    void aProbeThatNeverReachedTheTargetFreesTheSlotForTheNext() {
        fail(3);
        now += Duration.ofSeconds(5).toNanos();
        Pass probe = breaker.pass();
        breaker.neutral(probe);
        assertEquals(State.HALF_OPEN, breaker.state());
        assertEquals(Pass.PROBE, breaker.pass());
    }

    @Test
    void lateOutcomesOfCallsLetThroughBeforeItOpenedDecideNothing() {
        Pass early = breaker.pass();
        fail(3);
        breaker.succeeded(early);
        assertEquals(State.OPEN, breaker.state(), "a late answer does not close an open circuit");
        now += Duration.ofSeconds(5).toNanos();
        Pass probe = breaker.pass();
        breaker.failed(Pass.CALL);
        assertEquals(State.HALF_OPEN, breaker.state(), "a late failure does not re-open a probing circuit");
        breaker.succeeded(probe);
        assertEquals(State.CLOSED, breaker.state());
    }
}
