package dev.sluice.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class IdSetTest {

    @Test
    void behavesLikeASetOfUuidsThroughManyGrowths() {
        Random random = new Random(7);
        IdSet ids = new IdSet();
        Set<UUID> reference = new HashSet<>();
        for (int i = 0; i < 200_000; i++) {
            // Few distinct high halves, as time-ordered ids have: the slot must not depend on one half only.
            UUID u = new UUID(random.nextInt(4), random.nextInt(50_000));
            assertEquals(reference.add(u), ids.add(u), u.toString());
        }
        assertEquals(reference.size(), ids.size());
        for (UUID u : reference) {
            assertTrue(ids.contains(u));
        }
        assertFalse(ids.contains(new UUID(9, 9)));
    }

    @Test
    void keepsTheAllZeroIdAndOtherIdsApart() {
        IdSet ids = new IdSet();
        assertTrue(ids.add(new UUID(0, 0)));
        assertFalse(ids.add(new UUID(0, 0)));
        assertTrue(ids.add("custom-1"));
        assertFalse(ids.add("custom-1"));
        assertFalse(ids.add(null));
        assertEquals(2, ids.size());
        assertTrue(ids.contains(new UUID(0, 0)) && ids.contains("custom-1"));
    }

    @Test
    void mergesCountingRepeatsAndIntersects() {
        List<UUID> all = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            all.add(UUID.randomUUID());
        }
        IdSet a = new IdSet();
        IdSet b = new IdSet();
        all.subList(0, 3_000).forEach(a::add);
        all.subList(2_000, 5_000).forEach(b::add);
        a.add("x");
        b.add("x");
        assertEquals(1_001, a.countIn(b));
        IdSet merged = new IdSet();
        assertEquals(0, merged.addAll(a));
        assertEquals(1_001, merged.addAll(b), "the overlap was already there");
        assertEquals(5_001, merged.size());
    }
}
