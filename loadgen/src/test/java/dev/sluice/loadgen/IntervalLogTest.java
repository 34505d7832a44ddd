package dev.sluice.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IntervalLogTest {

    private static Histogram second(long micros, int count) {
        Histogram h = Histograms.create();
        h.recordValueWithCount(micros, count);
        return h;
    }

    @Test
    void everySecondsDistributionIsKeptPerTagInHdrHistogramsLogFormat(@TempDir Path dir) throws Exception {
        IntervalLog log = new IntervalLog(1_700_000_000_000L);
        log.add(IntervalLog.ACK, second(2_000, 100), 1_700_000_000_000L, 1_700_000_001_000L);
        log.add(IntervalLog.INGEST_TO_START, second(9_000, 100), 1_700_000_000_000L, 1_700_000_001_000L);
        log.add(IntervalLog.ACK, second(40_000, 100), 1_700_000_001_000L, 1_700_000_002_000L);
        log.add(
                IntervalLog.ACK,
                Histograms.create(),
                1_700_000_002_000L,
                1_700_000_003_000L); // an empty second: skipped
        log.add(IntervalLog.ACK, second(3_000, 100), 1_700_000_003_000L, 1_700_000_004_000L);
        Path file = dir.resolve(IntervalLog.FILE);
        log.writeTo(file);
        assertTrue(Files.readString(file).startsWith("#[Histogram log format version"), "HdrHistogram's log header");

        Map<String, List<Double>> p99s = IntervalLog.p99s(file);
        assertEquals(3, p99s.get(IntervalLog.ACK).size());
        assertEquals(2.0, p99s.get(IntervalLog.ACK).get(0), 0.01);
        assertEquals(40.0, p99s.get(IntervalLog.ACK).get(1), 0.05);
        assertEquals(3.0, p99s.get(IntervalLog.ACK).get(2), 0.01);
        assertEquals(9.0, p99s.get(IntervalLog.INGEST_TO_START).get(0), 0.01);
    }

    @Test
    void compareShowsTheWorstAndMedianSecondFromBothRunsLogs() {
        Map<String, List<Double>> a = Map.of(IntervalLog.ACK, List.of(2.0, 40.0, 3.0));
        Map<String, List<Double>> b = Map.of(IntervalLog.ACK, List.of(2.5, 4.0, 3.0));
        RunSummary s = new RunSummary(
                "a",
                Map.of("mode", "router-only"),
                1000,
                1000,
                30,
                5,
                new RunSummary.Counts(1, 1, 0, 1, 1),
                Map.of(),
                Map.of(),
                RunSummary.Accounting.NONE,
                RunSummary.Cpu.NONE,
                new RunSummary.Machine(2, "x", 1, "j", "o"));
        String table = Compare.table(s, s, a, b);
        assertTrue(table.matches("(?s).*ack p99 of the worst second ms\\s+40\\s+4\\s+-36\\s+-90\\.0%.*"), table);
        assertTrue(table.matches("(?s).*ack p99 of the median second ms\\s+3\\s+3\\s+\\+0\\s+\\+0\\.0%.*"), table);
        assertTrue(
                Compare.table(s, s, a, Map.of()).lines().noneMatch(l -> l.contains("worst second")),
                "only when both runs have a log");
    }
}
