package dev.sluice.scaler.sim;

/**
 * A KEDA trigger as the simulator sees it: the external metric the HPA reads at each sync, its
 * {@code AverageValue} target, the activity KEDA checks to scale between zero and one, how often KEDA checks it,
 * and the HPA behavior of its ScaledObject.
 */
public interface ScalerPolicy {

    String name();

    /** The metric value KEDA's metrics server returns to the HPA (summed over the trigger's metric). */
    double metric(Observation o);

    /** The {@code AverageValue} target per replica. */
    double targetAverageValue();

    /** Whether KEDA considers the trigger active (0 to 1 activation, and no scale to zero while active). */
    boolean active(Observation o);

    /** The ScaledObject's pollingInterval: how often KEDA checks activity. */
    long pollingMillis();

    /** How often the scaler evaluates activity and pushes it through {@code StreamIsActive}; 0 for no push. */
    long pushMillis();

    HpaBehavior behavior();
}
