package dev.sluice.loadgen;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generator measured against a server with a known 10 ms answer time, at 500 events/s for
 * 10 s: the median must be the server's time plus little (10–12 ms); with a 1 s stall in the
 * middle, the open-loop p99 must show it (≥ 500 ms) while the service time — what a closed-loop
 * tool reports — keeps a ~10 ms median. These bounds are the self-check's documented contract,
 * not performance thresholds of Sluice.
 */
@Timeout(120)
class GeneratorSelfCheckIT {

    @Test
    void recordsFromTheIntendedSendTimeSoAStallShowsInTheTail(@TempDir Path out) {
        SelfCheck.Result r = SelfCheck.run(500, Duration.ofSeconds(10), Duration.ofSeconds(1), out, System.out);

        assertTrue(
                r.steadyAck().p50() >= 10 && r.steadyAck().p50() <= 12,
                String.format(
                        Locale.ROOT,
                        "steady ack p50 %.2f ms must be 10–12 ms",
                        r.steadyAck().p50()));
        assertTrue(
                r.stalledAck().p99() >= 500,
                String.format(
                        Locale.ROOT,
                        "a 1 s stall must show in p99: %.1f ms",
                        r.stalledAck().p99()));
        assertTrue(
                r.stalledService().p50() <= 12,
                String.format(
                        Locale.ROOT,
                        "service-time p50 must stay near 10 ms: %.2f ms",
                        r.stalledService().p50()));
        assertTrue(
                r.stalledAck().p90() > r.stalledService().p90(),
                "from the intended time, the stall reaches further into the distribution than the service time shows");
        assertTrue(out.resolve("stalled").resolve("report.html").toFile().isFile());
    }
}
