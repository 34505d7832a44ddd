package dev.sluice.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TimestampsTest {

    @Test
    void rendersMillisecondsAlwaysAndParsesBackToTheSameInstant() {
        assertEquals(
                "2026-11-28T03:49:06.123Z",
                Timestamps.rfc3339Millis(
                        Instant.parse("2026-11-28T03:49:06.123Z").toEpochMilli()));
        assertEquals(
                "2026-11-28T03:49:06.000Z",
                Timestamps.rfc3339Millis(Instant.parse("2026-11-28T03:49:06Z").toEpochMilli()));
        assertEquals("1970-01-01T00:00:00.000Z", Timestamps.rfc3339Millis(0));
        assertEquals("1969-12-31T23:59:59.999Z", Timestamps.rfc3339Millis(-1));
    }

    @Test
    void agreesWithInstantAcrossSecondsAndDates() {
        SplittableRandom r = new SplittableRandom(7);
        long t = Instant.parse("2024-02-28T23:59:58Z").toEpochMilli();
        for (int i = 0; i < 20_000; i++) {
            t += r.nextInt(0, 400);
            assertEquals(Instant.ofEpochMilli(t), Instant.parse(Timestamps.rfc3339Millis(t)), "at " + t);
        }
        for (int i = 0; i < 2_000; i++) {
            long any = r.nextLong(-50_000_000_000_000L, 250_000_000_000_000L);
            assertEquals(Instant.ofEpochMilli(any), Instant.parse(Timestamps.rfc3339Millis(any)), "at " + any);
        }
    }
}
