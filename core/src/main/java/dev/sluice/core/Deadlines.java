package dev.sluice.core;

import java.time.Duration;

/** Deadline arithmetic. All instants are Unix epoch milliseconds. */
public final class Deadlines {

    /** The default time an event stays worth executing. */
    public static final Duration DEFAULT_TTL = Duration.ofSeconds(20);

    public static final Duration MIN_TTL = Duration.ofSeconds(1);
    public static final Duration MAX_TTL = Duration.ofSeconds(300);

    private Deadlines() {}

    public static long deadline(long ingestMillis, Duration ttl) {
        return ingestMillis + ttl.toMillis();
    }

    /** Milliseconds left before the deadline; zero or negative when it has passed. */
    public static long remaining(long deadlineMillis, long nowMillis) {
        return deadlineMillis - nowMillis;
    }

    /** An event is expired once its deadline is reached: it may start only while now &lt; deadline. */
    public static boolean isExpired(long deadlineMillis, long nowMillis) {
        return nowMillis >= deadlineMillis;
    }

    /**
     * The timeout for one step: the smaller of the step's own timeout and the time left, so a step
     * never runs past the event's deadline.
     */
    public static long stepTimeout(long stepTimeoutMillis, long deadlineMillis, long nowMillis) {
        return Math.min(stepTimeoutMillis, remaining(deadlineMillis, nowMillis));
    }

    /** Rejects a TTL outside the allowed 1–300 s. */
    public static Duration checkTtl(Duration ttl) {
        if (ttl.compareTo(MIN_TTL) < 0 || ttl.compareTo(MAX_TTL) > 0) {
            throw new ConfigException("ttl must be between 1s and 300s, got " + Durations.format(ttl));
        }
        return ttl;
    }
}
