package dev.sluice.scaler.sim;

import java.util.List;
import java.util.Locale;

/** Formats results: a text or Markdown table per trace, and the per-second timelines as CSV. */
final class Report {

    private Report() {}

    static String text(Trace trace, List<RunResult> runs) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(
                Locale.ROOT, "trace %s: %s; %,.0f events%n", trace.name(), trace.description(), trace.totalEvents()));
        b.append(String.format(
                Locale.ROOT,
                "%-20s %3s %12s %9s %9s %11s %5s%n",
                "policy",
                "min",
                "within 2 s",
                "late",
                "expired",
                "replica-s",
                "peak"));
        return rows(b, runs, "%-20s %3d %10.2f %% %7.2f %% %7.2f %% %,11.0f %5d%n");
    }

    static String markdown(Trace trace, List<RunResult> runs) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(
                Locale.ROOT,
                "trace `%s`: %s; %,.0f events%n%n",
                trace.name(),
                trace.description(),
                trace.totalEvents()));
        b.append(
                "| policy | min replicas | started within budget | started late | expired | replica-seconds | peak replicas |\n");
        b.append("|---|---:|---:|---:|---:|---:|---:|\n");
        return rows(b, runs, "| %s | %d | %.2f %% | %.2f %% | %.2f %% | %,.0f | %d |%n");
    }

    /**
     * One row per run in {@code format}, which takes the columns in table order: policy, min
     * replicas, on-time %, late %, expired %, replica-seconds, peak replicas.
     */
    private static String rows(StringBuilder b, List<RunResult> runs, String format) {
        for (RunResult r : runs) {
            b.append(String.format(
                    Locale.ROOT,
                    format,
                    r.policy(),
                    r.minReplicas(),
                    100 * r.onTimeShare(),
                    100 * r.lateShare(),
                    100 * r.expiredShare(),
                    r.replicaSeconds(),
                    r.peakReplicas()));
        }
        return b.toString();
    }

    static String csv(List<RunResult> runs) {
        StringBuilder b = new StringBuilder("second,arrivals");
        for (RunResult r : runs) {
            String p = r.policy().replaceAll("[^A-Za-z0-9]+", "_") + "_min" + r.minReplicas();
            b.append(',')
                    .append(p)
                    .append("_live,")
                    .append(p)
                    .append("_expired_in_topic,")
                    .append(p)
                    .append("_replicas,")
                    .append(p)
                    .append("_ready");
        }
        b.append('\n');
        int seconds = runs.get(0).timeline().arrivals().length;
        for (int s = 0; s < seconds; s++) {
            b.append(s)
                    .append(',')
                    .append(String.format(
                            Locale.ROOT, "%.1f", runs.get(0).timeline().arrivals()[s]));
            for (RunResult r : runs) {
                RunResult.Timeline t = r.timeline();
                b.append(String.format(
                        Locale.ROOT,
                        ",%.1f,%.1f,%d,%d",
                        t.live()[s],
                        t.expiredInTopic()[s],
                        t.replicas()[s],
                        t.ready()[s]));
            }
            b.append('\n');
        }
        return b.toString();
    }
}
