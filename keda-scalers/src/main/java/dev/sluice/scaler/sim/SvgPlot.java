package dev.sluice.scaler.sim;

import dev.sluice.core.chart.SvgChart;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntToDoubleFunction;

/**
 * Draws one trace's runs as an SVG: arrivals, backlog (live plus expired still in the topic) and replicas over
 * time, in three charts sharing the time axis. One line per run: colour by policy, dashed for min replicas 0.
 */
final class SvgPlot {

    private static final String[] COLOURS = {"#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"};
    private static final int WIDTH = 1100;
    private static final int PANEL_HEIGHT = 280;

    private SvgPlot() {}

    static String render(Trace trace, List<RunResult> runs) {
        List<String> policies = new ArrayList<>();
        for (RunResult r : runs) {
            if (!policies.contains(r.policy())) {
                policies.add(r.policy());
            }
        }
        int seconds = runs.get(0).timeline().arrivals().length;
        List<SvgChart.Tick> ticks = SvgChart.ticks(seconds, t -> String.format(Locale.ROOT, "%.0f s", t));

        RunResult.Timeline first = runs.get(0).timeline();
        List<SvgChart.Series> backlog = new ArrayList<>();
        List<SvgChart.Series> replicas = new ArrayList<>();
        for (RunResult r : runs) {
            RunResult.Timeline t = r.timeline();
            String colour = COLOURS[policies.indexOf(r.policy()) % COLOURS.length];
            boolean dashed = r.minReplicas() == 0;
            backlog.add(series(r.label(), colour, dashed, seconds, s -> t.live()[s] + t.expiredInTopic()[s]));
            replicas.add(series(r.label(), colour, dashed, seconds, s -> t.replicas()[s]));
        }
        return SvgChart.stack(
                "trace " + trace.name() + ": " + trace.description(),
                List.of(
                        panel(
                                "arrivals (events/s)",
                                "events per second",
                                seconds,
                                ticks,
                                List.of(series("arrivals", "#555555", false, seconds, s -> first.arrivals()[s]))),
                        panel("backlog: unconsumed events, live + expired", "events", seconds, ticks, backlog),
                        panel("replicas (pods, ready or starting)", "pods", seconds, ticks, replicas)));
    }

    /** One chart of the stack, its y axis sized to the largest value it shows. */
    private static SvgChart panel(
            String title, String yLabel, int seconds, List<SvgChart.Tick> ticks, List<SvgChart.Series> series) {
        SvgChart c = new SvgChart(title, "seconds since the trace began", yLabel)
                .size(WIDTH, PANEL_HEIGHT)
                .x(0, seconds, ticks);
        double max = 0;
        for (SvgChart.Series s : series) {
            c.add(s);
            for (double[] p : s.points()) {
                max = Math.max(max, p[1]);
            }
        }
        return c.yMax(max);
    }

    /** One value per second of the trace. */
    private static SvgChart.Series series(
            String name, String colour, boolean dashed, int seconds, IntToDoubleFunction value) {
        List<double[]> points = new ArrayList<>(seconds);
        for (int s = 0; s < seconds; s++) {
            points.add(new double[] {s, value.applyAsDouble(s)});
        }
        return new SvgChart.Series(name, colour, dashed, points);
    }
}
