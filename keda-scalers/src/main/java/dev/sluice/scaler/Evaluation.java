package dev.sluice.scaler;

/**
 * One evaluation of a topic for a consumer group.
 *
 * @param partitions      the topic's partitions
 * @param members         consumers in the group now (one per executor replica)
 * @param liveBacklog     {@code L_live}: events not started whose deadline has not passed
 * @param expiredBacklog  events after the committed offsets that already expired (skipped, not run)
 * @param atRisk          a lower bound of live events that will start after the budget at the current drain rate
 * @param arrivalRate     {@code λ}, events/s from the log-end offsets over the rate window (NaN: not known yet)
 * @param drainRate       events/s from the committed offsets over the rate window (NaN: not known yet)
 * @param requiredRate    {@code R = λ + L_live / B}
 * @param reportedRate    {@code R} within the replica bounds and the partition cap: the HPA metric
 * @param desiredReplicas {@code ceil(reportedRate / μ)}
 * @param active          {@code R > activationThreshold}
 */
public record Evaluation(
        ScalerMetadata metadata,
        long takenAtMillis,
        int partitions,
        int members,
        long liveBacklog,
        long expiredBacklog,
        long atRisk,
        double arrivalRate,
        double drainRate,
        double requiredRate,
        double reportedRate,
        int desiredReplicas,
        boolean active) {}
