package dev.sluice.scaler.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class FluidQueueTest {

    @Test
    void startsOldestFirstAndSplitsOnTimeFromLate() {
        FluidQueue q = new FluidQueue(20_000, 2_000);
        q.arrive(0, 100);
        q.arrive(1_000, 100);
        assertEquals(50, q.serve(2_500, 50, 0), 1e-9);
        assertEquals(50, q.startedLate(), 1e-9, "waited 2.5 s");
        assertEquals(150, q.serve(2_500, 1_000, 0), 1e-9);
        assertEquals(100, q.startedLate(), 1e-9);
        assertEquals(100, q.startedOnTime(), 1e-9, "waited 1.5 s");
        assertEquals(0, q.live(), 1e-9);
    }

    @Test
    void eventsOlderThanTheTtlAreExpiredNotStarted() {
        FluidQueue q = new FluidQueue(20_000, 2_000);
        q.arrive(0, 100);
        q.arrive(15_000, 10);
        q.age(20_050);
        assertEquals(100, q.expiredInTopic(), 1e-9);
        assertEquals(10, q.live(), 1e-9);
        // reading past 100 expired events at a tenth of a start each leaves 40 of 50 starts
        assertEquals(10, q.serve(20_050, 50, 0.1), 1e-9);
        assertEquals(100, q.expired(), 1e-9);
        assertEquals(0, q.startedOnTime(), 1e-9);
        assertEquals(10, q.startedLate(), 1e-9);
    }

    @Test
    void noConsumerLeavesExpiredEventsInTheTopicUntilSkippedOrFinished() {
        FluidQueue q = new FluidQueue(20_000, 2_000);
        q.arrive(0, 100);
        assertEquals(0, q.serve(30_000, 0, 0.1), 1e-9);
        assertEquals(100, q.expiredInTopic(), 1e-9);
        q.arrive(30_000, 5);
        q.skipExpired(30_000);
        assertEquals(0, q.expiredInTopic(), 1e-9);
        assertEquals(100, q.expired(), 1e-9);
        q.finish();
        assertEquals(105, q.expired(), 1e-9);
    }
}
