package dev.sluice.loadgen;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code compare A B}: two runs' summaries side by side, with the change from A to B. */
public final class Compare {

    private Compare() {
    }

    public static String table(RunSummary a, RunSummary b) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"", "A", "B", "delta", "delta %"});
        rows.add(new String[] {"mode", str(a.settings().get("mode")), str(b.settings().get("mode")), "", ""});
        rows.add(new String[] {"schedule", str(a.settings().get("schedule")), str(b.settings().get("schedule")), "", ""});
        num(rows, "rate asked /s", a.rateAsked(), b.rateAsked());
        num(rows, "rate achieved /s", a.rateAchieved(), b.rateAchieved());
        num(rows, "sent", a.counts().sent(), b.counts().sent());
        num(rows, "acked", a.counts().acked(), b.counts().acked());
        num(rows, "errors", a.counts().errors(), b.counts().errors());
        for (String name : List.of(RunSummary.ACK, RunSummary.SERVICE, RunSummary.SEND_LAG, RunSummary.INGEST_TO_START,
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
            num(rows, "dead-lettered", a.accounting().deadLettered(), b.accounting().deadLettered());
            num(rows, "unaccounted", a.accounting().unaccounted(), b.accounting().unaccounted());
            num(rows, "late starts", a.accounting().lateStarts(), b.accounting().lateStarts());
        }
        num(rows, "generator cpu µs/event", a.cpu().generatorMicrosPerEvent(), b.cpu().generatorMicrosPerEvent());
        for (Map.Entry<String, Double> e : a.cpu().microsPerEvent().entrySet()) {
            num(rows, e.getKey() + " cpu µs/event", e.getValue(), b.cpu().microsPerEvent().getOrDefault(e.getKey(), Double.NaN));
        }
        int[] w = new int[5];
        for (String[] r : rows) {
            for (int i = 0; i < 5; i++) {
                w[i] = Math.max(w[i], r[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String[] r : rows) {
            sb.append(String.format(Locale.ROOT, "%-" + w[0] + "s  %" + w[1] + "s  %" + w[2] + "s  %" + w[3] + "s  %" + w[4] + "s%n",
                    (Object[]) r));
        }
        return sb.toString();
    }

    private static void num(List<String[]> rows, String name, double a, double b) {
        String delta = Double.isNaN(a) || Double.isNaN(b) ? "" : fmt(b - a, true);
        String pct = Double.isNaN(a) || Double.isNaN(b) || a == 0 ? "" : String.format(Locale.ROOT, "%+.1f%%", (b - a) / a * 100);
        rows.add(new String[] {name, fmt(a, false), fmt(b, false), delta, pct});
    }

    private static String fmt(double v, boolean signed) {
        if (Double.isNaN(v)) {
            return "-";
        }
        String f = v == Math.rint(v) && Math.abs(v) < 1e15 ? "%" + (signed ? "+" : "") + ".0f" : "%" + (signed ? "+" : "") + ".2f";
        return String.format(Locale.ROOT, f, v);
    }

    private static String str(Object o) {
        return o == null ? "-" : o.toString();
    }
}
