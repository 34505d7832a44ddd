package dev.sluice.scaler.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ConsumerGroupTest {

    @Test
    void aJoinStopsEveryMemberForThePauseThenSkipsTheExpiredHead() {
        FluidQueue q = new FluidQueue(20_000, 2_000);
        q.arrive(0, 100);
        ConsumerGroup g = new ConsumerGroup(3_000, 2);
        assertEquals(2, g.consuming(25_000, 2, q));
        q.age(25_000);
        assertEquals(100, q.expiredInTopic(), 1e-9);
        assertEquals(0, g.consuming(26_000, 3, q), "a third member joins: everybody stops");
        assertEquals(0, g.consuming(28_950, 3, q));
        assertEquals(100, q.expiredInTopic(), 1e-9);
        assertEquals(3, g.consuming(29_000, 3, q));
        assertEquals(0, q.expiredInTopic(), 1e-9);
        assertEquals(100, q.expired(), 1e-9, "skipped at assignment, counted as expired");
    }

    @Test
    void aJoinDuringThePauseExtendsIt() {
        FluidQueue q = new FluidQueue(20_000, 2_000);
        ConsumerGroup g = new ConsumerGroup(3_000, 0);
        assertEquals(0, g.consuming(0, 1, q));
        assertEquals(0, g.consuming(2_000, 2, q));
        assertEquals(0, g.consuming(4_950, 2, q));
        assertEquals(2, g.consuming(5_000, 2, q));
    }
}
