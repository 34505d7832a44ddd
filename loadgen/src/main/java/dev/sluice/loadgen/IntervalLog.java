package dev.sluice.loadgen;

import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import org.HdrHistogram.HistogramLogWriter;

/**
 * A run's HdrHistogram interval log ({@code latency.hlog}): every second's distribution of each
 * latency, tagged {@code ack} and {@code ingest-to-start}, in HdrHistogram's log format (compressed
 * histograms, kept in memory until the report is written). HdrHistogram's own tools read it
 * (HistogramLogProcessor, plotters); {@link #read} gives the per-second figures that {@code compare}
 * shows.
 */
final class IntervalLog {

    static final String FILE = "latency.hlog";
    static final String ACK = "ack";
    static final String INGEST_TO_START = "ingest-to-start";

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final HistogramLogWriter writer;

    IntervalLog(long startEpochMillis) {
        writer = new HistogramLogWriter(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        writer.outputLogFormatVersion();
        writer.outputStartTime(startEpochMillis);
        writer.setBaseTime(startEpochMillis);
        writer.outputComment("values in microseconds; one interval per second; tags: " + ACK + ", " + INGEST_TO_START);
        writer.outputLegend();
    }

    /** One second's histogram of {@code tag}, from {@code fromMillis} to {@code toMillis} (epoch); empty ones are skipped. */
    synchronized void add(String tag, Histogram second, long fromMillis, long toMillis) {
        if (second.getTotalCount() == 0) {
            return;
        }
        Histogram copy = second.copy();
        copy.setTag(tag);
        copy.setStartTimeStamp(fromMillis);
        copy.setEndTimeStamp(toMillis);
        writer.outputIntervalHistogram(copy);
    }

    synchronized void writeTo(Path file) throws IOException {
        Files.write(file, bytes.toByteArray());
    }

    /** The p99 of every interval of each tag, in milliseconds, in log order. */
    static Map<String, List<Double>> p99s(Path file) {
        Map<String, List<Double>> out = new LinkedHashMap<>();
        try {
            HistogramLogReader reader = new HistogramLogReader(file.toFile());
            EncodableHistogram h;
            while ((h = reader.nextIntervalHistogram()) != null) {
                if (h instanceof Histogram histogram) {
                    String tag = histogram.getTag() == null ? "" : histogram.getTag();
                    out.computeIfAbsent(tag, k -> new ArrayList<>())
                            .add(histogram.getValueAtPercentile(99) / Histograms.MICROS_PER_MS);
                }
            }
        } catch (FileNotFoundException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return out;
    }
}
