package dev.sluice.core.management;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Figures over the last few seconds from a process's own cumulative meters: a counter's rate, and a
 * timer's quantile from the difference of its histogram buckets between now and the start of the
 * window (so a p99 says what the last seconds were like, not the whole life of the process). Each
 * call of {@link #tick} starts a new sample; keys are whatever names a caller gives its series.
 * Confined to one thread (the dashboard's event loop).
 */
public final class MeterWindow {

    private record Point(long nanos, double value) {}

    private record Buckets(double[] upperMillis, double[] cumulative) {}

    private final int samples;
    private final Map<String, ArrayDeque<Point>> counters = new HashMap<>();
    private final Map<String, ArrayDeque<Buckets>> timers = new HashMap<>();
    private long now;

    /** {@code samples}: how many ticks a window spans (at one tick a second, its length in seconds). */
    public MeterWindow(int samples) {
        if (samples < 1) {
            throw new IllegalArgumentException("a window spans at least one sample");
        }
        this.samples = samples;
    }

    /** Starts a sample at {@code nanos} (System.nanoTime()). */
    public void tick(long nanos) {
        now = nanos;
    }

    /** The per-second rate of a cumulative count over the window; null until two samples were taken. */
    public Double rate(String key, double cumulative) {
        ArrayDeque<Point> points = counters.computeIfAbsent(key, k -> new ArrayDeque<>());
        if (points.isEmpty() || points.peekLast().nanos() != now) {
            points.addLast(new Point(now, cumulative));
        }
        while (points.size() > samples + 1) {
            points.pollFirst();
        }
        if (points.size() < 2) {
            return null;
        }
        Point first = points.peekFirst();
        Point last = points.peekLast();
        double seconds = (last.nanos() - first.nanos()) / 1e9;
        return seconds <= 0 ? null : Math.max(0, last.value() - first.value()) / seconds;
    }

    /**
     * The {@code q} quantile (0..1) in milliseconds of the values a timer recorded in the window, as
     * the upper bound of the histogram bucket it falls in; null when nothing was recorded in it or
     * the timer publishes no histogram.
     */
    public Double quantileMillis(String key, Timer timer, double q) {
        Buckets b = buckets(timer.takeSnapshot());
        if (b == null) {
            return null;
        }
        ArrayDeque<Buckets> history = timers.computeIfAbsent(key, k -> new ArrayDeque<>());
        history.addLast(b);
        while (history.size() > samples + 1) {
            history.pollFirst();
        }
        Buckets first = history.size() > 1
                ? history.peekFirst()
                : new Buckets(b.upperMillis(), new double[b.cumulative().length]);
        if (first.cumulative().length != b.cumulative().length) {
            return null;
        }
        int n = b.cumulative().length;
        double total = b.cumulative()[n - 1] - first.cumulative()[n - 1];
        if (total <= 0) {
            return null;
        }
        double wanted = Math.ceil(q * total);
        for (int i = 0; i < n; i++) {
            if (b.cumulative()[i] - first.cumulative()[i] >= wanted) {
                return b.upperMillis()[i];
            }
        }
        return b.upperMillis()[n - 1];
    }

    /** The snapshot's buckets as upper bounds (ms) and counts at or below each; the last bucket is +Inf with the total count. */
    static Buckets buckets(HistogramSnapshot s) {
        CountAtBucket[] counts = s.histogramCounts();
        if (counts.length == 0) {
            return null;
        }
        double[] upper = new double[counts.length + 1];
        double[] cumulative = new double[counts.length + 1];
        for (int i = 0; i < counts.length; i++) {
            upper[i] = counts[i].bucket(TimeUnit.MILLISECONDS);
            cumulative[i] = counts[i].count();
        }
        upper[counts.length] = Double.POSITIVE_INFINITY;
        cumulative[counts.length] = Math.max(s.count(), cumulative[counts.length - 1]);
        return new Buckets(upper, cumulative);
    }
}
