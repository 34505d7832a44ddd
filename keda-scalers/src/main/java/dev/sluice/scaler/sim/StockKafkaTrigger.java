package dev.sluice.scaler.sim;

/**
 * KEDA's stock {@code kafka} trigger (pkg/scalers/kafka_scaler.go): the metric is the consumer group's total lag,
 * {@code sum over partitions (log end offset - committed offset)}. Expired events still in the topic are part of
 * it. Without {@code allowIdleConsumers} the lag is capped at {@code partitions * lagThreshold} so that the HPA
 * never asks for more replicas than partitions. Active when the lag exceeds {@code activationLagThreshold}.
 */
public record StockKafkaTrigger(
        String name,
        long lagThreshold,
        long activationLagThreshold,
        boolean allowIdleConsumers,
        int partitions,
        long pollingMillis,
        HpaBehavior behavior)
        implements ScalerPolicy {

    /** The trigger with KEDA's defaults and the Kubernetes default HPA behavior. */
    public static StockKafkaTrigger stock(SimParams p) {
        return new StockKafkaTrigger(
                "stock kafka",
                p.lagThreshold(),
                p.activationLagThreshold(),
                false,
                p.partitions(),
                p.stockPollingMillis(),
                HpaBehavior.kubernetesDefault());
    }

    /**
     * The same trigger tuned by hand: {@code lagThreshold = mu * budget} (the lag one replica clears within the
     * budget) and the deadline-aware scaler's fast HPA behavior, to separate what the formula changes from what
     * the tuning changes.
     */
    public static StockKafkaTrigger tuned(SimParams p) {
        long threshold = Math.max(1, Math.round(p.serviceRate() * p.budgetMillis() / 1000.0));
        return new StockKafkaTrigger(
                "stock kafka, tuned",
                threshold,
                p.activationLagThreshold(),
                false,
                p.partitions(),
                p.stockPollingMillis(),
                HpaBehavior.fastScaleUp());
    }

    /** Integer lag, as Kafka offsets are integers. */
    public long totalLag(Observation o) {
        return (long) Math.floor(o.live() + o.expiredInTopic() + o.uncommitted() + 1e-9);
    }

    @Override
    public double metric(Observation o) {
        long lag = totalLag(o);
        if (!allowIdleConsumers && lag / lagThreshold > partitions) {
            lag = partitions * lagThreshold;
        }
        return lag;
    }

    @Override
    public double targetAverageValue() {
        return lagThreshold;
    }

    @Override
    public boolean active(Observation o) {
        return totalLag(o) > activationLagThreshold;
    }

    @Override
    public long pushMillis() {
        return 0;
    }
}
