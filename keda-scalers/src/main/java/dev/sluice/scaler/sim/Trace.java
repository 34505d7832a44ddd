package dev.sluice.scaler.sim;

import dev.sluice.core.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * An arrival trace: how many events reach the topic in each simulation step (fractional counts: the queue is a
 * fluid model). Built-in shapes, or read from a CSV file.
 */
public final class Trace {

    private final String name;
    private final String description;
    private final long stepMillis;
    private final double[] perStep;

    Trace(String name, String description, long stepMillis, double[] perStep) {
        this.name = name;
        this.description = description;
        this.stepMillis = stepMillis;
        this.perStep = perStep;
    }

    public String name() {
        return name;
    }

    public String description() {
        return description;
    }

    public long stepMillis() {
        return stepMillis;
    }

    public int steps() {
        return perStep.length;
    }

    public long durationMillis() {
        return perStep.length * stepMillis;
    }

    /** Events arriving in step {@code i}; zero past the end. */
    public double arrivals(int i) {
        return i < perStep.length ? perStep[i] : 0;
    }

    public double totalEvents() {
        return Arrays.stream(perStep).sum();
    }

    /** A constant rate. */
    public static Trace steady(double rate, long durationMillis, long stepMillis) {
        double[] a = new double[(int) (durationMillis / stepMillis)];
        Arrays.fill(a, rate * stepMillis / 1000.0);
        return new Trace(
                "steady",
                String.format(Locale.ROOT, "%,.0f ev/s for %d s", rate, durationMillis / 1000),
                stepMillis,
                a);
    }

    /** The base rate, except {@code factor} times the base rate during {@code [start, start + length)}. */
    public static Trace burst(
            double base, double factor, long startMillis, long lengthMillis, long durationMillis, long stepMillis) {
        double[] a = new double[(int) (durationMillis / stepMillis)];
        for (int i = 0; i < a.length; i++) {
            long t = i * stepMillis;
            boolean inBurst = t >= startMillis && t < startMillis + lengthMillis;
            a[i] = (inBurst ? base * factor : base) * stepMillis / 1000.0;
        }
        return new Trace(
                "burst",
                String.format(
                        Locale.ROOT,
                        "%,.0f ev/s, %,.0f ev/s (%.0fx) from %d s for %d s, %d s in all",
                        base,
                        base * factor,
                        factor,
                        startMillis / 1000,
                        lengthMillis / 1000,
                        durationMillis / 1000),
                stepMillis,
                a);
    }

    /**
     * A day compressed into {@code dayMillis}: {@code peak * max(0, -cos(2 pi t / day))}, so the first and last
     * quarter (the night) have no traffic and the rate peaks at midday.
     */
    public static Trace diurnal(double peak, long dayMillis, long stepMillis) {
        double[] a = new double[(int) (dayMillis / stepMillis)];
        for (int i = 0; i < a.length; i++) {
            double mid = (i + 0.5) * stepMillis;
            a[i] = peak * Math.max(0, -Math.cos(2 * Math.PI * mid / dayMillis)) * stepMillis / 1000.0;
        }
        return new Trace(
                "diurnal",
                String.format(
                        Locale.ROOT,
                        "one day in %d s: no traffic at night (first and last quarter), %,.0f ev/s at midday",
                        dayMillis / 1000,
                        peak),
                stepMillis,
                a);
    }

    /**
     * Reads a trace file. Blank lines, lines starting with {@code #} and a non-numeric first line (a header) are
     * skipped. Two columns {@code second,rate}: from that second on, events arrive at that rate (events/s) until
     * the next row's second; the last row lasts one second, so one row per second just works. One column: one
     * event per line at that time in seconds (decimals allowed, any order).
     */
    public static Trace fromCsv(Path file, long stepMillis) throws IOException {
        List<double[]> rows = new ArrayList<>();
        int columns = -1;
        int lineNo = 0;
        for (String raw : Files.readAllLines(file)) {
            lineNo++;
            String line = raw.trim();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] cells = line.split("\\s*[,;\\t]\\s*");
            double[] row = new double[cells.length];
            try {
                for (int c = 0; c < cells.length; c++) {
                    row[c] = Double.parseDouble(cells[c]);
                }
            } catch (NumberFormatException e) {
                if (rows.isEmpty() && columns < 0) {
                    columns = 0; // a header line
                    continue;
                }
                throw new ConfigException(file + ":" + lineNo + ": not a number: " + line, e);
            }
            if (row.length > 2 || (columns > 0 && row.length != columns)) {
                throw new ConfigException(
                        file + ":" + lineNo + ": expected " + (columns > 0 ? columns : "1 or 2") + " columns: " + line);
            }
            columns = row.length;
            if (row[0] < 0 || (row.length == 2 && row[1] < 0)) {
                throw new ConfigException(file + ":" + lineNo + ": negative value: " + line);
            }
            rows.add(row);
        }
        if (rows.isEmpty()) {
            throw new ConfigException(file + ": no data rows");
        }
        String name = file.getFileName().toString().replaceFirst("\\.[A-Za-z]+$", "");
        return columns == 2 ? fromRates(name, rows, stepMillis, file) : fromTimestamps(name, rows, stepMillis);
    }

    private static Trace fromRates(String name, List<double[]> rows, long stepMillis, Path file) {
        for (int i = 1; i < rows.size(); i++) {
            if (rows.get(i)[0] <= rows.get(i - 1)[0]) {
                throw new ConfigException(file + ": seconds must increase (row " + (i + 1) + ")");
            }
        }
        double end = rows.get(rows.size() - 1)[0] + 1;
        double[] a = new double[(int) Math.ceil(end * 1000 / stepMillis)];
        int r = 0;
        for (int i = 0; i < a.length; i++) {
            double t = i * stepMillis / 1000.0;
            while (r + 1 < rows.size() && rows.get(r + 1)[0] <= t) {
                r++;
            }
            a[i] = t < rows.get(0)[0] ? 0 : rows.get(r)[1] * stepMillis / 1000.0;
        }
        return new Trace(name, String.format(Locale.ROOT, "%d rate rows, %.0f s", rows.size(), end), stepMillis, a);
    }

    private static Trace fromTimestamps(String name, List<double[]> rows, long stepMillis) {
        double last = rows.stream().mapToDouble(r -> r[0]).max().orElse(0);
        double[] a = new double[(int) Math.ceil((last + 1) * 1000 / stepMillis)];
        for (double[] row : rows) {
            a[(int) Math.floor(row[0] * 1000 / stepMillis)] += 1;
        }
        return new Trace(
                name,
                String.format(Locale.ROOT, "%,d event timestamps over %.0f s", rows.size(), last + 1),
                stepMillis,
                a);
    }
}
