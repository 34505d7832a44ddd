package dev.sluice.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class ReportsTest {

    @Test
    void percentileChartIsInlineSvgWithOneLinePerHistogramAndTheBudget() {
        Histogram fast = Histograms.create();
        Histogram slow = Histograms.create();
        for (int i = 1; i <= 10_000; i++) {
            fast.recordValue(1000 + i % 100);
            slow.recordValue(i < 9_990 ? 5000 : 2_500_000);
        }
        Map<String, Histogram> h = new LinkedHashMap<>();
        h.put("fast", fast);
        h.put("slow", slow);
        String svg = Reports.percentileChart("t", h, 2000, "budget 2 s");
        assertTrue(svg.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\""), svg);
        assertEquals(2, svg.split("<polyline").length - 1);
        assertTrue(svg.contains(">99.99%<"), "the x axis reaches the sample count's last nine");
        assertTrue(svg.contains("budget 2 s"));
        assertTrue(!svg.contains("<script"));
    }

    @Test
    void timelineCsvHasARowPerSecondAndBlankCellsForEmptySeconds() {
        String csv = Reports.csv(List.of(
                new Timeline.Row(1.0, 500, 498, 0, 497, 3.2, 15.0),
                new Timeline.Row(2.0, 0, 2, 0, 3, Double.NaN, Double.NaN)));
        assertEquals(
                "second,sent,acked,errors,arrivals,ack_p99_ms,e2e_p99_ms\n"
                        + "1.0,500,498,0,497,3.200,15.000\n"
                        + "2.0,0,2,0,3,,\n",
                csv);
    }

    @Test
    void compareShowsBothRunsAndTheChange() {
        Map<String, Percentiles> lat = Map.of(RunSummary.ACK, new Percentiles(10, 1, 1, 2, 4, 8, 8, 8));
        Map<String, Percentiles> worse = Map.of(RunSummary.ACK, new Percentiles(10, 2, 2, 4, 8, 16, 16, 16));
        RunSummary a = new RunSummary(
                "a",
                Map.of("mode", "router-only"),
                1000,
                1000,
                30,
                5,
                new RunSummary.Counts(1, 1, 0, 1, 1),
                Map.of(),
                lat,
                RunSummary.Accounting.NONE,
                RunSummary.Cpu.NONE,
                new RunSummary.Machine(2, "x", 1, "j", "o"));
        RunSummary b = new RunSummary(
                "b",
                Map.of("mode", "router-only"),
                1000,
                900,
                30,
                5,
                new RunSummary.Counts(1, 1, 0, 1, 1),
                Map.of(),
                worse,
                RunSummary.Accounting.NONE,
                RunSummary.Cpu.NONE,
                new RunSummary.Machine(2, "x", 1, "j", "o"));
        String table = Compare.table(a, b);
        assertTrue(table.matches("(?s).*rate achieved /s\\s+1000\\s+900\\s+-100\\s+-10\\.0%.*"), table);
        assertTrue(table.matches("(?s).*ack p99 ms\\s+4\\s+8\\s+\\+4\\s+\\+100\\.0%.*"), table);
    }
}
