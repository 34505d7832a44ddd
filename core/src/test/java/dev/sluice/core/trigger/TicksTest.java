package dev.sluice.core.trigger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TicksTest {

    private static final ZoneId PARIS = ZoneId.of("Europe/Paris");

    private static Ticks ticks(String cron, ZoneId zone) {
        return new Ticks(Schedule.parseCron(cron), zone);
    }

    private static Instant paris(String localDateTime) {
        return ZonedDateTime.of(java.time.LocalDateTime.parse(localDateTime), PARIS)
                .toInstant();
    }

    @Test
    void everySecondTicksOnEachWholeSecond() {
        Ticks t = ticks("* * * * * *", ZoneId.of("UTC"));
        Instant from = Instant.parse("2026-12-07T10:00:00.400Z");
        assertEquals(Optional.of(Instant.parse("2026-12-07T10:00:01Z")), t.next(from));
        assertEquals(Optional.of(Instant.parse("2026-12-07T10:00:02Z")), t.next(Instant.parse("2026-12-07T10:00:01Z")));
    }

    @Test
    void fiveFieldCronTicksOnWholeMinutesInItsZone() {
        Ticks t = ticks("30 9 * * *", PARIS);
        // 09:30 in Paris in winter is 08:30 UTC.
        assertEquals(Optional.of(Instant.parse("2026-12-08T08:30:00Z")), t.next(Instant.parse("2026-12-07T09:00:00Z")));
    }

    @Test
    void ticksWithinTheTtlAreLiveAndOlderOnesAreMissed() {
        Ticks t = ticks("*/10 * * * * *", ZoneId.of("UTC"));
        Instant last = Instant.parse("2026-12-07T10:00:00Z");
        Instant now = Instant.parse("2026-12-07T10:01:05Z");
        Ticks.Due due = t.due(last, now, Duration.ofSeconds(20));
        // 10:00:10 … 10:01:00 are due; those with tick + 20 s ≤ now (up to 10:00:40) are missed.
        assertEquals(4, due.missed());
        assertEquals(Optional.of(Instant.parse("2026-12-07T10:00:40Z")), due.latestMissed());
        assertEquals(List.of(Instant.parse("2026-12-07T10:00:50Z"), Instant.parse("2026-12-07T10:01:00Z")), due.live());
    }

    @Test
    void nothingIsDueBeforeTheNextTick() {
        Ticks t = ticks("*/10 * * * * *", ZoneId.of("UTC"));
        Ticks.Due due = t.due(
                Instant.parse("2026-12-07T10:00:00Z"),
                Instant.parse("2026-12-07T10:00:09.999Z"),
                Duration.ofSeconds(20));
        assertTrue(due.isEmpty());
    }

    @Test
    void anHourlyScheduleTicksTwiceInTheHourRepeatedWhenSummerTimeEnds() {
        // On 25 October 2026 Paris goes from 03:00 CEST back to 02:00 CET: 02:00-03:00 happens twice.
        Ticks t = ticks("0 0 * * * *", PARIS);
        Instant last = paris("2026-10-25T00:30:00");
        Instant now = paris("2026-10-25T04:30:00");
        Ticks.Due due = t.due(last, now, Duration.ofSeconds(20));
        // 01:00 CEST, 02:00 CEST, 02:00 CET, 03:00 CET, 04:00 CET: five hours of real time, five ticks.
        assertEquals(5, due.missed());
    }

    @Test
    void anHourlyScheduleHasNoTickInTheHourSkippedWhenSummerTimeStarts() {
        // On 29 March 2026 Paris jumps from 02:00 CET to 03:00 CEST: there is no 02:00.
        Ticks t = ticks("0 0 * * * *", PARIS);
        Ticks.Due due = t.due(paris("2026-03-29T00:30:00"), paris("2026-03-29T04:30:00"), Duration.ofSeconds(20));
        // 01:00 CET, 03:00 CEST, 04:00 CEST: three hours of real time, three ticks.
        assertEquals(3, due.missed());
    }

    @Test
    void aDailyTickInsideTheSkippedHourDoesNotHappenThatDay() {
        // 02:30 does not exist in Paris on 29 March 2026: the next 02:30 after the 28th's noon is the 30th's (CEST).
        Ticks t = ticks("0 30 2 * * *", PARIS);
        Instant first = t.next(paris("2026-03-28T12:00:00")).orElseThrow();
        assertEquals(Instant.parse("2026-03-30T00:30:00Z"), first);
        assertEquals(Instant.parse("2026-03-31T00:30:00Z"), t.next(first).orElseThrow());
    }

    @Test
    void aLongOutageIsCountedOverSeveralCallsWithoutLosingTicks() {
        Ticks t = ticks("* * * * * *", ZoneId.of("UTC"));
        Instant last = Instant.parse("2026-12-06T00:00:00Z");
        Instant now = last.plus(Duration.ofMinutes(15));
        int bound = 250;
        long missed = 0;
        int calls = 1;
        Ticks.Due due = t.due(last, now, Duration.ofSeconds(20), bound);
        assertFalse(due.complete(), "the walk stops at its bound");
        while (due.live().isEmpty()) {
            assertTrue(due.missed() <= bound);
            missed += due.missed();
            due = t.due(due.latestMissed().orElseThrow(), now, Duration.ofSeconds(20), bound);
            calls++;
        }
        missed += due.missed();
        assertTrue(due.complete());
        assertEquals(4, calls);
        // A quarter of an hour of seconds, less the 20 (now − 19 s … now) whose deadline, tick + 20 s, is still ahead.
        assertEquals(900 - 20, missed);
        assertEquals(20, due.live().size());
    }
}
