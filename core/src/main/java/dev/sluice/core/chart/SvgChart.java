package dev.sluice.core.chart;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleFunction;

/**
 * A line chart as inline SVG: no script, no external style, readable in any browser or in a diff.
 * The load generator's reports draw one per figure; the scaling simulator {@linkplain #stack stacks}
 * several that share a time axis into one document. Text only: writing it anywhere is the caller's.
 */
public final class SvgChart {

    /** A polyline; points are {x, y}, and a point with a NaN coordinate is left out. */
    public record Series(String name, String color, boolean dashed, List<double[]> points) {}

    /** A tick on an axis: where, and its label. */
    public record Tick(double at, String label) {}

    private record HLine(double y, String label) {}

    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 34;
    private static final int BOTTOM = 48;
    /** Above the charts of a {@link #stack}: room for its title. */
    private static final int STACK_TITLE = 30;

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final List<Series> series = new ArrayList<>();
    private final List<HLine> hLines = new ArrayList<>();
    private int width = 760;
    private int height = 340;
    private double xMin;
    private double xMax = 1;
    private double yMax = 1;
    private List<Tick> xTicks = List.of();

    public SvgChart(String title, String xLabel, String yLabel) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    /** The chart's size in pixels; 760 × 340 unless set. */
    public SvgChart size(int width, int height) {
        this.width = width;
        this.height = height;
        return this;
    }

    public SvgChart x(double min, double max, List<Tick> ticks) {
        this.xMin = min;
        this.xMax = max > min ? max : min + 1;
        this.xTicks = ticks;
        return this;
    }

    /** The largest value the y axis must show; the axis ends at the next {@link #nice} value. Values above it are drawn at the top. */
    public SvgChart yMax(double max) {
        this.yMax = max > 0 ? max : 1;
        return this;
    }

    public SvgChart add(Series s) {
        series.add(s);
        return this;
    }

    /** A dashed red line across the chart at {@code y}, or its label at the top when {@code y} is off the scale. */
    public SvgChart hLine(double y, String label) {
        hLines.add(new HLine(y, label));
        return this;
    }

    /** This chart as one SVG document. */
    public String render() {
        return open(width, height) + body() + "</svg>\n";
    }

