package dev.sluice.scaler.sim;

/**
 * KEDA's own scale loop for one ScaledObject (pkg/scaling/executor/scale_scaledobjects.go): at each activity
 * check an active trigger takes a target at zero to {@code max(1, minReplicaCount)}; with
 * {@code minReplicaCount} 0, a target whose trigger was last active more than {@code cooldownPeriod} ago goes to
 * zero. Everything between one replica and the maximum is the HPA's. Checks run every {@code pollingInterval},
 * and additionally whenever a {@code StreamIsActive} push reports activity.
 */
final class KedaScaleLoop {

    private final ScalerPolicy policy;
    private final int minReplicaCount;
    private final long cooldownMillis;
    private long nextPoll;
    private long nextPush;
    private long lastActive;

    KedaScaleLoop(ScalerPolicy policy, int minReplicaCount, long cooldownMillis, long firstPoll, long firstPush) {
        this.policy = policy;
        this.minReplicaCount = minReplicaCount;
        this.cooldownMillis = cooldownMillis;
        this.nextPoll = firstPoll;
        this.nextPush = policy.pushMillis() > 0 ? firstPush : Long.MAX_VALUE;
    }

    void tick(long now, Observation o, Deployment deployment) {
        if (now >= nextPush) {
            nextPush += policy.pushMillis();
            if (policy.active(o)) {
                activate(now, deployment);
            }
        }
        if (now >= nextPoll) {
            nextPoll += policy.pollingMillis();
            if (policy.active(o)) {
                activate(now, deployment);
            } else if (minReplicaCount == 0 && deployment.replicas() > 0 && now - lastActive > cooldownMillis) {
                deployment.scaleTo(0, now);
            }
        }
    }

    private void activate(long now, Deployment deployment) {
        lastActive = now;
        if (deployment.replicas() == 0) {
            deployment.scaleTo(Math.max(1, minReplicaCount), now);
        }
    }
}
