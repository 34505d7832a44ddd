package dev.sluice.loadgen;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;

/**
 * The run's interval reader: once a second it takes every writer's interval histograms, keeps a
 * row (sent, acked, errors, arrivals, p99s for that second), adds that second's distributions to
 * the run's interval log, adds the measured side into the run's totals, and tells the progress
 * line. The only thread that reads the recorders.
 */
final class Timeline {

    /** One second of the run. {@code ackP99Ms} and {@code e2eP99Ms} are NaN when nothing completed in it. */
    record Row(double second, long sent, long acked, long errors, long arrivals, double ackP99Ms, double e2eP99Ms) {}

    private final List<Sender> senders;
    private final List<Receiver.Tally> tallies;
    final Histogram ack = Histograms.create();
    final Histogram service = Histograms.create();
    final Histogram sendLag = Histograms.create();
    final Histogram ingestToStart = Histograms.create();
    final Histogram ingestToEnd = Histograms.create();
    private final Histogram ackSecond = Histograms.create();
    private final Histogram e2eSecond = Histograms.create();
    private final Histogram scratch = Histograms.create();
    private final List<Row> rows = new ArrayList<>();
    private final long startNanos;
    private final IntervalLog log;
    private final Consumer<String> progress;
    private long lastTickMillis;
    private long lastSent;
    private long lastAcked;
    private long lastErrors;
    private long lastArrivals;

    Timeline(
            List<Sender> senders,
            List<Receiver.Tally> tallies,
            long startNanos,
            long startEpochMillis,
            Consumer<String> progress) {
        this.senders = senders;
        this.tallies = tallies;
        this.startNanos = startNanos;
        this.log = new IntervalLog(startEpochMillis);
        this.lastTickMillis = startEpochMillis;
        this.progress = progress;
    }

    /** Where the progress line goes when nobody watches. */
    static final Consumer<String> QUIET = line -> {};

    IntervalLog log() {
        return log;
    }

    synchronized void tick() {
        ackSecond.reset();
        e2eSecond.reset();
        long sent = 0;
        long acked = 0;
        long errors = 0;
        long arrivals = 0;
        for (Sender s : senders) {
            s.ack.drainInto(ackSecond, ack);
            s.service.drainInto(scratch, service);
            s.sendLag.drainInto(scratch, sendLag);
            sent += s.sent.get();
            acked += s.acked.get();
            errors += s.errors.get();
        }
        for (Receiver.Tally t : tallies) {
            t.ingestToStart.drainInto(e2eSecond, ingestToStart);
            t.ingestToEnd.drainInto(scratch, ingestToEnd);
            arrivals += t.arrivals.get();
        }
        scratch.reset();
        long nowMillis = System.currentTimeMillis();
        log.add(IntervalLog.ACK, ackSecond, lastTickMillis, nowMillis);
        log.add(IntervalLog.INGEST_TO_START, e2eSecond, lastTickMillis, nowMillis);
        lastTickMillis = nowMillis;
        double second = Math.round((System.nanoTime() - startNanos) / 1e8) / 10.0;
        progress.accept(String.format(
                Locale.ROOT,
                "%6.1f s  sent %,d  acked %,d  ack p99 so far %s  errors %,d%s",
                second,
                sent,
                acked,
                ack.getTotalCount() == 0
                        ? "(warming up)"
                        : String.format(
                                Locale.ROOT, "%.1f ms", ack.getValueAtPercentile(99) / Histograms.MICROS_PER_MS),
                errors,
                tallies.isEmpty() ? "" : String.format(Locale.ROOT, "  executed %,d", arrivals)));
        rows.add(new Row(
                second,
                sent - lastSent,
                acked - lastAcked,
                errors - lastErrors,
                arrivals - lastArrivals,
                p99(ackSecond),
                p99(e2eSecond)));
        lastSent = sent;
        lastAcked = acked;
        lastErrors = errors;
        lastArrivals = arrivals;
    }

    private static double p99(Histogram h) {
        return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(99) / Histograms.MICROS_PER_MS;
    }

    synchronized List<Row> rows() {
        return List.copyOf(rows);
    }
}
