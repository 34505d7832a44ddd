package dev.sluice.scaler.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntToDoubleFunction;

/**
 * Draws one trace's runs as an SVG: arrivals, backlog (live plus expired still in the topic) and replicas over
 * time, in three panels sharing the time axis. One line per run: colour by policy, dashed for min replicas 0.
 */
final class SvgPlot {

    private static final String[] COLOURS = {"#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"};
    private static final int WIDTH = 1100;
    private static final int LEFT = 80;
    private static final int RIGHT = 250;
    private static final int PANEL = 200;
    private static final int GAP = 50;
    private static final int TOP = 50;

    private SvgPlot() {
    }

    static String render(Trace trace, List<RunResult> runs) {
        List<String> policies = new ArrayList<>();
        for (RunResult r : runs) {
            if (!policies.contains(r.policy())) {
                policies.add(r.policy());
            }
        }
        int seconds = runs.get(0).timeline().arrivals().length;
        int height = TOP + 3 * PANEL + 3 * GAP + 10;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">%n",
                WIDTH, height));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" font-size=\"15\">%s</text>%n", LEFT,
                escape("trace " + trace.name() + ": " + trace.description())));

        RunResult.Timeline first = runs.get(0).timeline();
        int y0 = TOP;
        panel(svg, "arrivals (events/s)", y0, seconds, List.of(s -> first.arrivals()[s]), List.of("#555555"),
                List.of(false));
        List<IntToDoubleFunction> backlog = new ArrayList<>();
        List<IntToDoubleFunction> replicas = new ArrayList<>();
        List<String> colours = new ArrayList<>();
        List<Boolean> dashed = new ArrayList<>();
        for (RunResult r : runs) {
            RunResult.Timeline t = r.timeline();
            backlog.add(s -> t.live()[s] + t.expiredInTopic()[s]);
            replicas.add(s -> t.replicas()[s]);
            colours.add(COLOURS[policies.indexOf(r.policy()) % COLOURS.length]);
            dashed.add(r.minReplicas() == 0);
        }
        panel(svg, "backlog: unconsumed events, live + expired", y0 + PANEL + GAP, seconds, backlog, colours, dashed);
        panel(svg, "replicas (pods, ready or starting)", y0 + 2 * (PANEL + GAP), seconds, replicas, colours, dashed);

        int lx = WIDTH - RIGHT + 20;
        int ly = TOP + PANEL + GAP;
        for (int i = 0; i < runs.size(); i++) {
            int y = ly + i * 20;
            svg.append(String.format(Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"%s/>%n",
                    lx, y, lx + 30, y, colours.get(i), dashed.get(i) ? " stroke-dasharray=\"6,3\"" : ""));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", lx + 36, y + 4,
                    escape(runs.get(i).label())));
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    private static void panel(StringBuilder svg, String title, int top, int seconds, List<IntToDoubleFunction> series,
                              List<String> colours, List<Boolean> dashed) {
        double max = 0;
        for (IntToDoubleFunction f : series) {
            for (int s = 0; s < seconds; s++) {
                max = Math.max(max, f.applyAsDouble(s));
            }
        }
        double tick = niceStep(max / 4);
        double yMax = Math.max(tick, Math.ceil(max / tick) * tick);
        int plotWidth = WIDTH - LEFT - RIGHT;
        int bottom = top + PANEL;
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">%s</text>%n", LEFT,
                top - 8, escape(title)));
        svg.append(String.format(Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999999\"/>%n",
                LEFT, top, plotWidth, PANEL));
        for (double v = 0; v <= yMax + tick / 2; v += tick) {
            double y = bottom - v / yMax * PANEL;
            svg.append(String.format(Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eeeeee\"/>"
                            + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                    LEFT, y, LEFT + plotWidth, y, LEFT - 6, y + 4, label(v)));
        }
        double xTick = niceStep(seconds / 8.0);
        for (double t = 0; t <= seconds; t += xTick) {
            double x = LEFT + t / seconds * plotWidth;
            svg.append(String.format(Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#999999\"/>"
                            + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s s</text>%n",
                    x, bottom, x, bottom + 4, x, bottom + 17, label(t)));
        }
        for (int i = 0; i < series.size(); i++) {
            StringBuilder points = new StringBuilder();
            for (int s = 0; s < seconds; s++) {
                double x = LEFT + (double) s / seconds * plotWidth;
                double y = bottom - series.get(i).applyAsDouble(s) / yMax * PANEL;
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            }
            svg.append(String.format(Locale.ROOT,
                    "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\"%s points=\"%s\"/>%n",
                    colours.get(i), dashed.get(i) ? " stroke-dasharray=\"6,3\"" : "", points.toString().trim()));
        }
    }

    /** 1, 2 or 5 times a power of ten, at least {@code raw}. */
    static double niceStep(double raw) {
        if (raw <= 0) {
            return 1;
        }
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * magnitude >= raw) {
                return m * magnitude;
            }
        }
        return 10 * magnitude;
    }

    private static String label(double v) {
        if (v >= 1_000_000) {
            return String.format(Locale.ROOT, "%.1fM", v / 1_000_000);
        }
        if (v >= 10_000) {
            return String.format(Locale.ROOT, "%.0fk", v / 1000);
        }
        return v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
