package dev.sluice.scaler.sim;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The topic as one FIFO fluid queue: each step's arrivals form a cohort stamped with its arrival time, served in
 * order. A cohort older than the TTL moves to the expired head of the queue: those events are still in the topic
 * (and in the consumer group's lag) until a running consumer skips them; they are never started.
 */
final class FluidQueue {

    private static final double EPSILON = 1e-9;

    private static final class Cohort {
        final long arrivedAt;
        double count;

        Cohort(long arrivedAt, double count) {
            this.arrivedAt = arrivedAt;
            this.count = count;
        }
    }

    private final long ttlMillis;
    private final long budgetMillis;
    private final Deque<Cohort> live = new ArrayDeque<>();
    private double liveCount;
    private double expiredInTopic;

    private double arrived;
    private double startedOnTime;
    private double startedLate;
    private double expired;

    FluidQueue(long ttlMillis, long budgetMillis) {
        this.ttlMillis = ttlMillis;
        this.budgetMillis = budgetMillis;
    }

    void arrive(long now, double count) {
        if (count <= 0) {
            return;
        }
        arrived += count;
        liveCount += count;
        live.addLast(new Cohort(now, count));
    }

    /** Moves cohorts whose age exceeds the TTL to the expired head. */
    void age(long now) {
        while (!live.isEmpty() && now - live.peekFirst().arrivedAt > ttlMillis) {
            Cohort c = live.removeFirst();
            liveCount -= c.count;
            expiredInTopic += c.count;
        }
        if (live.isEmpty()) {
            liveCount = 0;
        }
    }

    /**
     * Consumers with {@code capacity} event starts this step: first skip the expired head ({@code expireCost} of
     * a start each), then start live events in arrival order.
     *
     * @return events started this step
     */
    double serve(long now, double capacity, double expireCost) {
        age(now);
        if (capacity <= 0) {
            return 0;
        }
        if (expiredInTopic > 0) {
            double skipped = expireCost <= 0 ? expiredInTopic : Math.min(expiredInTopic, capacity / expireCost);
            expiredInTopic -= skipped;
            expired += skipped;
            capacity -= skipped * expireCost;
            if (expiredInTopic < EPSILON) {
                expiredInTopic = 0;
            }
        }
        double started = 0;
        while (capacity > EPSILON && !live.isEmpty()) {
            Cohort head = live.peekFirst();
            double take = Math.min(head.count, capacity);
            if (now - head.arrivedAt <= budgetMillis) {
                startedOnTime += take;
            } else {
                startedLate += take;
            }
            head.count -= take;
            liveCount -= take;
            capacity -= take;
            started += take;
            if (head.count < EPSILON) {
                live.removeFirst();
            }
        }
        if (live.isEmpty()) {
            liveCount = 0;
        }
        return started;
    }

    /**
     * A consumer that gets partitions assigned seeks past records older than the TTL ({@code offsetsForTimes}),
     * so the expired head is skipped at no cost.
     */
    void skipExpired(long now) {
        age(now);
        expired += expiredInTopic;
        expiredInTopic = 0;
    }

    /** Ends the run: whatever is still queued was never started in time. */
    void finish() {
        expired += liveCount + expiredInTopic;
        live.clear();
        liveCount = 0;
        expiredInTopic = 0;
    }

    /** Unconsumed events younger than the TTL. */
    double live() {
        return liveCount;
    }

    /** Unconsumed events older than the TTL, still in the topic. */
    double expiredInTopic() {
        return expiredInTopic;
    }

    double arrived() {
        return arrived;
    }

    double startedOnTime() {
        return startedOnTime;
    }

    double startedLate() {
        return startedLate;
    }

    double expired() {
        return expired;
    }
}
