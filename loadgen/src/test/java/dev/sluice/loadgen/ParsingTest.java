package dev.sluice.loadgen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The small parsers the generator relies on: flags, the 202 body, Prometheus text, /proc stat lines. */
class ParsingTest {

    @Test
    void readsRunFlags() {
        RunOptions o = RunOptions.parse(List.of(
                "--e2e",
                "--rate",
                "5000",
                "--duration",
                "30s",
                "--http2",
                "--self",
                "--webhook-delay=1ms",
                "--p99-bound",
                "50ms"));
        assertTrue(o.e2e());
        assertTrue(o.http2());
        assertTrue(o.self());
        assertEquals(5000, o.rate());
        assertEquals(Duration.ofSeconds(30), o.duration());
        assertEquals(Duration.ofMillis(1), o.webhookDelay());
        assertEquals(RunOptions.DEFAULT_TARGET, o.target());
    }

    @Test
    void rejectsUnknownFlagsAndImpossibleCombinations() {
        assertThrows(IllegalArgumentException.class, () -> RunOptions.parse(List.of("--rat", "5")));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> RunOptions.parse(List.of("--batch", "0")));
        assertTrue(e.getMessage().contains("--batch"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RunOptions.parse(List.of("--e2e", "--router-only")));
        e = assertThrows(IllegalArgumentException.class, () -> RunOptions.parse(List.of("--direct", "--e2e")));
        assertTrue(e.getMessage().contains("--self"), e.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> RunOptions.parse(List.of("--direct", "--self", "--e2e", "--split")));
        assertThrows(
                IllegalArgumentException.class,
                () -> RunOptions.parse(List.of("--direct", "--self", "--e2e", "--batch", "10")));
        assertTrue(RunOptions.parse(List.of("--direct", "--self", "--e2e")).direct());
    }

    @Test
    void readsTheIdFromA202Body() {
        UUID id = UUID.fromString("0190a0f0-1234-7abc-8def-0123456789ab");
        assertEquals(id, Ids.fromAck(Buffer.buffer("{\"id\":\"" + id + "\",\"deadline\":\"2025-01-01T00:00:20Z\"}")));
        assertEquals("custom-1", Ids.fromAck(Buffer.buffer("{\"id\":\"custom-1\",\"deadline\":\"x\"}")));
        assertEquals(null, Ids.fromAck(Buffer.buffer("{}")));
    }

    @Test
    void sumsTheExecutorsAccountingCounters() {
        String text = String.join(
                "\n",
                "# HELP sluice_executor_runs_total Workflow runs",
                "# TYPE sluice_executor_runs_total counter",
                "sluice_executor_runs_total{outcome=\"dead_lettered\",workflow=\"a\"} 2.0",
                "sluice_executor_runs_total{outcome=\"dead_lettered\",workflow=\"b\"} 1.0",
                "sluice_executor_runs_total{outcome=\"succeeded\",workflow=\"a\"} 1500.0",
                "sluice_executor_runs_total{outcome=\"expired\",workflow=\"a\"} 7.0",
                "sluice_executor_expired_total{topic=\"sluice.demo\"} 7.0",
                "sluice_executor_expired_total{topic=\"other\"} 1.0",
                "");
        Prometheus.Counters c = Prometheus.parse(text);
        assertEquals(new Prometheus.Counters(8, 3, 1500), c);
        Prometheus.Counters d = c.minus(new Prometheus.Counters(1, 1, 500));
        assertEquals(new Prometheus.Counters(7, 2, 1000), d);
        assertFalse(c.minus(Prometheus.Counters.UNKNOWN).known());
    }

    @Test
    void readsCpuTimesFromProcStat() {
        String stat =
                "4242 (vert.x-eventloo) S 1 4242 4242 0 -1 4194560 1224 0 0 0 371 52 0 0 20 0 25 0 1093 9017056 47353";
        assertArrayEquals(new long[] {371, 52}, ProcessCpu.parseTimes(stat));
        assertEquals("GC Thread", ProcessCpu.threadGroup("GC Thread#1"));
        assertEquals("vert.x-eventloo", ProcessCpu.threadGroup("vert.x-eventloo"));
    }

    @Test
    void buildsPayloadsOfTheAskedSize() {
        assertEquals(200, RunPlan.payload(200).length);
        assertEquals(16384, RunPlan.payload(16384).length);
        assertTrue(new String(RunPlan.payload(200), java.nio.charset.StandardCharsets.US_ASCII)
                .startsWith("{\"device\":{\"id\":"));
    }
}
