package dev.sluice.scaler.sim;

/**
 * One rate limit of an HPA scaling direction, as in autoscaling/v2 {@code HPAScalingPolicy}: at most
 * {@code value} pods (or {@code value} percent of the replicas at the start of the period) may be added or
 * removed within any {@code periodSeconds}.
 */
public record ScalingPolicy(Type type, int value, int periodSeconds) {

    /** {@code Pods} or {@code Percent}. */
    public enum Type {
        PODS,
        PERCENT
    }

    public ScalingPolicy {
        if (value <= 0 || periodSeconds <= 0) {
            throw new IllegalArgumentException("policy value and periodSeconds must be positive");
        }
    }

    public static ScalingPolicy pods(int value, int periodSeconds) {
        return new ScalingPolicy(Type.PODS, value, periodSeconds);
    }

    public static ScalingPolicy percent(int value, int periodSeconds) {
        return new ScalingPolicy(Type.PERCENT, value, periodSeconds);
    }

    long periodMillis() {
        return periodSeconds * 1000L;
    }

    @Override
    public String toString() {
        return (type == Type.PODS ? value + " pods" : value + "%") + "/" + periodSeconds + "s";
    }
}
