package dev.sluice.scaler.sim;

import dev.sluice.core.ConfigException;
import dev.sluice.core.Durations;
import java.util.Map;
import java.util.function.Function;

/**
 * Every parameter of the simulated cluster, shared by all scaler policies of a run. Durations are milliseconds.
 * The defaults and where each comes from are tabled in the keda-scalers README ("Scaling simulator").
 *
 * @param stepMillis             simulation time step
 * @param budgetMillis           ingest to execution start budget; an event started within it counts as on time
 * @param ttlMillis              event time to live; an event older than this is expired, never started
 * @param serviceRate            events per second one executor replica (one consumer) starts
 * @param partitions             partitions of the topic; replicas beyond this number idle
 * @param podStartMillis         pod creation to consumer ready, on a node with room (image cached)
 * @param podStartNewNodeMillis  the same when the pod needs a new node
 * @param warmPodCapacity        pods that fit on the nodes already running; pods beyond take the new-node time
 * @param rebalancePauseMillis   how long every consumer of the group stops when a member joins or leaves
 * @param commitIntervalMillis   executor offset commit period; served but uncommitted events still count as lag
 * @param hpaSyncMillis          HPA controller sync period
 * @param tolerance              HPA tolerance on the usage ratio
 * @param maxReplicaCount        ScaledObject maxReplicaCount (the HPA's maxReplicas)
 * @param cooldownMillis         ScaledObject cooldownPeriod: inactive this long before scaling to zero
 * @param phase                  where in its period each controller ticks when the trace starts (0 to 1)
 * @param expireCost             cost of reading an expired event and producing it to the expired topic, as a
 *                               fraction of starting one (expired events at assignment are skipped for free)
 * @param lagThreshold           stock kafka trigger lagThreshold
 * @param activationLagThreshold stock kafka trigger activationLagThreshold
 * @param stockPollingMillis     ScaledObject pollingInterval of the stock trigger
 * @param deadlinePollingMillis  ScaledObject pollingInterval of the deadline-aware scaler
 * @param pushMillis             how often the deadline-aware scaler evaluates activity for StreamIsActive
 * @param rateWindowMillis       window over which the deadline-aware scaler measures the arrival rate
 */
public record SimParams(
        long stepMillis,
        long budgetMillis,
        long ttlMillis,
        double serviceRate,
        int partitions,
        long podStartMillis,
        long podStartNewNodeMillis,
        int warmPodCapacity,
        long rebalancePauseMillis,
        long commitIntervalMillis,
        long hpaSyncMillis,
        double tolerance,
        int maxReplicaCount,
        long cooldownMillis,
        double phase,
        double expireCost,
        long lagThreshold,
        long activationLagThreshold,
        long stockPollingMillis,
        long deadlinePollingMillis,
        long pushMillis,
        long rateWindowMillis) {

    public SimParams {
        if (stepMillis <= 0 || 1000 % stepMillis != 0) {
            throw new ConfigException("step must divide one second");
        }
        for (long period : new long[] {
            hpaSyncMillis, stockPollingMillis, deadlinePollingMillis, pushMillis, rateWindowMillis, commitIntervalMillis
        }) {
            if (period < stepMillis || period % stepMillis != 0) {
                throw new ConfigException(
                        "every period must be a positive multiple of the step (" + stepMillis + "ms)");
            }
        }
        if (serviceRate <= 0 || partitions <= 0 || lagThreshold <= 0 || maxReplicaCount <= 0) {
            throw new ConfigException("service rate, partitions, lag threshold and max replicas must be positive");
        }
        if (phase < 0 || phase >= 1) {
            throw new ConfigException("phase must be in [0, 1)");
        }
        if (budgetMillis <= 0 || ttlMillis < budgetMillis) {
            throw new ConfigException("need 0 < budget <= ttl");
        }
    }

    public static SimParams defaults() {
        return new SimParams(
                50, 2_000, 20_000, 1000, 64, 10_000, 60_000, 16, 3_000, 500, 15_000, 0.1, 100, 300_000, 0.5, 0.1, 10, 0,
                30_000, 1_000, 250, 2_000);
    }

    /** Defaults overridden by command-line options (names as in the README, without the leading dashes). */
    public static SimParams from(Map<String, String> o) {
        SimParams d = defaults();
        return new SimParams(
                ms(o, "step", d.stepMillis),
                ms(o, "budget", d.budgetMillis),
                ms(o, "ttl", d.ttlMillis),
                dbl(o, "mu", d.serviceRate),
                (int) lng(o, "partitions", d.partitions),
                ms(o, "pod-start", d.podStartMillis),
                ms(o, "pod-start-new-node", d.podStartNewNodeMillis),
                (int) lng(o, "warm-pods", d.warmPodCapacity),
                ms(o, "rebalance", d.rebalancePauseMillis),
                ms(o, "commit-interval", d.commitIntervalMillis),
                ms(o, "hpa-sync", d.hpaSyncMillis),
                dbl(o, "tolerance", d.tolerance),
                (int) lng(o, "max-replicas", d.maxReplicaCount),
                ms(o, "cooldown", d.cooldownMillis),
                dbl(o, "phase", d.phase),
                dbl(o, "expire-cost", d.expireCost),
                lng(o, "lag-threshold", d.lagThreshold),
                lng(o, "activation-lag-threshold", d.activationLagThreshold),
                ms(o, "polling-interval", d.stockPollingMillis),
                ms(o, "deadline-polling-interval", d.deadlinePollingMillis),
                ms(o, "push-interval", d.pushMillis),
                ms(o, "rate-window", d.rateWindowMillis));
    }

    /** Steps in a duration. */
    long steps(long millis) {
        return millis / stepMillis;
    }

    private static long ms(Map<String, String> o, String key, long dflt) {
        String v = o.get(key);
        return v == null ? dflt : Durations.parse(v).toMillis();
    }

    private static double dbl(Map<String, String> o, String key, double dflt) {
        return parsed(o, key, dflt, Double::valueOf, "not a number");
    }

    private static long lng(Map<String, String> o, String key, long dflt) {
        return parsed(o, key, dflt, Long::valueOf, "not an integer");
    }

    private static <T> T parsed(Map<String, String> o, String key, T dflt, Function<String, T> parse, String what) {
        String v = o.get(key);
        try {
            return v == null ? dflt : parse.apply(v);
        } catch (NumberFormatException e) {
            throw new ConfigException("--" + key + ": " + what + ": " + v, e);
        }
    }
}