    /**
     * Several charts one above the other in one SVG document, under {@code title}: panels that share a
     * time axis, for instance.
     */
    public static String stack(String title, List<SvgChart> charts) {
        int w = charts.stream().mapToInt(c -> c.width).max().orElse(0);
        int h = STACK_TITLE + charts.stream().mapToInt(c -> c.height).sum();
        StringBuilder sb = new StringBuilder(open(w, h));
        sb.append(String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"20\" font-size=\"15\" font-weight=\"bold\">%s</text>%n",
                LEFT,
                esc(title)));
        int y = STACK_TITLE;
        for (SvgChart c : charts) {
            sb.append(String.format(Locale.ROOT, "<g transform=\"translate(0 %d)\">%n", y))
                    .append(c.body())
                    .append("</g>\n");
            y += c.height;
        }
        return sb.append("</svg>\n").toString();
    }

    /** Ticks from 0 to {@code end} (inclusive) about an eighth of it apart, at least 1, on {@link #nice} steps. */
    public static List<Tick> ticks(double end, DoubleFunction<String> label) {
        List<Tick> ticks = new ArrayList<>();
        double step = nice(Math.max(1, end / 8));
        for (double x = 0; x <= end; x += step) {
            ticks.add(new Tick(x, label.apply(x)));
        }
        return ticks;
    }

    private static String open(int w, int h) {
        return String.format(
                        Locale.ROOT,
                        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
                                + " font-family=\"sans-serif\" font-size=\"11\">%n",
                        w,
                        h,
                        w,
                        h)
                + String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>%n", w, h);
    }

    private double px(double x) {
        return LEFT + (x - xMin) / (xMax - xMin) * (width - LEFT - RIGHT);
    }

    private double py(double y, double top) {
        return height - BOTTOM - Math.min(y, top) / top * (height - TOP - BOTTOM);
    }

    private String body() {
        StringBuilder sb = new StringBuilder();
        int w = width;
        int h = height;
        sb.append(String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"18\" font-size=\"13\" font-weight=\"bold\">%s</text>%n",
                LEFT,
                esc(title)));
        double top = nice(yMax);
        for (int i = 0; i <= 5; i++) {
            double v = top * i / 5;
            double y = py(v, top);
            sb.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#e5e5e5\"/>%n",
                    LEFT,
                    w - RIGHT,
                    y,
                    y));
            sb.append(String.format(
                    Locale.ROOT,
                    "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                    LEFT - 6,
                    y + 4,
                    label(v)));
        }
        for (Tick t : xTicks) {
            double x = px(t.at());
            sb.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"#e5e5e5\"/>%n",
                    x,
                    x,
                    TOP,
                    h - BOTTOM));
            sb.append(String.format(
                    Locale.ROOT,
                    "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                    x,
                    h - BOTTOM + 16,
                    esc(t.label())));
        }
        sb.append(String.format(
                Locale.ROOT,
                "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"#333\"/>%n",
                LEFT,
                w - RIGHT,
                h - BOTTOM,
                h - BOTTOM));
        sb.append(String.format(
                Locale.ROOT,
                "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"#333\"/>%n",
                LEFT,
                LEFT,
                TOP,
                h - BOTTOM));
        sb.append(String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                (LEFT + w - RIGHT) / 2,
                h - 10,
                esc(xLabel)));
        sb.append(String.format(
                Locale.ROOT,
                "<text x=\"14\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 14 %d)\">%s</text>%n",
                (TOP + h - BOTTOM) / 2,
                (TOP + h - BOTTOM) / 2,
                esc(yLabel)));
        for (HLine l : hLines) {
            if (l.y() > top) {
                sb.append(String.format(
                        Locale.ROOT,
                        "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" fill=\"#c00\">%s (off scale)</text>%n",
                        w - RIGHT,
                        TOP - 4,
                        esc(l.label())));
                continue;
            }
            double y = py(l.y(), top);
            sb.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#c00\" stroke-dasharray=\"6 3\"/>%n",
                    LEFT,
                    w - RIGHT,
                    y,
                    y));
            sb.append(String.format(
                    Locale.ROOT,
                    "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" fill=\"#c00\">%s</text>%n",
                    w - RIGHT - 4,
                    y - 4,
                    esc(l.label())));
        }
        int legendX = LEFT + 10;
        for (Series s : series) {
            StringBuilder pts = new StringBuilder();
            for (double[] p : s.points()) {
                if (Double.isNaN(p[1]) || Double.isNaN(p[0])) {
                    continue;
                }
                pts.append(String.format(
                        Locale.ROOT, "%.1f,%.1f ", px(Math.min(Math.max(p[0], xMin), xMax)), py(p[1], top)));
            }
            sb.append(String.format(
                    Locale.ROOT,
                    "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\"%s points=\"%s\"/>%n",
                    s.color(),
                    s.dashed() ? " stroke-dasharray=\"5 3\"" : "",
                    pts.toString().trim()));
            sb.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"%s/>%n",
                    legendX,
                    legendX + 18,
                    TOP + 8,
                    TOP + 8,
                    s.color(),
                    s.dashed() ? " stroke-dasharray=\"5 3\"" : ""));
            sb.append(String.format(
                    Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", legendX + 22, TOP + 12, esc(s.name())));
            legendX += 30 + s.name().length() * 6;
        }
        return sb.toString();
    }

    /** 1, 2 or 5 times a power of ten, at least {@code v}. */
    public static double nice(double v) {
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

    /** {@code s} safe as XML text or an attribute value. */
    public static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
