package dev.sluice.executor.impl.trigger;

import dev.sluice.core.ConfigException;
import dev.sluice.core.Settings;
import java.time.Duration;

/**
 * Settings of the scheduled and polling triggers an executor runs (docs/configuration.md).
 *
 * @param enabled          run the catalog's schedules and polls in this process (one holder per trigger across the cluster)
 * @param lease            how long a trigger's lease lasts unrenewed; a holder that died is replaced after at most this
 * @param pollTimeout      bound on one poll's GET, from connecting to the last body byte
 * @param pollMaxBytes     the largest poll response body read; a larger one is an error
 * @param pollPerHost      polls in flight at once against one host and port
 * @param pollBackoffMax   the longest wait after failed polls (the wait doubles from the poll interval per failure)
 * @param pollDedupTtl     how long an item id is remembered in Redis, so the same item is not emitted again
 */
public record TriggerConfig(
        boolean enabled,
        Duration lease,
        Duration pollTimeout,
        int pollMaxBytes,
        int pollPerHost,
        Duration pollBackoffMax,
        Duration pollDedupTtl) {

    public TriggerConfig {
        if (lease.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new ConfigException("executor.triggers.lease must be at least 1s, got " + lease);
        }
        if (pollPerHost < 1 || pollMaxBytes < 1) {
            throw new ConfigException(
                    "executor.triggers.poll.per.host and executor.triggers.poll.max.bytes must be at least 1");
        }
        if (pollDedupTtl.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new ConfigException("executor.triggers.poll.dedup.ttl must be at least 1s, got " + pollDedupTtl);
        }
    }

    public static TriggerConfig from(Settings s) {
        return new TriggerConfig(
                s.getBoolean("executor.triggers.enabled", true),
                s.getDuration("executor.triggers.lease", Duration.ofSeconds(10)),
                s.getDuration("executor.triggers.poll.timeout", Duration.ofSeconds(10)),
                s.getInt("executor.triggers.poll.max.bytes", 8 * 1024 * 1024),
                s.getInt("executor.triggers.poll.per.host", 2),
                s.getDuration("executor.triggers.poll.backoff.max", Duration.ofMinutes(5)),
                s.getDuration("executor.triggers.poll.dedup.ttl", Duration.ofDays(7)));
    }

    public static TriggerConfig defaults() {
        return from(Settings.empty());
    }

    /** How often a holder renews its lease and a stand-by asks for it: a third of the lease. */
    public Duration renewEvery() {
        return lease.dividedBy(3);
    }

    public TriggerConfig withLease(Duration newLease) {
        return new TriggerConfig(
                enabled, newLease, pollTimeout, pollMaxBytes, pollPerHost, pollBackoffMax, pollDedupTtl);
    }
}
