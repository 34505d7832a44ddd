package dev.sluice.cli.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ChaosOptionsTest {

    @Test
    void parsesEveryFlag() {
        ChaosOptions o = ChaosOptions.parse(new String[] {
            "--fault",
            "broker-pause",
            "--rate",
            "250",
            "--duration",
            "40s",
            "--at",
            "5s",
            "--for",
            "15s",
            "--ttl",
            "8s",
            "--warmup",
            "3s",
            "--jvm",
            "lean"
        });

        assertEquals(
                new ChaosOptions(
                        Fault.BROKER_PAUSE,
                        250,
                        Duration.ofSeconds(40),
                        Duration.ofSeconds(5),
                        Duration.ofSeconds(15),
                        Duration.ofSeconds(8),
                        Duration.ofSeconds(3),
                        Child.Jvm.LEAN),
                o);
    }

    @Test
    void warmsUpTenSecondsByDefaultAndNoneOnRequest() {
        assertEquals(
                Duration.ofSeconds(10),
                ChaosOptions.parse(new String[] {"--fault", "noisy-neighbour"}).warmUp());
        assertEquals(
                Duration.ZERO,
                ChaosOptions.parse(new String[] {"--fault", "noisy-neighbour", "--warmup", "0s"})
                        .warmUp());
        assertThrows(
                IllegalArgumentException.class,
                () -> ChaosOptions.parse(new String[] {"--fault", "noisy-neighbour", "--warmup", "-1s"}));
        assertEquals(
                Child.Jvm.STANDARD,
                ChaosOptions.parse(new String[] {"--fault", "noisy-neighbour"}).jvm());
        assertThrows(
                IllegalArgumentException.class,
                () -> ChaosOptions.parse(new String[] {"--fault", "noisy-neighbour", "--jvm", "fast"}));
    }

    @Test
    void aKilledProcessIsReplacedAfterTwoSecondsByDefault() {
        assertEquals(
                Duration.ofSeconds(2),
                ChaosOptions.parse(new String[] {"--fault", "router-kill"}).length());
        assertEquals(
                Duration.ofSeconds(10),
                ChaosOptions.parse(new String[] {"--fault", "redis-pause"}).length());
    }

    @Test
    void everyFaultIsNamedByItsSpelling() {
        for (Fault f : Fault.values()) {
            assertEquals(f, Fault.parse(f.spelling));
        }
        assertEquals("noisy-neighbour", Fault.NOISY_NEIGHBOUR.spelling);
    }

    @Test
    void rejectsAnUnknownFaultNamingTheKnownOnes() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> ChaosOptions.parse(new String[] {"--fault", "meteor"}));

        assertTrue(
                e.getMessage().contains("broker-kill-leader") && e.getMessage().contains("target-down"),
                e.getMessage());
    }

    @Test
    void rejectsAFaultThatEndsAfterTheLoad() {
        assertThrows(
                IllegalArgumentException.class,
                () -> ChaosOptions.parse(
                        new String[] {"--fault", "target-down", "--duration", "10s", "--at", "5s", "--for", "6s"}));
    }

    @Test
    void rejectsAMissingFaultAndAFlagWithoutValue() {
        assertThrows(IllegalArgumentException.class, () -> ChaosOptions.parse(new String[] {"--rate", "10"}));
        assertThrows(IllegalArgumentException.class, () -> ChaosOptions.parse(new String[] {"--fault"}));
        assertThrows(
                IllegalArgumentException.class,
                () -> ChaosOptions.parse(new String[] {"--fault", "target-down", "--rate", "x"}));
    }

    @Test
    void helpExitsZeroAndListsEveryFault() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = ChaosCommand.run(
                new String[] {"--help"}, new PrintStream(out, true, StandardCharsets.UTF_8), System.err);

        assertEquals(0, code);
        String text = out.toString(StandardCharsets.UTF_8);
        for (Fault f : Fault.values()) {
            assertTrue(text.contains(f.spelling), f.spelling + " missing from:\n" + text);
        }
    }

    @Test
    void badFlagsExitTwoWithoutStartingAnything() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = ChaosCommand.run(
                new String[] {"--fault", "meteor"}, System.out, new PrintStream(err, true, StandardCharsets.UTF_8));

        assertEquals(2, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown fault"));
    }
}
