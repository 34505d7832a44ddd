package dev.sluice.core.chart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SvgChartTest {

    private static SvgChart chart() {
        return new SvgChart("latency <p99> & more", "seconds", "ms").x(0, 10, SvgChart.ticks(10, x -> (int) x + " s"));
    }

    @Test
    void isOneStandaloneSvgDocumentWithItsTextEscaped() {
        String svg = chart().add(new SvgChart.Series("a \"b\"", "#000", false, List.of(new double[] {0, 1})))
                .render();
        assertTrue(svg.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"760\" height=\"340\""), svg);
        assertTrue(svg.endsWith("</svg>\n"));
        assertTrue(svg.contains("latency &lt;p99&gt; &amp; more"));
        assertTrue(svg.contains("a &quot;b&quot;"));
    }

    @Test
    void leavesOutPointsWithANaNCoordinate() {
        String svg = chart().yMax(10)
                .add(new SvgChart.Series(
                        "s", "#000", false, List.of(new double[] {0, 0}, new double[] {5, Double.NaN}, new double[] {
                            10, 10
                        })))
                .render();
        assertTrue(svg.contains("points=\"70.0,292.0 740.0,34.0\""), svg);
    }

    @Test
    void drawsValuesAboveTheAxisAtItsTop() {
        String svg = chart().yMax(10)
                .add(new SvgChart.Series("s", "#000", false, List.of(new double[] {10, 1000})))
                .render();
        assertTrue(svg.contains("points=\"740.0,34.0\""), svg);
    }

    @Test
    void namesALineOffTheScaleInsteadOfDrawingIt() {
        String on = chart().yMax(10).hLine(5, "budget").render();
        assertTrue(on.contains("stroke=\"#c00\" stroke-dasharray=\"6 3\""));
        String off = chart().yMax(10).hLine(2000, "budget").render();
        assertTrue(off.contains("budget (off scale)"));
        assertFalse(off.contains("stroke-dasharray=\"6 3\""));
    }

    @Test
    void endsTheYAxisOnANiceValue() {
        assertEquals(1, SvgChart.nice(0.7));
        assertEquals(200, SvgChart.nice(101));
        assertEquals(5000, SvgChart.nice(4200));
        assertTrue(chart().yMax(4200).render().contains(">5,000</text>"));
    }

    @Test
    void ticksStepAboutAnEighthOfTheAxisAndAtLeastOne() {
        assertEquals(
                List.of(0.0, 20.0, 40.0, 60.0, 80.0, 100.0, 120.0),
                SvgChart.ticks(120, x -> "").stream().map(SvgChart.Tick::at).toList());
        assertEquals(4, SvgChart.ticks(3, x -> "").size());
    }

    @Test
    void stacksChartsUnderOneTitleEachBelowTheLast() {
        SvgChart a = chart().size(1000, 200);
        SvgChart b = chart().size(1000, 300);
        String svg = SvgChart.stack("trace <x>", List.of(a, b));
        assertTrue(svg.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1000\" height=\"530\""), svg);
        assertEquals(1, svg.split("<svg", -1).length - 1, "one document, not nested ones");
        assertTrue(svg.contains("trace &lt;x&gt;"));
        assertTrue(svg.contains("<g transform=\"translate(0 30)\">"));
        assertTrue(svg.contains("<g transform=\"translate(0 230)\">"));
    }
}
