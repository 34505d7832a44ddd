package dev.sluice.cli.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

/**
 * One short fault run for CI on a shared {@link ChaosStack} (50 events/s, no warm-up, the fault 2 s in), and the
 * assertions every fault test makes: nothing accepted lost, no late start, no forbidden phantom,
 * served within the budget again before the load stopped, and nothing restarted but the faulted part.
 */
final class Drill {

    static final int RATE = 50;
    static final Duration TTL = Duration.ofSeconds(5);
    private static final Duration AT = Duration.ofSeconds(2);

    private Drill() {}

    /** Runs {@code fault} for {@code length} within a load of {@code duration}; prints the table. */
    static ChaosReport run(ChaosStack stack, Fault fault, Duration length, Duration duration) {
        ChaosReport report = ChaosRun.run(
                stack,
                new ChaosOptions(fault, RATE, duration, AT, length, TTL, Duration.ZERO, Child.Jvm.LEAN),
                System.out);
        System.out.print(report.table());
        return report;
    }

    /**
     * The promise held: {@code restarted} children (routers and executors) started during the run,
     * no child died on its own, and the system served events within 2 s again after the fault.
     */
    static void assertHeld(ChaosStack stack, ChaosReport report, int childrenBefore, int restarted) {
        String table = report.table();
        assertTrue(report.accepted() >= RATE, "too few events accepted to judge:\n" + table);
        assertEquals(List.of(), report.lost(), "LOST must be 0:\n" + table);
        assertEquals(0, report.lateStarts(), "no run starts after its deadline:\n" + table);
        assertEquals(0, report.forbiddenPhantoms(), "a refusal that said not stored was stored:\n" + table);
        assertEquals(0, report.duplicatesOtherKey(), "a run delivered again carries the same webhook-id:\n" + table);
        assertTrue(report.recoveryMs().isPresent(), "served within the budget again after the fault:\n" + table);
        assertEquals(List.of(), stack.deadChildren(), "no router or executor died on its own:\n" + table);
        assertEquals(
                childrenBefore + restarted, stack.childrenStarted(), "only the faulted part was restarted:\n" + table);
    }
}
