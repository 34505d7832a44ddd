package dev.sluice.core;

import java.time.Duration;

/** Topic naming and sizing. */
public final class Topics {

    private Topics() {}

    public static String expired(String topic) {
        return topic + ".expired";
    }

    public static String deadLetter(String topic) {
        return topic + ".dlq";
    }

    /**
     * Retention for a live topic: the TTL plus a margin, so an executor that comes back after an
     * outage still finds the records to account for. Retention is coarse (whole segments); the
     * executor, not retention, enforces deadlines.
     */
    public static Duration liveRetention(Duration ttl) {
        return ttl.multipliedBy(3).plus(Duration.ofMinutes(5));
    }

    /** Expired and dead-lettered events are kept for inspection much longer than they were live. */
    public static final Duration ACCOUNTING_RETENTION = Duration.ofDays(7);
}
