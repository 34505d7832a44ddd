package dev.sluice.scaler.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class KedaScaleLoopTest {

    private final SimParams params = SimParams.defaults();
    private final Observation busy = new Observation(0, 100, 0, 0, 0);
    private final Observation idle = new Observation(0, 0, 0, 0, 0);

    @Test
    void pollingActivatesOnlyAtThePollAndScalesToZeroAfterTheCooldown() {
        KedaScaleLoop keda = new KedaScaleLoop(StockKafkaTrigger.stock(params), 0, 300_000, 30_000, 0);
        Deployment d = new Deployment(10_000, 60_000, 16);
        keda.tick(0, busy, d);
        assertEquals(0, d.replicas(), "no check before the first poll");
        keda.tick(30_000, busy, d);
        assertEquals(1, d.replicas());
        keda.tick(60_000, idle, d);
        keda.tick(330_000, idle, d);
        assertEquals(1, d.replicas(), "last active at 30 s: exactly 300 s is not past the cooldown");
        keda.tick(360_000, idle, d);
        assertEquals(0, d.replicas());
    }

    @Test
    void pushActivatesBetweenPolls() {
        KedaScaleLoop keda = new KedaScaleLoop(DeadlineAwareScaler.of(params), 0, 300_000, 500, 100);
        Deployment d = new Deployment(10_000, 60_000, 16);
        keda.tick(100, busy, d);
        assertEquals(1, d.replicas());
    }

    @Test
    void minReplicasAboveZeroNeverScaleToZeroAndActivateToTheMinimum() {
        KedaScaleLoop keda = new KedaScaleLoop(StockKafkaTrigger.stock(params), 3, 300_000, 0, 0);
        Deployment d = new Deployment(10_000, 60_000, 16);
        keda.tick(0, busy, d);
        assertEquals(3, d.replicas());
        keda.tick(3_600_000, idle, d);
        assertEquals(3, d.replicas());
    }
}
