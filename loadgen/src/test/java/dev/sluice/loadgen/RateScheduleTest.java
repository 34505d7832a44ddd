package dev.sluice.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RateScheduleTest {

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @Test
    void steadyRateSpacesEventsEvenly() {
        RateSchedule s = RateSchedule.steady(500, Duration.ofSeconds(10));
        assertEquals(5000, s.total());
        assertEquals(0, s.timeOf(0));
        assertEquals(2_000_000, s.timeOf(1));
        assertEquals(2 * SECOND, s.timeOf(1000));
        assertEquals(1, s.dueBy(0));
        assertEquals(501, s.dueBy(SECOND));
    }

    @Test
    void everyEventIsDueAtItsOwnIntendedTime() {
        RateSchedule s = RateSchedule.parse("ramp:1000-20000:3s,burst:50000:1s,pause:2s,steady:777:3s")
                .withWarmup(Duration.ofSeconds(1));
        long previous = -1;
        for (long i = 0; i < s.total(); i++) {
            long t = s.timeOf(i);
            assertTrue(t >= previous, "intended times never go back, event " + i);
            assertTrue(s.dueBy(t) >= i + 1, "event " + i + " is due at its own time");
            previous = t;
        }
    }

    @Test
    void rampCountsTheAreaUnderTheRate() {
        RateSchedule s = RateSchedule.parse("ramp:0-2000:10s");
        assertEquals(10_000, s.total());
        // Half the events come in the last 29% of the ramp: N(t) = 100 t², N = 5000 at t = √50.
        assertEquals(Math.sqrt(50), s.timeOf(5000) / 1e9, 1e-6);
    }

    @Test
    void pauseSendsNothing() {
        RateSchedule s = RateSchedule.parse("steady:100:1s,pause:2s,steady:100:1s");
        assertEquals(200, s.total());
        assertEquals(s.dueBy(SECOND), s.dueBy(2 * SECOND + SECOND / 2));
        assertEquals(3 * SECOND, s.timeOf(100));
    }

    @Test
    void warmupRunsAtTheFirstRateAndIsExcludedFromTheMeanRate() {
        RateSchedule s = RateSchedule.parse("steady:1000:2s").withWarmup(Duration.ofSeconds(1));
        assertEquals(3000, s.total());
        assertEquals(1000, s.meanRate(SECOND), 1e-9);
        assertEquals("warmup:1000:1s,steady:1000:2s", s.toString());
    }

    @Test
    void rejectsAnUnknownPhase() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> RateSchedule.parse("spike:100:1s"));
        assertTrue(e.getMessage().contains("unknown phase 'spike'"), e.getMessage());
    }
}
