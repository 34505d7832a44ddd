package dev.sluice.scaler.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HpaTest {

    private static final long SYNC = 15_000;

    @Test
    void toleranceKeepsReplicasWhileRatioIsWithinTenPercentOfOne() {
        assertEquals(10, Hpa.metricProposal(10, 109, 10, 0.1));
        assertEquals(10, Hpa.metricProposal(10, 91, 10, 0.1));
        assertEquals(12, Hpa.metricProposal(10, 111, 10, 0.1));
        assertEquals(9, Hpa.metricProposal(10, 89, 10, 0.1));
        assertEquals(0, Hpa.metricProposal(4, 0, 10, 0.1), "min replicas apply later");
    }

    @Test
    void syncLeavesReplicasAloneWithinTheTolerance() {
        Hpa hpa = new Hpa(HpaBehavior.kubernetesDefault(), 0.1, 1, 100);
        assertEquals(10, hpa.sync(0, 10, 1_080, 100), "ratio 1.08");
        assertEquals(12, hpa.sync(15_000, 10, 1_150, 100), "ratio 1.15: ceil(11.5)");
    }

    @Test
    void defaultBehaviorScalesOneToSixtyFourInPolicyLimitedSteps() {
        Hpa hpa = new Hpa(HpaBehavior.kubernetesDefault(), 0.1, 1, 100);
        StockKafkaTrigger trigger = StockKafkaTrigger.stock(SimParams.defaults());
        // sustained lag far above 64 partitions * lagThreshold: the trigger caps it at 640
        double metric = trigger.metric(new Observation(0, 1_000_000, 0, 0, 0));
        assertEquals(640, metric);
        List<Integer> sequence = new ArrayList<>();
        int replicas = 1;
        sequence.add(replicas);
        for (int sync = 0; sync < 8; sync++) {
            int next = hpa.sync(sync * SYNC, replicas, metric, trigger.targetAverageValue());
            if (next != replicas) {
                sequence.add(next);
            }
            replicas = next;
        }
        assertEquals(List.of(1, 5, 10, 20, 40, 64), sequence);
    }

    @Test
    void eachSyncTakesExactlyOnePolicyStep() {
        Hpa hpa = new Hpa(HpaBehavior.kubernetesDefault(), 0.1, 1, 100);
        int replicas = 1;
        int[] expected = {5, 10, 20, 40, 64, 64};
        for (int sync = 0; sync < expected.length; sync++) {
            replicas = hpa.sync(sync * SYNC, replicas, 640, 10);
            assertEquals(expected[sync], replicas, "after sync " + sync);
        }
    }

    @Test
    void scaleUpsWithinThePeriodCountAgainstTheLimit() {
        Hpa hpa = new Hpa(HpaBehavior.kubernetesDefault(), 0.1, 1, 100);
        assertEquals(5, hpa.sync(0, 1, 640, 10));
        // 5 s later the period still starts at 1 replica: max(1 + 4, 2 * 1) = 5, no further step
        assertEquals(5, hpa.sync(5_000, 5, 640, 10));
        assertEquals(5, hpa.sync(10_000, 5, 640, 10));
        // the first event is exactly one period old at 15 s and no longer counts
        assertEquals(10, hpa.sync(15_000, 5, 640, 10));
    }

    @Test
    void scaleDownWaitsForTheHighestRecommendationToLeaveTheWindow() {
        Hpa hpa = new Hpa(HpaBehavior.kubernetesDefault(), 0.1, 1, 100);
        assertEquals(10, hpa.sync(0, 10, 100, 10));
        int replicas = 10;
        for (long t = SYNC; t < 300_000; t += SYNC) {
            replicas = hpa.sync(t, replicas, 0, 10);
            assertEquals(10, replicas, "still held by the recommendation of t=0 at t=" + t);
        }
        assertEquals(1, hpa.sync(300_000, replicas, 0, 10));
    }

    @Test
    void scaleDownPolicyLimitsTheStep() {
        HpaBehavior slowDown = new HpaBehavior(
                HpaBehavior.kubernetesDefault().scaleUp(),
                new ScalingRules(0, ScalingRules.Select.MAX, List.of(ScalingPolicy.pods(2, 60))));
        Hpa hpa = new Hpa(slowDown, 0.1, 1, 100);
        assertEquals(8, hpa.sync(0, 10, 0, 10));
        assertEquals(8, hpa.sync(15_000, 8, 0, 10));
        assertEquals(6, hpa.sync(60_000, 8, 0, 10));
    }

    @Test
    void fastScaleUpBehaviorReachesTheRecommendationInOneSync() {
        Hpa hpa = new Hpa(HpaBehavior.fastScaleUp(), 0.1, 1, 100);
        assertEquals(64, hpa.sync(0, 1, 64_000, 1000));
    }

    @Test
    void minAndMaxReplicasBound() {
        Hpa hpa = new Hpa(HpaBehavior.fastScaleUp(), 0.1, 2, 30);
        assertEquals(30, hpa.sync(0, 2, 64_000, 1000));
        assertEquals(0, hpa.sync(15_000, 0, 64_000, 1000), "the HPA leaves a target at zero to KEDA");
    }
}
