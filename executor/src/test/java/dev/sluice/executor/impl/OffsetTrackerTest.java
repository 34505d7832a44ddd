package dev.sluice.executor.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.executor.impl.kafka.OffsetTracker;
import org.junit.jupiter.api.Test;

class OffsetTrackerTest {

    @Test
    void commitsOnlyTheContiguousFinishedPrefix() {
        OffsetTracker t = new OffsetTracker();
        for (long o = 10; o < 15; o++) {
            t.started(o);
        }
        assertEquals(-1, t.committable());
        t.finished(12);
        t.finished(11);
        assertEquals(-1, t.committable(), "10 is still running");
        t.finished(10);
        assertEquals(13, t.committable(), "10, 11 and 12 are done: the next to read is 13");
        t.finished(14);
        assertEquals(13, t.committable());
        t.finished(13);
        assertEquals(15, t.committable());
        assertEquals(0, t.pending());
    }

    @Test
    void toleratesGapsInOffsets() {
        OffsetTracker t = new OffsetTracker();
        t.started(3);
        t.started(7);
        t.finished(7);
        assertEquals(-1, t.committable());
        t.finished(3);
        assertEquals(8, t.committable());
    }
}
