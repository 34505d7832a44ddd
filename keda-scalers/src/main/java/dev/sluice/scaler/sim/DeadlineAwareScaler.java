package dev.sluice.scaler.sim;

/**
 * The deadline-aware external scaler: it reports the throughput needed to start every live event within the
 * budget, {@code R = lambda + L_live / B} (arrival rate plus the unexpired backlog spread over the budget), with
 * the per-replica service rate as the {@code AverageValue} target, so the HPA asks for {@code ceil(R / mu)}
 * replicas. Expired events are not backlog: nobody will execute them. The metric is capped at
 * {@code partitions * mu}. Activity is pushed through {@code StreamIsActive} as soon as there is an event to start.
 */
public record DeadlineAwareScaler(
        String name,
        double serviceRate,
        long budgetMillis,
        int partitions,
        long pollingMillis,
        long pushMillis,
        HpaBehavior behavior)
        implements ScalerPolicy {

    public static DeadlineAwareScaler of(SimParams p) {
        return new DeadlineAwareScaler(
                "deadline-aware",
                p.serviceRate(),
                p.budgetMillis(),
                p.partitions(),
                p.deadlinePollingMillis(),
                p.pushMillis(),
                HpaBehavior.fastScaleUp());
    }

    /** The unexpired lag: uncommitted events younger than the TTL. */
    public double liveLag(Observation o) {
        return o.live() + o.uncommitted();
    }

    /** {@code R = lambda + L_live / B}, events per second. */
    public double requiredThroughput(Observation o) {
        return o.arrivalRate() + liveLag(o) / (budgetMillis / 1000.0);
    }

    @Override
    public double metric(Observation o) {
        return Math.min(requiredThroughput(o), partitions * serviceRate);
    }

    @Override
    public double targetAverageValue() {
        return serviceRate;
    }

    /** Active while at least one event needs starting within the budget. */
    @Override
    public boolean active(Observation o) {
        return requiredThroughput(o) * budgetMillis / 1000.0 >= 1;
    }
}
