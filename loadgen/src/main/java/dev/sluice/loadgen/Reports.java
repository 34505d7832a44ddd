package dev.sluice.loadgen;

import dev.sluice.core.chart.SvgChart;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * Writes a run's report directory: {@code ack.hgrm}, {@code service.hgrm},
 * {@code send-lag.hgrm}, {@code ingest-to-start.hgrm} (end to end), the per-second interval log
 * {@code latency.hlog}, {@code summary.json}, {@code timeline.csv} and {@code report.html}; and the
 * short text summary for stdout.
 */
public final class Reports {

    private Reports() {}

    public static void write(Generator.RunResult r, Path dir) {
        try {
            Files.createDirectories(dir);
            Timeline t = r.timeline();
            Histograms.writeHgrm(t.ack, dir.resolve("ack.hgrm"));
            Histograms.writeHgrm(t.service, dir.resolve("service.hgrm"));
            Histograms.writeHgrm(t.sendLag, dir.resolve("send-lag.hgrm"));
            if (r.summary().e2e()) {
                Histograms.writeHgrm(t.ingestToStart, dir.resolve("ingest-to-start.hgrm"));
                Histograms.writeHgrm(t.ingestToEnd, dir.resolve("ingest-to-end.hgrm"));
            }
            t.log().writeTo(dir.resolve(IntervalLog.FILE));
            Files.writeString(
                    dir.resolve("summary.json"), r.summary().toJson().encodePrettily() + "\n", StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("timeline.csv"), csv(t.rows()), StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("report.html"), html(r), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report to " + dir, e);
        }
    }

    static String csv(List<Timeline.Row> rows) {
        StringBuilder sb = new StringBuilder("second,sent,acked,errors,arrivals,ack_p99_ms,e2e_p99_ms\n");
        for (Timeline.Row row : rows) {
            sb.append(String.format(
                    Locale.ROOT,
                    "%.1f,%d,%d,%d,%d,%s,%s%n",
                    row.second(),
                    row.sent(),
                    row.acked(),
                    row.errors(),
                    row.arrivals(),
                    num(row.ackP99Ms()),
                    num(row.e2eP99Ms())));
        }
        return sb.toString();
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.3f", v);
    }

    /** The text printed at the end of a run. */
    public static String text(RunSummary s) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(
                Locale.ROOT,
                "%s  %s  asked %.0f/s  achieved %.0f/s  over %.0f s (+%.0f s warmup)%n",
                s.settings().get("mode"),
                s.settings().get("schedule"),
                s.rateAsked(),
                s.rateAchieved(),
                s.measuredSeconds(),
                s.warmupSeconds()));
        sb.append(String.format(
                Locale.ROOT,
                "  sent %d  acked %d  errors %d %s%n",
                s.counts().sent(),
                s.counts().acked(),
                s.counts().errors(),
                s.errors().isEmpty() ? "" : s.errors()));
        for (Map.Entry<String, Percentiles> e : s.latencyMs().entrySet()) {
            sb.append(String.format(
                    Locale.ROOT, "  %-14s %s%n", e.getKey(), e.getValue().line()));
        }
        if (s.e2e()) {
            RunSummary.Accounting a = s.accounting();
            sb.append(String.format(
                    Locale.ROOT,
                    "  accepted %d  executed %d  expired %d  dead-lettered %d  unaccounted %d  late starts %d"
                            + "  duplicates %d%s%s%n",
                    a.accepted(),
                    a.executed(),
                    a.expired(),
                    a.deadLettered(),
                    a.unaccounted(),
                    a.lateStarts(),
                    a.duplicates(),
                    a.metricsAvailable() ? "" : "  (executor metrics unavailable)",
                    a.drained()
                            ? ""
                            : String.format(
                                    Locale.ROOT,
                                    "  (stopped waiting after %.0f s: the executor was still behind)",
                                    a.drainSeconds())));
        }
        RunSummary.Cpu c = s.cpu();
        sb.append(String.format(
                Locale.ROOT,
                "  cpu: generator %.2f s (%.1f µs/event)",
                c.generatorSeconds(),
                c.generatorMicrosPerEvent()));
        c.processSeconds()
                .forEach((k, v) -> sb.append(String.format(
                        Locale.ROOT,
                        "; %s %.2f s (%.1f µs/event)",
                        k,
                        v,
                        c.microsPerEvent().getOrDefault(k, 0.0))));
        sb.append('\n');
        return sb.toString();
    }

    static String html(Generator.RunResult r) {
        RunSummary s = r.summary();
        Timeline t = r.timeline();
        StringBuilder sb = new StringBuilder();
        sb.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Sluice benchmark ")
                .append(SvgChart.esc(s.startedAt()))
                .append("</title></head>\n<body style=\"font-family:sans-serif;max-width:800px;margin:1em auto\">\n");
        sb.append("<h1 style=\"font-size:1.3em\">Sluice load run, ")
                .append(SvgChart.esc(s.startedAt()))
                .append("</h1>\n");
        sb.append("<pre style=\"background:#f6f6f6;padding:8px;white-space:pre-wrap\">")
                .append(SvgChart.esc(text(s)))
                .append("</pre>\n");
        sb.append(
                "<p>Latency is recorded from each event's <em>intended</em> send time (open loop), so queueing in the "
                        + "generator or the router counts. The x axis of the percentile charts stretches the tail: each grid line is "
                        + "one more nine.</p>\n");
        Map<String, Histogram> ackPair = new LinkedHashMap<>();
        ackPair.put("ack (from intended send)", t.ack);
        ackPair.put("service time (from actual send: what a closed-loop tool reports)", t.service);
        sb.append(percentileChart("Router ack latency by percentile", ackPair, -1, null));
        if (s.e2e()) {
            Map<String, Histogram> e2e = new LinkedHashMap<>();
            e2e.put("ingest → start", t.ingestToStart);
            e2e.put("ingest → end", t.ingestToEnd);
            sb.append(percentileChart("Ingest → execution start by percentile", e2e, 2000, "budget 2 s"));
        }
        sb.append(percentileChart(
                "Generator send lag by percentile (actual − intended send)", Map.of("send lag", t.sendLag), -1, null));
        sb.append(timelineCharts(t.rows(), s.e2e()));
        sb.append("<h2 style=\"font-size:1.1em\">Settings</h2><pre>")
                .append(SvgChart.esc(s.toJson().getJsonObject("settings").encodePrettily()))
                .append("</pre>\n");
        sb.append("</body></html>\n");
        return sb.toString();
    }

    private static final String[] COLORS = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd"};

    static String percentileChart(String title, Map<String, Histogram> histos, double budgetMs, String budgetLabel) {
        long n = histos.values().stream()
                .mapToLong(Histogram::getTotalCount)
                .max()
                .orElse(0);
        if (n == 0) {
            return "<p>" + SvgChart.esc(title) + ": no samples.</p>\n";
        }
        double xMax = Math.max(2, Math.ceil(Math.log10(n)));
        List<SvgChart.Tick> ticks = new ArrayList<>();
        String[] labels = {"0%", "90%", "99%", "99.9%", "99.99%", "99.999%", "99.9999%", "99.99999%"};
        for (int i = 0; i <= xMax && i < labels.length; i++) {
            ticks.add(new SvgChart.Tick(i, labels[i]));
        }
        SvgChart c = new SvgChart(title, "percentile (log scale of 1/(1−p))", "milliseconds").x(0, xMax, ticks);
        double yMax = 0;
        int k = 0;
        for (Map.Entry<String, Histogram> e : histos.entrySet()) {
            Histogram h = e.getValue();
            if (h.getTotalCount() == 0) {
                continue;
            }
            List<double[]> pts = new ArrayList<>();
            for (HistogramIterationValue v : h.percentiles(5)) {
                double p = v.getPercentileLevelIteratedTo() / 100.0;
                double x = p >= 1 ? xMax : Math.min(xMax, Math.log10(1 / (1 - p)));
                pts.add(new double[] {x, v.getValueIteratedTo() / Histograms.MICROS_PER_MS});
            }
            yMax = Math.max(yMax, h.getMaxValue() / Histograms.MICROS_PER_MS);
            c.add(new SvgChart.Series(e.getKey(), COLORS[k % COLORS.length], k > 0, pts));
            k++;
        }
        c.yMax(yMax * 1.05);
        if (budgetMs > 0) {
            c.hLine(budgetMs, budgetLabel);
        }
        return c.render();
    }

    static String timelineCharts(List<Timeline.Row> rows, boolean e2e) {
        if (rows.isEmpty()) {
            return "";
        }
        double end = rows.get(rows.size() - 1).second();
        List<SvgChart.Tick> ticks = SvgChart.ticks(end, x -> String.format(Locale.ROOT, "%.0f", x));
        List<double[]> sent = new ArrayList<>();
        List<double[]> acked = new ArrayList<>();
        List<double[]> errors = new ArrayList<>();
        List<double[]> arrivals = new ArrayList<>();
        List<double[]> ackP99 = new ArrayList<>();
        List<double[]> e2eP99 = new ArrayList<>();
        double maxRate = 1;
        double maxLat = 0.001;
        double prev = 0;
        for (Timeline.Row r : rows) {
            double width = Math.max(0.1, r.second() - prev);
            prev = r.second();
            sent.add(new double[] {r.second(), r.sent() / width});
            acked.add(new double[] {r.second(), r.acked() / width});
            errors.add(new double[] {r.second(), r.errors() / width});
            arrivals.add(new double[] {r.second(), r.arrivals() / width});
            maxRate = Math.max(maxRate, Math.max(r.sent(), Math.max(r.acked(), r.arrivals())) / width);
            ackP99.add(new double[] {r.second(), r.ackP99Ms()});
            e2eP99.add(new double[] {r.second(), r.e2eP99Ms()});
            if (!Double.isNaN(r.ackP99Ms())) {
                maxLat = Math.max(maxLat, r.ackP99Ms());
            }
            if (!Double.isNaN(r.e2eP99Ms())) {
                maxLat = Math.max(maxLat, r.e2eP99Ms());
            }
        }
        SvgChart tp = new SvgChart("Throughput per second", "seconds since start", "events per second")
                .x(0, end, ticks)
                .yMax(maxRate * 1.05);
        tp.add(new SvgChart.Series("sent", COLORS[0], false, sent));
        tp.add(new SvgChart.Series("acked", COLORS[2], false, acked));
        if (e2e) {
            tp.add(new SvgChart.Series("executed (arrived)", COLORS[1], true, arrivals));
        }
        tp.add(new SvgChart.Series("errors", COLORS[3], false, errors));
        SvgChart lat = new SvgChart("p99 latency per second", "seconds since start", "milliseconds")
                .x(0, end, ticks)
                .yMax(maxLat * 1.05);
        lat.add(new SvgChart.Series("ack p99", COLORS[0], false, ackP99));
        if (e2e) {
            lat.add(new SvgChart.Series("ingest → start p99", COLORS[1], true, e2eP99));
        }
        return tp.render() + lat.render();
    }
}
