package dev.sluice.scaler;

import static dev.sluice.scaler.ScalingMath.NONE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ScalingMathTest {

    private static final Duration B = Duration.ofSeconds(2);

    @Test
    void requiredRateIsArrivalPlusBacklogOverBudget() {
        assertEquals(500 + 4000 / 2.0, ScalingMath.requiredRate(500, 4000, B), 1e-9);
        assertEquals(4000 / 0.5, ScalingMath.requiredRate(0, 4000, Duration.ofMillis(500)), 1e-9);
    }

    @Test
    void unknownArrivalRateCountsAsZero() {
        assertEquals(50, ScalingMath.requiredRate(Double.NaN, 100, B), 1e-9);
        assertEquals(0, ScalingMath.requiredRate(-3, 0, B), 1e-9);
    }

    @Test
    void desiredReplicasIsCeilOfRateOverReplicaRate() {
        assertEquals(0, ScalingMath.desiredReplicas(0, 1000));
        assertEquals(1, ScalingMath.desiredReplicas(1, 1000));
        assertEquals(1, ScalingMath.desiredReplicas(1000, 1000));
        assertEquals(2, ScalingMath.desiredReplicas(1000.5, 1000));
        assertEquals(3, ScalingMath.desiredReplicas(500 + 4000 / 2.0, 1000));
        // float noise right at a multiple does not add a replica
        assertEquals(2, ScalingMath.desiredReplicas(0.1 * 3 / 0.3 * 2000, 1000));
        assertThrows(IllegalArgumentException.class, () -> ScalingMath.desiredReplicas(10, 0));
    }

    @Test
    void reportedRateStaysWithinReplicaBoundsAndPartitions() {
        // 7,000/s at 1,000/s per replica asks for 7, but 4 partitions feed at most 4 consumers
        assertEquals(4000, ScalingMath.reportedRate(7000, 1000, 0, Integer.MAX_VALUE, 4), 1e-9);
        assertEquals(3000, ScalingMath.reportedRate(7000, 1000, 0, 3, 4), 1e-9);
        assertEquals(2000, ScalingMath.reportedRate(10, 1000, 2, 10, 4), 1e-9);
        assertEquals(2500, ScalingMath.reportedRate(2500, 1000, 0, Integer.MAX_VALUE, 0), 1e-9);
        assertEquals(0, ScalingMath.reportedRate(0, 1000, 0, 10, 4), 1e-9);
    }

    @Test
    void liveSpanStartsAtTheLaterOfCommittedAndFirstLive() {
        assertEquals(60, ScalingMath.liveStart(40, 60, 100)); // 40..59 expired
        assertEquals(80, ScalingMath.liveStart(80, 60, 100)); // committed past the dead span
        assertEquals(100, ScalingMath.liveStart(40, NONE, 100)); // every record is older than the TTL
        assertEquals(60, ScalingMath.liveStart(NONE, 60, 100)); // no commit: the first live record
        assertEquals(40, ScalingMath.liveBacklog(40, 60, 100));
        assertEquals(20, ScalingMath.liveBacklog(80, 60, 100));
        assertEquals(0, ScalingMath.liveBacklog(40, NONE, 100));
        assertEquals(0, ScalingMath.liveBacklog(100, 60, 100));
    }

    @Test
    void expiredBacklogIsTheDeadSpanAfterTheCommit() {
        assertEquals(20, ScalingMath.expiredBacklog(40, 60, 100));
        assertEquals(0, ScalingMath.expiredBacklog(80, 60, 100));
        assertEquals(60, ScalingMath.expiredBacklog(40, NONE, 100));
        assertEquals(0, ScalingMath.expiredBacklog(NONE, 60, 100));
    }

    @Test
    void atRiskCountsLateEventsAndThoseTooDeepInTheQueue() {
        // live 0..999, 0..99 already older than B; draining 200/s: positions above 400 cannot start within 2 s
        assertEquals(100 + (1000 - 401), ScalingMath.atRisk(0, 0, 100, 1000, 200, B));
        // fast enough: only the ones already late
        assertEquals(100, ScalingMath.atRisk(0, 0, 100, 1000, 10_000, B));
        // drain unknown: only the late ones
        assertEquals(100, ScalingMath.atRisk(0, 0, 100, 1000, Double.NaN, B));
        // not draining at all: everything live
        assertEquals(1000, ScalingMath.atRisk(0, 0, 100, 1000, 0, B));
        // expired events are never at risk: they are not live
        assertEquals(0, ScalingMath.atRisk(0, NONE, NONE, 1000, 0, B));
        // nothing younger than B and nothing expired: all late
        assertEquals(50, ScalingMath.atRisk(950, 0, NONE, 1000, 5000, B));
        assertEquals(0, ScalingMath.atRisk(1000, 0, 0, 1000, 5, B));
    }

    @Test
    void rateIsGrowthPerSecond() {
        assertEquals(250, ScalingMath.rate(1000, 1500, 2000), 1e-9);
        assertEquals(0, ScalingMath.rate(1500, 1000, 2000), 1e-9);
        assertEquals(Double.NaN, ScalingMath.rate(0, 10, 0));
    }
}
