package dev.sluice.loadgen;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * One writer thread's recorder for one latency, split in two: values of warmup events and values
 * of measured events. The writer records without locks; the timeline thread takes interval
 * histograms of both every second (the per-second view shows warmup too; the run's totals add up
 * the measured side only).
 */
public final class SplitRecorder {

    private final SingleWriterRecorder warmup =
            new SingleWriterRecorder(1, Histograms.HIGHEST_MICROS, Histograms.DIGITS);
    private final SingleWriterRecorder measured =
            new SingleWriterRecorder(1, Histograms.HIGHEST_MICROS, Histograms.DIGITS);
    private Histogram warmupInterval;
    private Histogram measuredInterval;

    /** Writer thread only. */
    public void record(long micros, boolean isMeasured) {
        (isMeasured ? measured : warmup).recordValue(Histograms.clamp(micros));
    }

    /** Writer thread only: {@code count} events that share one value (the events of one batch request). */
    public void record(long micros, long count, boolean isMeasured) {
        (isMeasured ? measured : warmup).recordValueWithCount(Histograms.clamp(micros), count);
    }

    /**
     * Reader thread only: adds what was recorded since the last call to {@code all} (both sides)
     * and to {@code measuredTotal} (the measured side).
     */
    public void drainInto(Histogram all, Histogram measuredTotal) {
        warmupInterval = warmup.getIntervalHistogram(warmupInterval);
        measuredInterval = measured.getIntervalHistogram(measuredInterval);
        all.add(warmupInterval);
        all.add(measuredInterval);
        measuredTotal.add(measuredInterval);
    }
}
