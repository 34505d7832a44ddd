package dev.sluice.scaler;

import java.time.Duration;

/**
 * The scaler's arithmetic, free of I/O so that it is tested on its own and shared with the
 * scaling simulator.
 *
 * <p>The one formula: the throughput the executors must sustain is the arrival rate plus the live
 * backlog spread over the latency budget, {@code R = λ + L_live / B} (events/s). Reported to the
 * HPA as an {@code AverageValue} metric whose target is one replica's throughput {@code μ}, the HPA
 * asks for {@code ceil(R / μ)} replicas.
 *
 * <p>Offsets follow Kafka's convention: an offset names the next record to read; {@code -1} marks
 * "none" (no committed offset, or no record at or after a timestamp).
 */
public final class ScalingMath {

    /** An offset that is not there: no committed offset, or no record at or after the asked time. */
    public static final long NONE = -1;

    private ScalingMath() {}

    /** {@code R = λ + L_live / B}, in events/s. An unknown (NaN) or negative arrival rate counts as 0. */
    public static double requiredRate(double arrivalRate, long liveBacklog, Duration budget) {
        double lambda = Double.isNaN(arrivalRate) || arrivalRate < 0 ? 0 : arrivalRate;
        return lambda + Math.max(0, liveBacklog) / seconds(budget);
    }

    /** {@code ceil(R / μ)}: what the HPA computes from the reported rate and the per-replica target. */
    public static int desiredReplicas(double requiredRate, double replicaRate) {
        if (replicaRate <= 0) {
            throw new IllegalArgumentException("replica rate must be positive: " + replicaRate);
        }
        if (requiredRate <= 0) {
            return 0;
        }
        // Rates like 2000.0000000001 / 1000 come out of float sums: do not ask for a replica for that.
        double replicas = requiredRate / replicaRate;
        double rounded = Math.rint(replicas);
        return (int) Math.min(Integer.MAX_VALUE, Math.abs(replicas - rounded) < 1e-9 ? rounded : Math.ceil(replicas));
    }

    /**
     * The rate reported to the HPA: {@code R} held between {@code minReplicas · μ} and
     * {@code min(maxReplicas, partitions) · μ}, so that the HPA's {@code ceil(value / μ)} stays within the
     * bounds and never asks for more executors than the topic has partitions (a consumer beyond
     * that gets no partition). {@code partitions <= 0} means unknown (no cap).
     */
    public static double reportedRate(
            double requiredRate, double replicaRate, int minReplicas, int maxReplicas, int partitions) {
        int cap = partitions > 0 ? Math.min(maxReplicas, partitions) : maxReplicas;
        double upper = (double) Math.max(cap, minReplicas) * replicaRate;
        double lower = (double) minReplicas * replicaRate;
        return Math.max(lower, Math.min(upper, Math.max(0, requiredRate)));
    }

    /**
     * Where the live span of a partition starts: after the group's committed offset and at the first
     * record young enough to be still inside its TTL ({@code firstLive}, the answer of
     * {@code offsetsForTimes(now − TTL)}; {@link #NONE} when every record is older, so the span is empty).
     * A partition without a committed offset starts at its first live record, as the executor does
     * (it resets to the earliest offset and seeks past the dead span).
     */
    public static long liveStart(long committed, long firstLive, long end) {
        long live = firstLive == NONE ? end : Math.min(firstLive, end);
        return Math.min(end, Math.max(committed, live));
    }

    /** Events not yet started whose deadline has not passed: {@code end − liveStart}. */
    public static long liveBacklog(long committed, long firstLive, long end) {
        return Math.max(0, end - liveStart(committed, firstLive, end));
    }

    /** Events after the committed offset that already expired (they will be skipped, never run). */
    public static long expiredBacklog(long committed, long firstLive, long end) {
        if (committed == NONE) {
            return 0; // the log start is not asked for: what lies before the first live record is unknown
        }
        long live = firstLive == NONE ? end : Math.min(firstLive, end);
        return Math.max(0, live - committed);
    }

    /**
     * A lower bound of the live events of one partition that will start after the budget at the
     * current drain rate. It counts the events already older than the budget ({@code firstYoung} is the
     * first offset ingested within the last {@code B}; {@link #NONE} = none is) and the younger events
     * that sit so deep in the queue that even a fresh event there would wait longer than {@code B}:
     * queue position {@code j} waits {@code j / d}, at risk when {@code j / d > B}. When the partition
     * does not drain at all ({@code d == 0}) every live event is at risk; when its drain rate is not
     * known yet ({@code NaN}) only the events already past the budget are counted.
     */
    public static long atRisk(
            long committed, long firstLive, long firstYoung, long end, double partitionDrainRate, Duration budget) {
        long start = liveStart(committed, firstLive, end);
        if (start >= end) {
            return 0;
        }
        if (partitionDrainRate == 0) {
            return end - start;
        }
        long young = firstYoung == NONE ? end : Math.min(Math.max(firstYoung, start), end);
        long late = young - start;
        if (Double.isNaN(partitionDrainRate) || partitionDrainRate < 0) {
            return late;
        }
        double reach = partitionDrainRate * seconds(budget); // queue positions that can still start in time
        long firstMissed = reach >= end - start ? end : start + (long) Math.floor(reach) + 1;
        long deep = Math.max(0, end - Math.max(young, firstMissed));
        return late + deep;
    }

    /** Events per second between two cumulative counts; NaN when no time passed. */
    public static double rate(long earlier, long later, long elapsedMillis) {
        if (elapsedMillis <= 0) {
            return Double.NaN;
        }
        return Math.max(0, later - earlier) * 1000.0 / elapsedMillis;
    }

    static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }
}
