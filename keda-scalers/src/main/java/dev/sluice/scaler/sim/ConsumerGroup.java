package dev.sluice.scaler.sim;

/**
 * The executors' consumer group: when the number of ready members changes, every member stops for the
 * rebalance pause (eager rebalancing), and once partitions are assigned again the consumers seek past the
 * expired head of their partitions.
 */
final class ConsumerGroup {

    private final long rebalancePauseMillis;
    private int members;
    private long pausedUntil = Long.MIN_VALUE;
    private boolean assignmentPending;

    ConsumerGroup(long rebalancePauseMillis, int initialMembers) {
        this.rebalancePauseMillis = rebalancePauseMillis;
        this.members = initialMembers;
    }

    /**
     * Brings the membership up to date.
     *
     * @return the members consuming in this step (0 while the group rebalances)
     */
    int consuming(long now, int readyMembers, FluidQueue queue) {
        if (readyMembers != members) {
            if (readyMembers > 0) {
                pausedUntil = now + rebalancePauseMillis;
                assignmentPending = true;
            }
            members = readyMembers;
        }
        if (now < pausedUntil) {
            return 0;
        }
        if (assignmentPending) {
            queue.skipExpired(now);
            assignmentPending = false;
        }
        return members;
    }
}
