package dev.sluice.scaler.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SimulationTest {

    private final SimParams params = SimParams.defaults();
    private final Simulation sim = new Simulation(params);
    private final Trace steady = Trace.steady(500, 300_000, params.stepMillis());
    private final Trace burst = Trace.burst(500, 100, 120_000, 30_000, 600_000, params.stepMillis());

    @Test
    void sameInputsGiveTheSameResult() {
        for (ScalerPolicy policy :
                new ScalerPolicy[] {StockKafkaTrigger.stock(params), DeadlineAwareScaler.of(params)}) {
            RunResult a = sim.run(burst, policy, 0);
            RunResult b = new Simulation(SimParams.defaults()).run(burst, policy, 0);
            assertEquals(a.startedOnTime(), b.startedOnTime());
            assertEquals(a.startedLate(), b.startedLate());
            assertEquals(a.expired(), b.expired());
            assertEquals(a.replicaSeconds(), b.replicaSeconds());
            assertArrayEquals(a.timeline().replicas(), b.timeline().replicas());
            assertArrayEquals(a.timeline().live(), b.timeline().live());
        }
    }

    @Test
    void everyEventIsAccountedFor() {
        RunResult r = sim.run(burst, StockKafkaTrigger.stock(params), 0);
        assertEquals(burst.totalEvents(), r.arrived(), 1e-3);
        assertEquals(r.arrived(), r.startedOnTime() + r.startedLate() + r.expired(), 1e-3);
    }

    @Test
    void steadyTraceUnderCapacityStartsEveryEventWithinBudgetFromOneWarmReplica() {
        RunResult deadline = sim.run(steady, DeadlineAwareScaler.of(params), 1);
        assertTrue(deadline.onTimeShare() > 0.999, "deadline-aware: " + deadline.onTimeShare());
        assertEquals(0, deadline.expired(), 1e-6);
        // the stock trigger scales 1 -> 5 -> 10 -> 15 on commit lag alone; each join stops the group for 3 s
        RunResult stock = sim.run(steady, StockKafkaTrigger.stock(params), 1);
        assertTrue(stock.onTimeShare() > 0.98 && stock.onTimeShare() < 0.999, "stock: " + stock.onTimeShare());
        assertEquals(0, stock.expired(), 1e-6);
        RunResult noPause = new Simulation(SimParams.from(Map.of("rebalance", "0s")))
                .run(steady, StockKafkaTrigger.stock(params), 1);
        assertTrue(noPause.onTimeShare() > 0.999, "stock without rebalance pauses: " + noPause.onTimeShare());
    }

    @Test
    void deadlineAwareHoldsSteadyLoadWithOneReplicaWhileStockLagThresholdOverProvisions() {
        RunResult deadline = sim.run(steady, DeadlineAwareScaler.of(params), 1);
        RunResult stock = sim.run(steady, StockKafkaTrigger.stock(params), 1);
        assertEquals(1, deadline.peakReplicas());
        assertTrue(stock.peakReplicas() > 5, "500 ev/s with ~125 uncommitted events against lagThreshold 10");
        assertTrue(stock.replicaSeconds() > 5 * deadline.replicaSeconds());
    }

    @Test
    void burstExpiresEventsUnderTheStockTriggerFromZero() {
        RunResult r = sim.run(burst, StockKafkaTrigger.stock(params), 0);
        assertTrue(r.expiredShare() > 0.01, "expired " + r.expiredShare());
        assertTrue(r.onTimeShare() < 0.5, "a 100x burst cannot start within 2 s without warm replicas");
    }

    @Test
    void scaleFromZeroWaitsForActivationPodStartAndRebalance() {
        RunResult stock = sim.run(steady, StockKafkaTrigger.stock(params), 0);
        RunResult deadline = sim.run(steady, DeadlineAwareScaler.of(params), 0);
        // stock: first poll at 15 s (half of 30 s); push: first 250 ms tick at 0.1 s; then a 10 s pod start
        assertEquals(0, stock.timeline().ready()[24]);
        assertEquals(1, stock.timeline().ready()[25]);
        assertEquals(0, deadline.timeline().ready()[10]);
        assertEquals(1, deadline.timeline().ready()[11]);
        assertTrue(deadline.onTimeShare() > stock.onTimeShare());
    }

    @Test
    void withEnoughWarmNodesTheDeadlineAwareScalerExpiresLessOfTheBurst() {
        Simulation warm = new Simulation(SimParams.from(Map.of("warm-pods", "64")));
        RunResult stock = warm.run(burst, StockKafkaTrigger.stock(params), 0);
        RunResult deadline = warm.run(burst, DeadlineAwareScaler.of(params), 0);
        assertTrue(deadline.expired() < stock.expired(), deadline.expired() + " vs " + stock.expired());
        assertTrue(deadline.replicaSeconds() < stock.replicaSeconds());
    }

    @Test
    void fromIdlePushActivationAndRateTermStartFarMoreOfABurstThanStockPolling() throws Exception {
        Trace idleBurst = Trace.fromCsv(
                Path.of(getClass().getResource("/traces/idle-burst.csv").toURI()), params.stepMillis());
        assertEquals(1_500_000, idleBurst.totalEvents(), 1e-6);
        RunResult stock = sim.run(idleBurst, StockKafkaTrigger.stock(params), 0);
        RunResult deadline = sim.run(idleBurst, DeadlineAwareScaler.of(params), 0);
        assertTrue(stock.expiredShare() > 0.99, "stock: " + stock.expiredShare());
        assertTrue(deadline.startedOnTime() + deadline.startedLate()
                > 100 * (stock.startedOnTime() + stock.startedLate()));
    }

    @Test
    void scaleToZeroAfterCooldownWhenTrafficStops() {
        Trace shortBurst = Trace.steady(500, 60_000, params.stepMillis());
        Trace padded = new Trace("padded", "60 s then silence", params.stepMillis(), pad(shortBurst, 800_000));
        RunResult r = sim.run(padded, DeadlineAwareScaler.of(params), 0);
        int[] replicas = r.timeline().replicas();
        assertTrue(replicas[100] >= 1);
        assertEquals(0, replicas[replicas.length - 1], "cooldown 300 s after the last activity");
        RunResult warm = sim.run(padded, DeadlineAwareScaler.of(params), 1);
        assertEquals(1, warm.timeline().replicas()[warm.timeline().replicas().length - 1]);
    }

    private static double[] pad(Trace t, long totalMillis) {
        double[] a = new double[(int) (totalMillis / t.stepMillis())];
        for (int i = 0; i < t.steps(); i++) {
            a[i] = t.arrivals(i);
        }
        return a;
    }
}
