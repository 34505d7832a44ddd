package dev.sluice.scaler.sim;

/**
 * The outcome of one policy on one trace. Shares are of all events that arrived. The timeline has one sample per
 * second: arrivals in that second, and the backlog and replicas at its start.
 */
public record RunResult(
        String policy,
        int minReplicas,
        double arrived,
        double startedOnTime,
        double startedLate,
        double expired,
        double replicaSeconds,
        int peakReplicas,
        Timeline timeline) {

    /** Per-second samples of one run. */
    public record Timeline(double[] arrivals, double[] live, double[] expiredInTopic, int[] replicas, int[] ready) {}

    public double onTimeShare() {
        return arrived == 0 ? 1 : startedOnTime / arrived;
    }

    public double lateShare() {
        return arrived == 0 ? 0 : startedLate / arrived;
    }

    public double expiredShare() {
        return arrived == 0 ? 0 : expired / arrived;
    }

    public String label() {
        return policy + ", min " + minReplicas;
    }
}
