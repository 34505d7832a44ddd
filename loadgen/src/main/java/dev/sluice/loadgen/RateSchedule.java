package dev.sluice.loadgen;

import dev.sluice.core.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * When each event of an open-loop run is meant to be sent: a sequence of phases (steady, burst,
 * ramp, pause), each a rate over a duration. Event {@code i} (0-based) is due at the instant the
 * cumulative count N(t) reaches {@code i}; for a steady phase that is {@code start + i / rate}.
 * Pure arithmetic: the pacer asks how many events are due by now, and each sender asks when its
 * event was due, so latency can be measured from that intended instant.
 */
public final class RateSchedule {

    /** One phase: the rate moves linearly from {@code fromRate} to {@code toRate} over {@code duration}. */
    public record Phase(String kind, double fromRate, double toRate, Duration duration) {
        public Phase {
            if (fromRate < 0 || toRate < 0) {
                throw new IllegalArgumentException("a rate cannot be negative: " + kind);
            }
            if (duration.isNegative()) {
                throw new IllegalArgumentException("a duration cannot be negative: " + kind);
            }
        }

        double seconds() {
            return duration.toNanos() / 1e9;
        }

        /** Events in the first {@code dt} seconds of this phase. */
        double count(double dt) {
            double d = seconds();
            if (d == 0) {
                return 0;
            }
            return fromRate * dt + (toRate - fromRate) * dt * dt / (2 * d);
        }

        /** Seconds into the phase at which the count reaches {@code n} (0 ≤ n ≤ count(seconds())). */
        double timeOf(double n) {
            double d = seconds();
            double a = (toRate - fromRate) / (2 * d);
            if (Math.abs(a) < 1e-12) {
                return fromRate == 0 ? 0 : n / fromRate;
            }
            double disc = fromRate * fromRate + 4 * a * n;
            return (-fromRate + Math.sqrt(Math.max(0, disc))) / (2 * a);
        }

        @Override
        public String toString() {
            String d = Durations.format(duration);
            return switch (kind) {
                case "ramp" -> "ramp:" + fmt(fromRate) + "-" + fmt(toRate) + ":" + d;
                case "pause" -> "pause:" + d;
                default -> kind + ":" + fmt(fromRate) + ":" + d;
            };
        }
    }

    private final List<Phase> phases;
    private final long[] phaseStartNanos;
    private final double[] phaseStartCount;
    private final long totalNanos;
    private final double totalCount;
    private final long total;

    public RateSchedule(List<Phase> phases) {
        if (phases.isEmpty()) {
            throw new IllegalArgumentException("a schedule needs at least one phase");
        }
        this.phases = List.copyOf(phases);
        this.phaseStartNanos = new long[phases.size() + 1];
        this.phaseStartCount = new double[phases.size() + 1];
        for (int k = 0; k < phases.size(); k++) {
            Phase p = phases.get(k);
            phaseStartNanos[k + 1] = phaseStartNanos[k] + p.duration().toNanos();
            phaseStartCount[k + 1] = phaseStartCount[k] + p.count(p.seconds());
        }
        this.totalNanos = phaseStartNanos[phases.size()];
        this.totalCount = phaseStartCount[phases.size()];
        this.total = (long) Math.ceil(totalCount - 1e-9);
    }

    /** A constant rate. */
    public static RateSchedule steady(double rate, Duration duration) {
        return new RateSchedule(List.of(new Phase("steady", rate, rate, duration)));
    }

