package dev.sluice.scaler.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ScalerPolicyTest {

    private final SimParams params = SimParams.defaults();
    private final StockKafkaTrigger stock = StockKafkaTrigger.stock(params);
    private final DeadlineAwareScaler deadline = DeadlineAwareScaler.of(params);

    @Test
    void stockLagCountsExpiredEventsStillInTheTopic() {
        Observation o = new Observation(0, 100, 400, 20, 0);
        assertEquals(520, stock.metric(o));
        assertEquals(10, stock.targetAverageValue());
        // a backlog of nothing but expired events still looks like work to the stock trigger
        assertTrue(stock.active(new Observation(0, 0, 50, 0, 0)));
    }

    @Test
    void deadlineAwareMetricExcludesExpiredEvents() {
        Observation o = new Observation(0, 100, 400, 20, 300);
        assertEquals(120, deadline.liveLag(o));
        // R = lambda + L_live / B = 300 + 120 / 2
        assertEquals(360, deadline.metric(o), 1e-9);
        assertEquals(1000, deadline.targetAverageValue());
        assertFalse(deadline.active(new Observation(0, 0, 50_000, 0, 0)), "expired events alone are no work");
    }

    @Test
    void bothCapAtOneReplicaPerPartition() {
        Observation flood = new Observation(0, 10_000_000, 0, 0, 100_000);
        assertEquals(64 * 10, stock.metric(flood));
        assertEquals(64 * 1000, deadline.metric(flood), 1e-9);
        StockKafkaTrigger idle =
                new StockKafkaTrigger("idle", 10, 0, true, 64, 30_000, HpaBehavior.kubernetesDefault());
        assertEquals(10_000_000, idle.metric(flood), "allowIdleConsumers lifts the cap");
    }

    @Test
    void stockLagIsWholeOffsetsAndActivationIsAboveThreshold() {
        assertEquals(0, stock.metric(new Observation(0, 0.6, 0, 0.3, 0)));
        assertFalse(stock.active(new Observation(0, 0.6, 0, 0.3, 0)));
        StockKafkaTrigger high =
                new StockKafkaTrigger("high", 10, 5, false, 64, 30_000, HpaBehavior.kubernetesDefault());
        assertFalse(high.active(new Observation(0, 5, 0, 0, 0)));
        assertTrue(high.active(new Observation(0, 6, 0, 0, 0)));
    }

    @Test
    void deadlineAwareIsActiveAsSoonAsOneEventNeedsStarting() {
        assertTrue(deadline.active(new Observation(0, 1, 0, 0, 0)));
        assertTrue(deadline.active(new Observation(0, 0, 0, 0, 0.5)), "0.5 ev/s is one event within 2 s");
        assertFalse(deadline.active(new Observation(0, 0.2, 0, 0, 0.2)));
    }
}
