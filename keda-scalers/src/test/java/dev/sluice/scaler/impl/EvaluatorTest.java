package dev.sluice.scaler.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.scaler.Evaluation;
import dev.sluice.scaler.ScalerMetadata;
import dev.sluice.scaler.impl.kafka.OffsetSnapshot;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EvaluatorTest {

    private final ScalerMetadata md =
            ScalerMetadata.parse(Map.of("topic", "t", "group", "g", "replicaRate", "100"), "b");

    @Test
    void requiredRateFromLiveBacklogAndMeasuredArrivals() {
        RateHistory h = new RateHistory(10_000, 500);
        h.add(0, new long[] {0, 0}, new long[] {0, 0});
        // 2 s later: 600 arrived, 200 drained; 100 of partition 0 are past the TTL
        OffsetSnapshot s = new OffsetSnapshot(
                2000, new long[] {300, 300}, new long[] {100, 100}, new long[] {200, 100}, new long[] {250, 250}, 2);
        h.add(s.takenAtMillis(), s.end(), s.committed());
        Evaluation e = Evaluator.evaluate(md, s, h);
        assertEquals(300, e.arrivalRate(), 1e-9);
        assertEquals(100, e.drainRate(), 1e-9);
        assertEquals(100 + 200, e.liveBacklog());
        assertEquals(100, e.expiredBacklog());
        assertEquals(300 + 300 / 2.0, e.requiredRate(), 1e-9);
        // capped at 2 partitions × 100/s
        assertEquals(200, e.reportedRate(), 1e-9);
        assertEquals(2, e.desiredReplicas());
        assertTrue(e.active());
        // partition 0: live 200..299, 200..249 late; drain 50/s → positions past 100 miss: none left
        // partition 1: live 100..299, 100..249 late; young 250..299 at positions 150.. > 100: all 50
        assertEquals(50 + 150 + 50, e.atRisk());
    }

    @Test
    void idleTopicIsInactive() {
        RateHistory h = new RateHistory(10_000, 500);
        h.add(0, new long[] {10}, new long[] {10});
        OffsetSnapshot s =
                new OffsetSnapshot(5000, new long[] {10}, new long[] {10}, new long[] {-1}, new long[] {-1}, 1);
        h.add(5000, s.end(), s.committed());
        Evaluation e = Evaluator.evaluate(md, s, h);
        assertEquals(0, e.requiredRate(), 1e-9);
        assertEquals(0, e.desiredReplicas());
        assertFalse(e.active());
    }

    @Test
    void historyNeedsASpanBeforeItKnowsRates() {
        RateHistory h = new RateHistory(10_000, 500);
        h.add(0, new long[] {0}, new long[] {0});
        assertTrue(Double.isNaN(h.arrivalRate()));
        h.add(100, new long[] {10}, new long[] {0});
        assertTrue(Double.isNaN(h.arrivalRate()));
        h.add(1000, new long[] {100}, new long[] {50});
        assertEquals(100, h.arrivalRate(), 1e-9);
        assertEquals(50, h.drainRate(), 1e-9);
    }

    @Test
    void historySlidesItsWindow() {
        RateHistory h = new RateHistory(2000, 500);
        for (int t = 0; t <= 10; t++) {
            // 100/s for 5 s, then nothing
            long end = Math.min(t, 5) * 100L;
            h.add(t * 1000L, new long[] {end}, new long[] {end});
        }
        assertEquals(0, h.arrivalRate(), 1e-9);
        assertTrue(h.size() <= 4, "kept " + h.size());
    }
}