    /**
     * Parses {@code steady:5000:30s,burst:50000:5s,ramp:1000-20000:30s,pause:2s}. Rates are
     * events per second.
     */
    public static RateSchedule parse(String spec) {
        List<Phase> out = new ArrayList<>();
        for (String part : spec.split(",")) {
            String[] f = part.trim().split(":");
            String kind = f[0].trim().toLowerCase(Locale.ROOT);
            try {
                switch (kind) {
                    case "steady", "burst" -> {
                        require(f.length == 3, part);
                        double r = Double.parseDouble(f[1].trim());
                        out.add(new Phase(kind, r, r, Durations.parse(f[2])));
                    }
                    case "ramp" -> {
                        require(f.length == 3, part);
                        String[] rates = f[1].split("-");
                        require(rates.length == 2, part);
                        out.add(new Phase(
                                kind,
                                Double.parseDouble(rates[0].trim()),
                                Double.parseDouble(rates[1].trim()),
                                Durations.parse(f[2])));
                    }
                    case "pause" -> {
                        require(f.length == 2, part);
                        out.add(new Phase(kind, 0, 0, Durations.parse(f[1])));
                    }
                    default ->
                        throw new IllegalArgumentException(
                                "unknown phase '" + kind + "' in '" + part
                                        + "' (use steady:RATE:DURATION, burst:RATE:DURATION, ramp:FROM-TO:DURATION, pause:DURATION)");
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a rate in '" + part + "'", e);
            }
        }
        return new RateSchedule(out);
    }

    private static void require(boolean ok, String part) {
        if (!ok) {
            throw new IllegalArgumentException("cannot read phase '" + part
                    + "' (use steady:RATE:DURATION, burst:RATE:DURATION, ramp:FROM-TO:DURATION, pause:DURATION)");
        }
    }

    /** This schedule preceded by a steady warmup at the first phase's starting rate (none for a zero duration). */
    public RateSchedule withWarmup(Duration warmup) {
        if (warmup.isZero()) {
            return this;
        }
        List<Phase> all = new ArrayList<>();
        double r = phases.get(0).fromRate();
        all.add(new Phase("warmup", r, r, warmup));
        all.addAll(phases);
        return new RateSchedule(all);
    }

    public List<Phase> phases() {
        return phases;
    }

    /** The number of events in the whole schedule. */
    public long total() {
        return total;
    }

    public long totalNanos() {
        return totalNanos;
    }

    /** Events due by {@code elapsedNanos} after the start: those whose intended time is ≤ it. */
    public long dueBy(long elapsedNanos) {
        if (elapsedNanos < 0) {
            return 0;
        }
        if (elapsedNanos >= totalNanos) {
            return total;
        }
        int k = phaseAt(elapsedNanos);
        Phase p = phases.get(k);
        double c = phaseStartCount[k] + p.count((elapsedNanos - phaseStartNanos[k]) / 1e9);
        long due = Math.min(total, (long) Math.floor(c) + 1);
        // Settle float rounding against timeOf itself, so "due" means exactly "timeOf(i) <= elapsed".
        while (due < total && timeOf(due) <= elapsedNanos) {
            due++;
        }
        while (due > 0 && timeOf(due - 1) > elapsedNanos) {
            due--;
        }
        return due;
    }

    /** Nanoseconds after the start at which event {@code i} is due. */
    public long timeOf(long i) {
        if (i <= 0) {
            return 0;
        }
        int k = 0;
        while (k < phases.size() - 1 && phaseStartCount[k + 1] <= i) {
            k++;
        }
        Phase p = phases.get(k);
        double n = Math.min(i - phaseStartCount[k], p.count(p.seconds()));
        // Rounded up to the nanosecond (ignoring float noise below a picosecond), so dueBy(timeOf(i)) > i.
        return phaseStartNanos[k] + (long) Math.ceil(p.timeOf(n) * 1e9 - 1e-3);
    }

    /** The mean rate of the events due in [fromNanos, totalNanos). */
    public double meanRate(long fromNanos) {
        double seconds = (totalNanos - fromNanos) / 1e9;
        return seconds <= 0 ? 0 : (total - dueBy(fromNanos - 1)) / seconds;
    }

    private int phaseAt(long elapsedNanos) {
        int k = 0;
        while (k < phases.size() - 1 && phaseStartNanos[k + 1] <= elapsedNanos) {
            k++;
        }
        return k;
    }

    static String fmt(double rate) {
        return rate == Math.rint(rate) ? Long.toString((long) rate) : Double.toString(rate);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Phase p : phases) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(p);
        }
        return sb.toString();
    }
}
