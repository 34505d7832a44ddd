package dev.sluice.benchmarks.jmh;

import dev.sluice.core.EventIds;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** UUIDv7 event ids as the router mints one per accepted event (when the source supplies none). */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
@State(Scope.Thread)
public class EventIdBenchmark {

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
