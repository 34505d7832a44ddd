package dev.sluice.benchmarks.jmh;

import dev.sluice.core.EventIds;
import java.util.UUID;
import org.openjdk.jmh.annotations.Benchmark;

/** UUIDv7 event ids as the router mints one per accepted event (when the source supplies none). */
public class EventIdBenchmark extends NanoBenchmark {

    private long fixedMillis = 1_750_000_000_000L;

    /** The id alone, for a given millisecond. */
    @Benchmark
    public UUID uuidForFixedTime() {
        return EventIds.next(fixedMillis);
    }

    /** What the router does per request: read the clock, mint, render the 36-character form. */
    @Benchmark
    public String stringWithClock() {
        return EventIds.nextString(System.currentTimeMillis());
    }
}
