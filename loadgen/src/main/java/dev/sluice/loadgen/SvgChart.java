package dev.sluice.loadgen;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A line chart as inline SVG: no script, no external style, readable in any browser or in a diff. */
final class SvgChart {

    /** A polyline. */
    record Series(String name, String color, boolean dashed, List<double[]> points) {
    }

    /** A tick on an axis: where, and its label. */
    record Tick(double at, String label) {
    }

    private static final int W = 760;
    private static final int H = 340;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 34;
    private static final int BOTTOM = 48;

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final List<Series> series = new ArrayList<>();
    private final List<double[]> hLines = new ArrayList<>();
    private final List<String> hLineLabels = new ArrayList<>();
    private double xMin;
    private double xMax = 1;
    private double yMax = 1;
    private List<Tick> xTicks;

    SvgChart(String title, String xLabel, String yLabel) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    SvgChart x(double min, double max, List<Tick> ticks) {
        this.xMin = min;
        this.xMax = max > min ? max : min + 1;
        this.xTicks = ticks;
        return this;
    }

    SvgChart yMax(double max) {
        this.yMax = max > 0 ? max : 1;
        return this;
    }

    SvgChart add(Series s) {
        series.add(s);
        return this;
    }

    SvgChart hLine(double y, String label) {
        hLines.add(new double[] {y});
        hLineLabels.add(label);
        return this;
    }

    private double px(double x) {
        return LEFT + (x - xMin) / (xMax - xMin) * (W - LEFT - RIGHT);
    }

    private double py(double y) {
        return H - BOTTOM - Math.min(y, yMax) / yMax * (H - TOP - BOTTOM);
    }

    String render() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
                + " font-family=\"sans-serif\" font-size=\"11\">%n", W, H, W, H));
        sb.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>%n", W, H));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"18\" font-size=\"13\" font-weight=\"bold\">%s</text>%n", LEFT,
                esc(title)));
        double niceMax = nice(yMax);
        yMax = niceMax;
        for (int i = 0; i <= 5; i++) {
            double v = niceMax * i / 5;
            double y = py(v);
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#e5e5e5\"/>%n", LEFT, W - RIGHT, y,
                    y));
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", LEFT - 6, y + 4,
                    label(v)));
        }
        for (Tick t : xTicks) {
            double x = px(t.at());
            sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"#e5e5e5\"/>%n", x, x, TOP,
                    H - BOTTOM));
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", x, H - BOTTOM + 16,
                    esc(t.label())));
        }
        sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"#333\"/>%n", LEFT, W - RIGHT,
                H - BOTTOM, H - BOTTOM));
        sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"#333\"/>%n", LEFT, LEFT, TOP,
                H - BOTTOM));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", (LEFT + W - RIGHT) / 2,
                H - 10, esc(xLabel)));
        sb.append(String.format(Locale.ROOT, "<text x=\"14\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 14 %d)\">%s</text>%n",
                (TOP + H - BOTTOM) / 2, (TOP + H - BOTTOM) / 2, esc(yLabel)));
        for (int i = 0; i < hLines.size(); i++) {
            double v = hLines.get(i)[0];
            if (v > yMax) {
                sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" fill=\"#c00\">%s (off scale)</text>%n",
                        W - RIGHT, TOP - 4, esc(hLineLabels.get(i))));
                continue;
            }
            double y = py(v);
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#c00\" stroke-dasharray=\"6 3\"/>%n",
                    LEFT, W - RIGHT, y, y));
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" fill=\"#c00\">%s</text>%n", W - RIGHT - 4,
                    y - 4, esc(hLineLabels.get(i))));
        }
        int legendX = LEFT + 10;
        for (Series s : series) {
            StringBuilder pts = new StringBuilder();
            for (double[] p : s.points()) {
                if (Double.isNaN(p[1]) || Double.isNaN(p[0])) {
                    continue;
                }
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", px(Math.min(Math.max(p[0], xMin), xMax)), py(p[1])));
            }
            sb.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\"%s points=\"%s\"/>%n", s.color(),
                    s.dashed() ? " stroke-dasharray=\"5 3\"" : "", pts.toString().trim()));
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"%s/>%n", legendX,
                    legendX + 18, TOP + 8, TOP + 8, s.color(), s.dashed() ? " stroke-dasharray=\"5 3\"" : ""));
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", legendX + 22, TOP + 12, esc(s.name())));
            legendX += 30 + s.name().length() * 6;
        }
        sb.append("</svg>\n");
        return sb.toString();
    }

    /** 1, 2 or 5 times a power of ten, at least {@code v}. */
    static double nice(double v) {
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }

    private static String label(double v) {
        if (v == Math.rint(v)) {
            return String.format(Locale.ROOT, "%,d", (long) v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
