package dev.sluice.core;

/**
 * A rate shared by every router replica: at most so many events and payload bytes per second.
 * Zero means no limit on that measure.
 *
 * @param eventsPerSecond events per second (0 = unlimited)
 * @param bytesPerSecond  payload bytes per second (0 = unlimited)
 */
public record RateLimit(long eventsPerSecond, long bytesPerSecond) {

    public RateLimit {
        if (eventsPerSecond < 0 || bytesPerSecond < 0) {
            throw new ConfigException(
                    "rate limits must be >= 0, got events " + eventsPerSecond + ", bytes " + bytesPerSecond);
        }
    }

    /** Null when neither measure is limited. */
    public static RateLimit of(long eventsPerSecond, long bytesPerSecond) {
        return eventsPerSecond == 0 && bytesPerSecond == 0 ? null : new RateLimit(eventsPerSecond, bytesPerSecond);
    }
}
