package dev.sluice.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DeadlinesTest {

    @Test
    void deadlineIsIngestPlusTtlAndIsExclusive() {
        long d = Deadlines.deadline(1_000, Duration.ofSeconds(20));
        assertEquals(21_000, d);
        assertFalse(Deadlines.isExpired(d, 20_999));
        assertTrue(Deadlines.isExpired(d, 21_000));
    }

    @Test
    void aStepTimeoutIsCutToTheTimeLeft() {
        assertEquals(300, Deadlines.stepTimeout(5_000, 10_300, 10_000));
        assertEquals(5_000, Deadlines.stepTimeout(5_000, 60_000, 10_000));
    }

    @Test
    void ttlOutsideOneToThreeHundredSecondsIsRejected() {
        assertThrows(ConfigException.class, () -> Deadlines.checkTtl(Duration.ofMillis(999)));
        assertThrows(ConfigException.class, () -> Deadlines.checkTtl(Duration.ofSeconds(301)));
        assertEquals(Duration.ofSeconds(300), Deadlines.checkTtl(Duration.ofSeconds(300)));
    }

    @Test
    void durationsParseTheShortForm() {
        assertEquals(Duration.ofMillis(250), Durations.parse("250ms"));
        assertEquals(Duration.ofMillis(1500), Durations.parse("1.5s"));
        assertEquals(Duration.ofMinutes(5), Durations.parse("5m"));
        assertThrows(ConfigException.class, () -> Durations.parse("soon"));
    }
}
