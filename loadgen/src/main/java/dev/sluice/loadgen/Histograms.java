package dev.sluice.loadgen;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.HdrHistogram.Histogram;

/**
 * Histogram conventions of the load generator: values in microseconds, from 1 µs to one hour,
 * three significant digits (0.1% value resolution at every magnitude).
 */
public final class Histograms {

    /** The largest value a histogram tracks: one hour, in microseconds. */
    public static final long HIGHEST_MICROS = 3_600_000_000L;

    public static final int DIGITS = 3;
    /** HdrHistogram's percentile output scaled from microseconds to milliseconds. */
    public static final double MICROS_PER_MS = 1000.0;

    private Histograms() {}

    public static Histogram create() {
        return new Histogram(1, HIGHEST_MICROS, DIGITS);
    }

    /** Clamps a value into the trackable range, so an outlier is kept rather than thrown. */
    public static long clamp(long micros) {
        return micros < 1 ? 1 : Math.min(micros, HIGHEST_MICROS);
    }

    /** The summary of one histogram, in milliseconds. */
    public static Percentiles percentiles(Histogram h) {
        if (h.getTotalCount() == 0) {
            return Percentiles.EMPTY;
        }
        return new Percentiles(
                h.getTotalCount(),
                ms(h.getMean()),
                ms(h.getValueAtPercentile(50)),
                ms(h.getValueAtPercentile(90)),
                ms(h.getValueAtPercentile(99)),
                ms(h.getValueAtPercentile(99.9)),
                ms(h.getValueAtPercentile(99.99)),
                ms(h.getMaxValue()));
    }

    private static double ms(double micros) {
        return Math.round(micros) / MICROS_PER_MS;
    }

    /** Writes HdrHistogram's percentile distribution (the {@code .hgrm} format plotters read), in milliseconds. */
    public static void writeHgrm(Histogram h, Path file) {
        try (PrintStream out = new PrintStream(Files.newOutputStream(file), false, StandardCharsets.UTF_8)) {
            h.outputPercentileDistribution(out, 5, MICROS_PER_MS);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
