package dev.sluice.benchmarks.jmh;

import dev.sluice.core.Deadlines;
import dev.sluice.core.EventRecords;
import dev.sluice.core.IngestedEvent;
import dev.sluice.loadgen.DemoEvent;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;

/**
 * The executor's deadline guard: find the 8-byte {@code sluice_deadline} header among a Sluice
 * record's ~10 headers, decode it, compare with now. It runs once per consumed event, before
 * anything else.
 */
public class DeadlineBenchmark extends NanoBenchmark {

    private ConsumerRecord<byte[], byte[]> record;
    private long now;

    @Setup(Level.Trial)
    public void setUp() {
        now = System.currentTimeMillis();
        IngestedEvent e =
                DemoEvent.of("0190a0f0-0000-7000-8000-000000000001", now, now + 20_000, null, new byte[200], null);
        record = Consumed.of(EventRecords.toRecord("sluice.demo", e), 0, 7L);
    }

    /** Header lookup and decode only. */
    @Benchmark
    public long readDeadline() {
        return EventRecords.deadline(record);
    }

    /** Lookup, decode and the expiry check against a fixed now. */
    @Benchmark
    public boolean isExpiredFixedNow() {
        return Deadlines.isExpired(EventRecords.deadline(record), now);
    }

    /** What the executor does: with a clock read. */
    @Benchmark
    public boolean isExpiredWithClock() {
        return Deadlines.isExpired(EventRecords.deadline(record), System.currentTimeMillis());
    }
}
