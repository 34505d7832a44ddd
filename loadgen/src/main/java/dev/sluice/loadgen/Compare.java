package dev.sluice.loadgen;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code compare A B}: two runs' summaries side by side, with the change from A to B. */
public final class Compare {

    private Compare() {}

    /** Two run directories (or summary files): their summaries, and their interval logs where both have one. */
    public static String table(Path a, Path b) {
        return table(RunSummary.read(a), RunSummary.read(b), intervals(a), intervals(b));
    }

    private static Map<String, List<Double>> intervals(Path fileOrDir) {
        Path dir = Files.isDirectory(fileOrDir)
                ? fileOrDir
                : fileOrDir.toAbsolutePath().getParent();
        Path log = dir.resolve(IntervalLog.FILE);
        return Files.isRegularFile(log) ? IntervalLog.p99s(log) : Map.of();
    }

    public static String table(RunSummary a, RunSummary b) {
        return table(a, b, Map.of(), Map.of());
    }

    /** With interval logs: each latency's p99 in its worst second and in its median second, from {@code latency.hlog}. */
    static String table(RunSummary a, RunSummary b, Map<String, List<Double>> logA, Map<String, List<Double>> logB) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"", "A", "B", "delta", "delta %"});
        rows.add(new String[] {
            "mode", str(a.settings().get("mode")), str(b.settings().get("mode")), "", ""
        });
        rows.add(new String[] {
            "schedule", str(a.settings().get("schedule")), str(b.settings().get("schedule")), "", ""
        });
        rows.add(new String[] {
            "protocol", str(a.settings().get("protocol")), str(b.settings().get("protocol")), "", ""
        });
        num(rows, "rate asked /s", a.rateAsked(), b.rateAsked());
        num(rows, "rate achieved /s", a.rateAchieved(), b.rateAchieved());
        num(rows, "sent", a.counts().sent(), b.counts().sent());
        num(rows, "acked", a.counts().acked(), b.counts().acked());
        num(rows, "errors", a.counts().errors(), b.counts().errors());
        for (String name : List.of(
                RunSummary.ACK,
                RunSummary.SERVICE,
                RunSummary.SEND_LAG,
                RunSummary.INGEST_TO_START,
                RunSummary.INGEST_TO_END)) {
            Percentiles pa = a.latency(name);
            Percentiles pb = b.latency(name);
            if (pa.count() == 0 && pb.count() == 0) {
                continue;
            }
            num(rows, name + " p50 ms", pa.p50(), pb.p50());
            num(rows, name + " p90 ms", pa.p90(), pb.p90());
            num(rows, name + " p99 ms", pa.p99(), pb.p99());
            num(rows, name + " p99.9 ms", pa.p999(), pb.p999());
            num(rows, name + " p99.99 ms", pa.p9999(), pb.p9999());
            num(rows, name + " max ms", pa.max(), pb.max());
        }
        if (a.e2e() || b.e2e()) {
            num(rows, "accepted", a.accounting().accepted(), b.accounting().accepted());
            num(rows, "executed", a.accounting().executed(), b.accounting().executed());
            num(rows, "expired", a.accounting().expired(), b.accounting().expired());
            num(
                    rows,
                    "dead-lettered",
                    a.accounting().deadLettered(),
                    b.accounting().deadLettered());
            num(
                    rows,
                    "unaccounted",
                    a.accounting().unaccounted(),
                    b.accounting().unaccounted());
            num(rows, "late starts", a.accounting().lateStarts(), b.accounting().lateStarts());
        }
        for (String tag : List.of(IntervalLog.ACK, IntervalLog.INGEST_TO_START)) {
            List<Double> sa = logA.get(tag);
            List<Double> sb = logB.get(tag);
            if (sa != null && sb != null && !sa.isEmpty() && !sb.isEmpty()) {
                num(rows, tag + " p99 of the worst second ms", worst(sa), worst(sb));
                num(rows, tag + " p99 of the median second ms", median(sa), median(sb));
            }
        }
        num(
                rows,
                "generator cpu µs/event",
                a.cpu().generatorMicrosPerEvent(),
                b.cpu().generatorMicrosPerEvent());
        for (Map.Entry<String, Double> e : a.cpu().microsPerEvent().entrySet()) {
            num(
                    rows,
                    e.getKey() + " cpu µs/event",
                    e.getValue(),
                    b.cpu().microsPerEvent().getOrDefault(e.getKey(), Double.NaN));
        }
        int[] w = new int[5];
        for (String[] r : rows) {
            for (int i = 0; i < 5; i++) {
                w[i] = Math.max(w[i], r[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String[] r : rows) {
            sb.append(String.format(
                    Locale.ROOT,
                    "%-" + w[0] + "s  %" + w[1] + "s  %" + w[2] + "s  %" + w[3] + "s  %" + w[4] + "s%n",
                    (Object[]) r));
        }
        return sb.toString();
    }

    private static double worst(List<Double> seconds) {
        return seconds.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    private static double median(List<Double> seconds) {
        double[] sorted =
                seconds.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return sorted[sorted.length / 2];
    }

    private static void num(List<String[]> rows, String name, double a, double b) {
        String delta = Double.isNaN(a) || Double.isNaN(b) ? "" : fmt(b - a, true);
        String pct = Double.isNaN(a) || Double.isNaN(b) || a == 0
                ? ""
                : String.format(Locale.ROOT, "%+.1f%%", (b - a) / a * 100);
        rows.add(new String[] {name, fmt(a, false), fmt(b, false), delta, pct});
    }

    private static String fmt(double v, boolean signed) {
        if (Double.isNaN(v)) {
            return "-";
        }
        String f = v == Math.rint(v) && Math.abs(v) < 1e15
                ? "%" + (signed ? "+" : "") + ".0f"
                : "%" + (signed ? "+" : "") + ".2f";
        return String.format(Locale.ROOT, f, v);
    }

    private static String str(Object o) {
        return o == null ? "-" : o.toString();
    }
}
