package dev.sluice.scaler.impl;

import dev.sluice.scaler.ScalingMath;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * Log-end and committed offsets sampled over time, per partition, from which the arrival rate
 * ({@code λ}, log-end growth) and the drain rates (committed growth, per partition and in total) are
 * measured over a sliding window. Not thread-safe: confined to the scaler's event loop.
 */
public final class RateHistory {

    private record Sample(long atMillis, long[] end, long[] committed) {}

    private final long windowMillis;
    private final long minSpanMillis;
    private final ArrayDeque<Sample> samples = new ArrayDeque<>();

    public RateHistory(long windowMillis, long minSpanMillis) {
        this.windowMillis = windowMillis;
        this.minSpanMillis = minSpanMillis;
    }

    /** Adds a sample (ignored when older than the newest); a change of the partition count starts afresh. */
    public void add(long atMillis, long[] end, long[] committed) {
        Sample last = samples.peekLast();
        if (last != null && last.end().length != end.length) {
            samples.clear();
        } else if (last != null && atMillis <= last.atMillis()) {
            return;
        }
        samples.addLast(new Sample(atMillis, end.clone(), committed.clone()));
        // keep one sample at or beyond the window's start so a full window can be measured
        while (samples.size() > 2) {
            Iterator<Sample> it = samples.iterator();
            it.next();
            Sample second = it.next();
            if (atMillis - second.atMillis() >= windowMillis) {
                samples.removeFirst();
            } else {
                break;
            }
        }
    }

    /** λ over the window, events/s; NaN until the samples span at least the minimum span. */
    public double arrivalRate() {
        Sample[] ends = span();
        if (ends == null) {
            return Double.NaN;
        }
        return ScalingMath.rate(sum(ends[0].end()), sum(ends[1].end()), ends[1].atMillis() - ends[0].atMillis());
    }

    /** Committed-offset growth over the window, all partitions, events/s; NaN when unknown. */
    public double drainRate() {
        double[] per = partitionDrainRates();
        if (per == null) {
            return Double.NaN;
        }
        double total = 0;
        for (double d : per) {
            total += d;
        }
        return total;
    }

    /** Per-partition committed-offset growth over the window; null when unknown. A partition without commits drains 0. */
    public double[] partitionDrainRates() {
        Sample[] ends = span();
        if (ends == null) {
            return null;
        }
        long elapsed = ends[1].atMillis() - ends[0].atMillis();
        long[] a = ends[0].committed();
        long[] b = ends[1].committed();
        double[] out = new double[b.length];
        for (int p = 0; p < b.length; p++) {
            out[p] = a[p] < 0 || b[p] < 0 ? 0 : ScalingMath.rate(a[p], b[p], elapsed);
        }
        return out;
    }

    public int size() {
        return samples.size();
    }

    private Sample[] span() {
        if (samples.size() < 2) {
            return null;
        }
        Sample newest = samples.peekLast();
        Sample oldest = samples.peekFirst();
        if (newest.atMillis() - oldest.atMillis() < minSpanMillis) {
            return null;
        }
        return new Sample[] {oldest, newest};
    }

    private static long sum(long[] values) {
        long s = 0;
        for (long v : values) {
            s += Math.max(0, v);
        }
        return s;
    }
}
