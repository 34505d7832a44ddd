package dev.sluice.benchmarks.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class WrkRunTest {

    private static final String OUTPUT = String.join("\n",
            "Running 20s test @ http://127.0.0.1:49461/v1/events/demo",
            "  1 threads and 512 connections",
            "  Thread Stats   Avg      Stdev     Max   +/- Stdev",
            "    Latency    19.70ms   11.27ms 165.46ms   83.74%",
            "    Req/Sec    21.03k     4.16k   35.59k    72.54%",
            "  Latency Distribution",
            "     50%  917.00us",
            "     75%   23.95ms",
            "     90%   30.67ms",
            "     99%    1.20s",
            "  418177 requests in 20.05s, 63.81MB read",
            "  Socket errors: connect 0, read 3, write 0, timeout 12",
            "  Non-2xx or 3xx responses: 7",
            "Requests/sec:  20852.01",
            "Transfer/sec:      3.18MB");

    @Test
    void parsesTotalsErrorsAndPercentilesInTheirUnits() {
        WrkRun.WrkResult r = WrkRun.parseOutput(OUTPUT);
        assertEquals(418_177, r.requests());
        assertEquals(20.05, r.seconds(), 1e-9);
        assertEquals(7, r.non2xx());
        assertEquals(15, r.socketErrors());
        assertEquals(0.917, r.latencyMillis().get("p50"), 1e-9);
        assertEquals(23.95, r.latencyMillis().get("p75"), 1e-9);
        assertEquals(1200.0, r.latencyMillis().get("p99"), 1e-9);
        assertEquals(418_177 / 20.05, r.perSecond(), 1e-6);
    }

    @Test
    void outputWithoutATotalIsAnError() {
        assertThrows(IllegalStateException.class, () -> WrkRun.parseOutput("unable to connect to 127.0.0.1:1 Connection refused"));
    }

    @Test
    void theScriptPostsRandomEventsOfTheAskedSizeOrNdjsonBatches() {
        String single = WrkRun.script(200, 1);
        assertTrue(single.contains("application/json"));
        assertTrue(single.contains("for c = 1, 192 do"), "192 random digits fill a 200-byte event");
        assertTrue(single.contains("local count = 100000"));
        String batch = WrkRun.script(200, 100);
        assertTrue(batch.contains("application/x-ndjson"));
        assertTrue(batch.contains("for e = 1, 100 do"));
        assertTrue(batch.contains("local count = 1000"));
    }

    @Test
    void flagsAreCheckedAndDefaultToFiveHundredTwelveConnections() {
        WrkRun.Options o = WrkRun.parse(List.of("--duration", "15s", "--batch", "100"));
        assertEquals(512, o.connections());
        assertEquals(15, o.duration().toSeconds());
        assertEquals(100, o.batch());
        assertThrows(IllegalArgumentException.class, () -> WrkRun.parse(List.of("--rate", "5")));
        assertThrows(IllegalArgumentException.class, () -> WrkRun.parse(List.of("--batch", "0")));
        assertThrows(IllegalArgumentException.class, () -> WrkRun.parse(List.of("--connections")));
    }
}
