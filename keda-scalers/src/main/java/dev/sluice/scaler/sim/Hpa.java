package dev.sluice.scaler.sim;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The Kubernetes horizontal pod autoscaler for one external metric with an {@code AverageValue} target, as the
 * controller computes it at each sync: the replica count from the metric (with the tolerance), then the
 * stabilization windows, then the rate limits of the scaling policies, then min and max replicas.
 *
 * <p>Follows {@code pkg/controller/podautoscaler} of Kubernetes: {@code GetExternalPerPodMetricReplicas}
 * (replica_calculator.go), {@code stabilizeRecommendationWithBehaviors},
 * {@code convertDesiredReplicasWithBehaviorRate}, {@code calculateScaleUpLimitWithScalingRules} and
 * {@code calculateScaleDownLimitWithBehaviors} (horizontal.go). Times are milliseconds of simulated time.
 */
public final class Hpa {

    private record Stamped(long at, int value) {}

    private final HpaBehavior behavior;
    private final double tolerance;
    private final int minReplicas;
    private final int maxReplicas;
    private final Deque<Stamped> recommendations = new ArrayDeque<>();
    private final Deque<Stamped> scaleUpEvents = new ArrayDeque<>();
    private final Deque<Stamped> scaleDownEvents = new ArrayDeque<>();

    public Hpa(HpaBehavior behavior, double tolerance, int minReplicas, int maxReplicas) {
        if (minReplicas < 1 || maxReplicas < minReplicas) {
            throw new IllegalArgumentException("need 1 <= minReplicas <= maxReplicas");
        }
        this.behavior = behavior;
        this.tolerance = tolerance;
        this.minReplicas = minReplicas;
        this.maxReplicas = maxReplicas;
    }

    /**
     * The replica count the metric asks for: {@code ceil(total / target)}, unless the usage ratio
     * {@code total / (target * current)} is within the tolerance of 1, in which case nothing changes.
     */
    public static int metricProposal(int current, double metricTotal, double targetAverageValue, double tolerance) {
        double ratio = metricTotal / (targetAverageValue * current);
        if (Math.abs(1.0 - ratio) <= tolerance) {
            return current;
        }
        return (int) Math.min(Integer.MAX_VALUE, Math.ceil(metricTotal / targetAverageValue));
    }

    /**
     * One sync of the controller. A target at zero replicas is left alone (the HPA disables scaling at zero;
     * KEDA owns 0 to 1 and back).
     *
     * @return the replica count to set (equal to {@code current} for no change)
     */
    public int sync(long now, int current, double metricTotal, double targetAverageValue) {
        if (current == 0) {
            return 0;
        }
        prune(scaleUpEvents, now);
        prune(scaleDownEvents, now);
        int proposal = metricProposal(current, metricTotal, targetAverageValue, tolerance);
        int stabilized = stabilize(now, current, proposal);
        int desired = limitRate(now, current, stabilized);
        if (desired > current) {
            scaleUpEvents.addLast(new Stamped(now, desired - current));
        } else if (desired < current) {
            scaleDownEvents.addLast(new Stamped(now, current - desired));
        }
        return desired;
    }

    /**
     * Scale up no further than the lowest recommendation within the scale-up window, and down no further than
     * the highest within the scale-down window (both windows include this sync's recommendation).
     */
    private int stabilize(long now, int current, int proposal) {
        long upCutoff = now - behavior.scaleUp().stabilizationMillis();
        long downCutoff = now - behavior.scaleDown().stabilizationMillis();
        int upLimit = proposal;
        int downLimit = proposal;
        for (Stamped r : recommendations) {
            if (r.at() > upCutoff) {
                upLimit = Math.min(upLimit, r.value());
            }
            if (r.at() > downCutoff) {
                downLimit = Math.max(downLimit, r.value());
            }
        }
        recommendations.addLast(new Stamped(now, proposal));
        long keep = Math.max(
                behavior.scaleUp().stabilizationMillis(), behavior.scaleDown().stabilizationMillis());
        while (!recommendations.isEmpty() && recommendations.peekFirst().at() <= now - keep) {
            recommendations.removeFirst();
        }
        int recommendation = current;
        if (recommendation < upLimit) {
            recommendation = upLimit;
        }
        if (recommendation > downLimit) {
            recommendation = downLimit;
        }
        return recommendation;
    }

    private int limitRate(long now, int current, int desired) {
        if (desired > current) {
            int upLimit = Math.max(current, scaleUpLimit(now, current));
            int allowed = Math.min(maxReplicas, upLimit);
            if (desired > allowed) {
                return allowed;
            }
        } else if (desired < current) {
            int downLimit = Math.min(current, scaleDownLimit(now, current));
            int allowed = Math.max(minReplicas, downLimit);
            if (desired < allowed) {
                return allowed;
            }
        }
        return Math.max(minReplicas, Math.min(maxReplicas, desired));
    }

    /** The most replicas the scale-up policies allow now, counted from the replicas at each period's start. */
    int scaleUpLimit(long now, int current) {
        long limit = limit(
                behavior.scaleUp(),
                true,
                now,
                current,
                (periodStart, p) -> p.type() == ScalingPolicy.Type.PODS
                        ? periodStart + p.value()
                        : (long) Math.ceil(periodStart * (1 + p.value() / 100.0)));
        return (int) Math.min(Integer.MAX_VALUE, limit);
    }

    /** The fewest replicas the scale-down policies allow now. */
    int scaleDownLimit(long now, int current) {
        long limit = limit(
                behavior.scaleDown(),
                false,
                now,
                current,
                (periodStart, p) -> p.type() == ScalingPolicy.Type.PODS
                        ? periodStart - p.value()
                        : (long) (periodStart * (1 - p.value() / 100.0)));
        return (int) Math.max(0, limit);
    }

    /** The replica count one policy allows, from the count at the start of its period. */
    private interface Proposal {
        long replicas(long periodStart, ScalingPolicy p);
    }

    /**
     * The limit {@code rules} set in one direction: each policy proposes a count from the replicas at
     * its period's start, and the select policy picks one. "Max" means the largest change, so the
     * largest count going up and the smallest going down.
     */
    private long limit(ScalingRules rules, boolean up, long now, int current, Proposal proposal) {
        if (rules.select() == ScalingRules.Select.DISABLED) {
            return current;
        }
        boolean largestCount = (rules.select() == ScalingRules.Select.MAX) == up;
        long result = largestCount ? Long.MIN_VALUE : Long.MAX_VALUE;
        for (ScalingPolicy p : rules.policies()) {
            long periodStart = current - changeWithin(scaleUpEvents, now, p) + changeWithin(scaleDownEvents, now, p);
            long proposed = proposal.replicas(periodStart, p);
            result = largestCount ? Math.max(result, proposed) : Math.min(result, proposed);
        }
        return result;
    }

    /** Policy periods are at most 1800 s (API validation), so older events never count again. */
    private static void prune(Deque<Stamped> events, long now) {
        while (!events.isEmpty() && events.peekFirst().at() <= now - 1_800_000L) {
            events.removeFirst();
        }
    }

    /** Replicas changed by events strictly inside the policy's period ending now. */
    private static long changeWithin(Deque<Stamped> events, long now, ScalingPolicy p) {
        long cutoff = now - p.periodMillis();
        long sum = 0;
        for (Stamped e : events) {
            if (e.at() > cutoff) {
                sum += e.value();
            }
        }
        return sum;
    }
}
