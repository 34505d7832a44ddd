package dev.sluice.core.trigger;

import com.cronutils.model.Cron;
import com.cronutils.model.time.ExecutionTime;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The instants at which a cron expression fires in a zone, and which of them are due. A tick is an
 * instant (epoch milliseconds), so a wall-clock hour that happens twice at the end of summer time
 * gives two distinct ticks, and one that never happens gives none.
 */
public final class Ticks {

    /**
     * Ticks walked by one call: the walk runs on an event loop, and cron-utils takes tens of
     * microseconds a tick (about a millisecond on a loaded machine), so a long outage is walked in
     * several calls, each a short task.
     */
    public static final int MAX_ENUMERATED = 1000;

    private final ExecutionTime executions;
    private final ZoneId zone;

    public Ticks(Cron cron, ZoneId zone) {
        this.executions = ExecutionTime.forCron(cron);
        this.zone = zone;
    }

    /** The first tick strictly after {@code after}, or empty when the expression never fires again. */
    public Optional<Instant> next(Instant after) {
        // Ticks fall on whole seconds; the library carries a fraction of the start through, so drop it first.
        return executions
                .nextExecution(ZonedDateTime.ofInstant(after.truncatedTo(ChronoUnit.SECONDS), zone))
                .map(ZonedDateTime::toInstant)
                .filter(t -> t.isAfter(after));
    }

    /**
     * The ticks after {@code lastFired} up to and including {@code now}, split by whether they can
     * still be run: a tick is live while {@code tick + ttl > now}, and missed once its deadline has passed.
     *
     * @return the live ticks in order, the number of missed ones (at most {@link #MAX_ENUMERATED}) and the latest missed
     */
    public Due due(Instant lastFired, Instant now, Duration ttl) {
        return due(lastFired, now, ttl, MAX_ENUMERATED);
    }

    /** {@link #due(Instant, Instant, Duration)} with another enumeration bound. */
    Due due(Instant lastFired, Instant now, Duration ttl, int bound) {
        List<Instant> live = new ArrayList<>();
        long missed = 0;
        Instant latestMissed = null;
        Instant cursor = lastFired;
        boolean complete = false;
        // A longer span is walked over several calls: the caller records the latest missed tick and asks again.
        while (missed + live.size() < bound) {
            Optional<Instant> n = next(cursor);
            if (n.isEmpty() || n.get().isAfter(now)) {
                complete = true;
                break;
            }
            Instant t = n.get();
            if (t.plus(ttl).isAfter(now)) {
                live.add(t);
            } else {
                missed++;
                latestMissed = t;
            }
            cursor = t;
        }
        return new Due(List.copyOf(live), missed, Optional.ofNullable(latestMissed), complete);
    }

    /**
     * What is due at one moment.
     *
     * @param live         ticks whose deadline is still ahead, oldest first: each is fired
     * @param missed       ticks whose deadline passed before anyone fired them
     * @param latestMissed the newest of those, which {@link Schedule.Missed#FIRE_ONCE} fires
     * @param complete     whether the walk reached now; false when it stopped at its bound ({@link #MAX_ENUMERATED}), and
     *                     the rest is counted at the next call, from {@code latestMissed}
     */
    public record Due(List<Instant> live, long missed, Optional<Instant> latestMissed, boolean complete) {

        public boolean isEmpty() {
            return live.isEmpty() && missed == 0;
        }

        /** Whether the walk went past the last missed tick: no more of this outage is left to count. */
        public boolean missedSpanOver() {
            return complete || !live.isEmpty();
        }
    }
}
