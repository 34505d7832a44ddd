package dev.sluice.benchmarks.jmh;

import dev.sluice.executor.impl.kafka.OffsetTracker;
import java.util.Random;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * The committable-offset tracker of one partition, per record: {@code started} then
 * {@code finished}, over a batch of {@value #RECORDS} offsets. In order is the single-key case;
 * out of order is what concurrent keys produce — offsets finish shuffled within a window of
 * {@code window} records, so up to that many wait in the out-of-order set.
 */
public class OffsetTrackerBenchmark extends NanoBenchmark {

    static final int RECORDS = 4096;

    @Param({"16", "256"})
    public int window;

    private long[] ordered;
    private long[] shuffled;
    private long base;

    @Setup(Level.Trial)
    public void setUp() {
        ordered = new long[RECORDS];
        for (int i = 0; i < RECORDS; i++) {
            ordered[i] = i;
        }
        shuffled = ordered.clone();
        Random random = new Random(42);
        for (int from = 0; from < RECORDS; from += window) {
            int to = Math.min(RECORDS, from + window);
            for (int i = to - 1; i > from; i--) {
                int j = from + random.nextInt(i - from + 1);
                long t = shuffled[i];
                shuffled[i] = shuffled[j];
                shuffled[j] = t;
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public long inOrder() {
        return startAllThenFinish(ordered);
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS)
    public long outOfOrder() {
        return startAllThenFinish(shuffled);
    }

    /** Starts the batch's offsets in order, then finishes them in {@code finishOrder} (offsets relative to the batch). */
    private long startAllThenFinish(long[] finishOrder) {
        OffsetTracker t = new OffsetTracker();
        long b = base;
        for (int i = 0; i < RECORDS; i++) {
            t.started(b + i);
        }
        for (int i = 0; i < RECORDS; i++) {
            t.finished(b + finishOrder[i]);
        }
        base += RECORDS;
        return t.committable();
    }
}
