package dev.sluice.scaler.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * The executor Deployment: its pods in creation order, each with the time its consumer is ready. A pod costs
 * from creation; it consumes only once ready. Scaling down removes pods that are not ready first, then the
 * newest, as the ReplicaSet controller prefers.
 */
final class Deployment {

    private final long podStartMillis;
    private final long podStartNewNodeMillis;
    private final int warmPodCapacity;
    private final List<Long> readyAt = new ArrayList<>();

    Deployment(long podStartMillis, long podStartNewNodeMillis, int warmPodCapacity) {
        this.podStartMillis = podStartMillis;
        this.podStartNewNodeMillis = podStartNewNodeMillis;
        this.warmPodCapacity = warmPodCapacity;
    }

    /** Starts with {@code n} pods that are already ready. */
    void warmStart(int n) {
        for (int i = 0; i < n; i++) {
            readyAt.add(Long.MIN_VALUE);
        }
    }

    int replicas() {
        return readyAt.size();
    }

    int ready(long now) {
        int n = 0;
        for (long r : readyAt) {
            if (r <= now) {
                n++;
            }
        }
        return n;
    }

    void scaleTo(int n, long now) {
        while (readyAt.size() < n) {
            int index = readyAt.size();
            readyAt.add(now + (index < warmPodCapacity ? podStartMillis : podStartNewNodeMillis));
        }
        while (readyAt.size() > n) {
            int victim = -1;
            for (int i = readyAt.size() - 1; i >= 0; i--) {
                if (readyAt.get(i) > now) {
                    victim = i;
                    break;
                }
            }
            readyAt.remove(victim >= 0 ? victim : readyAt.size() - 1);
        }
    }
}
