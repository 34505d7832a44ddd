package dev.sluice.executor.impl.guard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class TargetBudgetTest {

    private final TargetBudget<String> budget = new TargetBudget<>(2, 2);

    @Test
    void letsTheLimitThroughThenQueuesThenRefuses() {
        assertTrue(budget.tryAcquire());
        assertTrue(budget.tryAcquire());
        assertFalse(budget.tryAcquire());
        assertTrue(budget.enqueue("a"));
        assertTrue(budget.enqueue("b"));
        assertFalse(budget.enqueue("c"), "the queue is full");
        assertEquals(2, budget.inFlight());
        assertEquals(2, budget.waiting());
    }

    @Test
    void aReleasedPermitGoesToTheOldestWaiterFirst() {
        budget.tryAcquire();
        budget.tryAcquire();
        budget.enqueue("a");
        budget.enqueue("b");
        assertEquals(Optional.of("a"), budget.release());
        assertEquals(2, budget.inFlight(), "the permit changed hands");
        assertEquals(Optional.of("b"), budget.release());
        assertEquals(Optional.empty(), budget.release());
        assertEquals(1, budget.inFlight());
    }

    @Test
    void aNewcomerDoesNotOvertakeAWaiter() {
        budget.tryAcquire();
        budget.tryAcquire();
        budget.enqueue("a");
        budget.release();
        assertFalse(budget.tryAcquire(), "the freed permit went to the waiter");
    }

    @Test
    void aCancelledWaiterLeavesTheQueueOnlyOnce() {
        budget.tryAcquire();
        budget.tryAcquire();
        budget.enqueue("a");
        assertTrue(budget.cancel("a"));
        assertFalse(budget.cancel("a"));
        assertEquals(Optional.empty(), budget.release());
        assertEquals(1, budget.inFlight());
    }

    @Test
    void aDoubleReleaseIsABug() {
        assertThrows(IllegalStateException.class, budget::release);
    }

    @Test
    void aZeroQueueRefusesAtOnceOverTheLimit() {
        TargetBudget<String> noQueue = new TargetBudget<>(1, 0);
        assertTrue(noQueue.tryAcquire());
        assertFalse(noQueue.enqueue("a"));
    }
}
