package dev.sluice.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gate end to end against a real stack in this JVM (testkit's Kafka broker, the router, the
 * executor) whose workflow posts to the generator's receiver. A smoke test, not a performance
 * assertion: a few seconds at a modest rate must pass; the same run with the receiver stalled for
 * 3 s must fail on the budget.
 */
@Timeout(180)
class GateSmokeIT {

    private static Generator generator;
    private static InProcessStack stack;

    @BeforeAll
    static void start() {
        generator = Generator.start(2, 0);
        stack = InProcessStack.start(generator.receiverUrl(), Duration.ofSeconds(20), 6);
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
        if (generator != null) {
            generator.close();
        }
    }

    private static RunOptions options(Path out, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of(
                "--e2e",
                "--rate",
                "100",
                "--duration",
                "4s",
                "--warmup",
                "2s",
                "--connections",
                "16",
                "--drain",
                "20s",
                "--target",
                stack.ingestUrl(),
                "--executor-metrics",
                stack.executorMetricsUrl(),
                "--out",
                out.toString()));
        args.addAll(List.of(extra));
        return RunOptions.parse(args);
    }

    @Test
    void aModestRunPassesTheGate(@TempDir Path out) throws Exception {
        // Primed unmeasured first, as a --self gate primes: on a loaded machine a cold stack's first seconds fail the
        // budget.
        generator.run(options(out).priming(Duration.ofSeconds(4)), stack);
        BudgetGate.Verdict v = LoadCommand.gate(generator, stack, options(out), System.out);

        assertTrue(v.pass(), v.toString());
        RunSummary s = RunSummary.read(out);
        assertEquals(s.accounting().accepted(), s.accounting().executed(), "every accepted event ran");
        assertTrue(s.latency(RunSummary.INGEST_TO_START).count() > 0);
        for (String f : List.of(
                "ack.hgrm", "ingest-to-start.hgrm", "send-lag.hgrm", "summary.json", "timeline.csv", "report.html")) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
        assertTrue(Files.readString(out.resolve("report.html")).contains("<svg"));
    }

    /**
     * The gate over MQTT: the same generator publishes QoS 1 over the router's MQTT listener (devices
     * spread over both event loops), each PUBACK is an acknowledgement, and the same reports and
     * verdict come out; {@code compare} reads them.
     */
    @Test
    void aModestRunOverMqttPassesTheGateAndWritesTheSameReports(@TempDir Path out) throws Exception {
        RunOptions mqtt = options(out, "--mqtt", stack.mqttUrl());
        // The MQTT listener and its connections are new to this stack: primed unmeasured first, as a --self gate
        // primes.
        generator.run(mqtt.priming(Duration.ofSeconds(4)), stack);
        BudgetGate.Verdict v = LoadCommand.gate(generator, stack, mqtt, System.out);

        assertTrue(v.pass(), v.toString());
        RunSummary s = RunSummary.read(out);
        assertEquals("mqtt 3.1.1 qos 1", s.settings().get("protocol"));
        assertEquals(0, s.counts().errors(), s.errors().toString());
        assertTrue(
                s.counts().acked() >= 500,
                "about 6 s at 100/s acknowledged by PUBACK: " + s.counts().acked());
        assertEquals(s.accounting().accepted(), s.accounting().executed(), "every acknowledged publish ran");
        assertTrue(s.latency(RunSummary.ACK).count() > 0
                && s.latency(RunSummary.INGEST_TO_START).count() > 0);
        for (String f : List.of(
                "ack.hgrm",
                "ingest-to-start.hgrm",
                IntervalLog.FILE,
                "summary.json",
                "timeline.csv",
                "report.html",
                "verdict.txt")) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
        assertTrue(
                IntervalLog.p99s(out.resolve(IntervalLog.FILE))
                                .get(IntervalLog.ACK)
                                .size()
                        >= 4,
                "an ack interval a second");
        String table = Compare.table(out, out);
        assertTrue(table.contains("mqtt 3.1.1 qos 1"), table);
    }

    /**
     * The stall is the receiver's: for 3 s it neither records nor answers, then takes what it held
     * with the time it resumed — what the budget sees when the workflow's first step cannot start
     * (the executor and Kafka keep running; the executor's calls wait on the receiver).
     */
    @Test
    void aThreeSecondStallFailsTheGate(@TempDir Path out) throws Exception {
        BudgetGate.Verdict v = LoadCommand.gate(
                generator, stack, options(out, "--receiver-pause", "3s", "--receiver-pause-at", "1s"), System.out);

        assertFalse(v.pass());
        assertTrue(v.reasons().stream().anyMatch(r -> r.startsWith("ingest → start p99.9 is")), v.toString());
        assertTrue(Files.readString(out.resolve("verdict.txt")).startsWith("FAIL"));
    }
}
