package dev.sluice.scaler.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sluice.core.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TraceTest {

    @TempDir
    Path dir;

    @Test
    void builtInShapes() {
        Trace burst = Trace.burst(500, 100, 120_000, 30_000, 900_000, 50);
        assertEquals(500 * 870 + 50_000 * 30, burst.totalEvents(), 1e-3);
        assertEquals(25, burst.arrivals(0), 1e-9);
        assertEquals(2_500, burst.arrivals(120_000 / 50), 1e-9);
        assertEquals(25, burst.arrivals(150_000 / 50), 1e-9);
        Trace diurnal = Trace.diurnal(5_000, 3_600_000, 50);
        assertEquals(0, diurnal.arrivals(10), 1e-9, "night");
        assertEquals(250, diurnal.arrivals(36_000), 1e-3, "midday peak, 5000 ev/s for 50 ms");
        // the integral of peak * max(0, -cos) over a day is peak * day / pi
        assertEquals(5_000 * 3_600 / Math.PI, diurnal.totalEvents(), 1);
    }

    @Test
    void rateRowsHoldUntilTheNextRow() throws Exception {
        Path f = dir.resolve("rates.csv");
        Files.writeString(f, "second,rate\n# comment\n0,100\n2,1000\n3,0\n");
        Trace t = Trace.fromCsv(f, 50);
        assertEquals(4_000, t.durationMillis());
        assertEquals(100 * 2 + 1000, t.totalEvents(), 1e-9);
        assertEquals(5, t.arrivals(0), 1e-9);
        assertEquals(50, t.arrivals(40), 1e-9);
    }

    @Test
    void oneColumnIsEventTimestamps() throws Exception {
        Path f = dir.resolve("events.csv");
        Files.writeString(f, "0.01\n0.02\n1.5\n0.03\n");
        Trace t = Trace.fromCsv(f, 50);
        assertEquals(4, t.totalEvents(), 1e-9);
        assertEquals(3, t.arrivals(0), 1e-9);
        assertEquals(1, t.arrivals(30), 1e-9);
    }

    @Test
    void rejectsMalformedFiles() throws Exception {
        Path f = dir.resolve("bad.csv");
        Files.writeString(f, "0,10\n1,x\n");
        assertThrows(ConfigException.class, () -> Trace.fromCsv(f, 50));
        Files.writeString(f, "2,10\n1,10\n");
        assertThrows(ConfigException.class, () -> Trace.fromCsv(f, 50));
        Files.writeString(f, "0,10\n1\n");
        assertThrows(ConfigException.class, () -> Trace.fromCsv(f, 50));
    }
}
