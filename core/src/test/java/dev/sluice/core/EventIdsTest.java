package dev.sluice.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class EventIdsTest {

    @Test
    void idsAreVersion7WithTheRfc9562VariantAndCarryTheirTime() {
        long now = 1_780_000_000_123L;
        UUID id = EventIds.next(now);
        assertEquals(7, id.version());
        assertEquals(2, id.variant());
        assertEquals(now, EventIds.timestampOf(id));
    }

    @Test
    void idsSortByTimeAcrossMilliseconds() {
        String earlier = EventIds.nextString(1_000_000);
        String later = EventIds.nextString(1_000_001);
        assertTrue(earlier.compareTo(later) < 0, earlier + " should sort before " + later);
    }

    @Test
    void idsMintedInOneMillisecondDoNotCollide() {
        Set<UUID> seen = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            assertTrue(seen.add(EventIds.next(42)));
        }
    }

    @Test
    void aRandomUuidHasNoTimestamp() {
        assertEquals(-1, EventIds.timestampOf(UUID.randomUUID()));
    }
}
