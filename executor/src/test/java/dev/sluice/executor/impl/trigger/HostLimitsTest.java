package dev.sluice.executor.impl.trigger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import org.junit.jupiter.api.Test;

class HostLimitsTest {

    @Test
    void aPollPastTheBoundForItsHostWaitsForOneToFinish() {
        HostLimits limits = new HostLimits(2);
        assertTrue(limits.acquire("a:443").succeeded());
        assertTrue(limits.acquire("a:443").succeeded());
        Future<Void> third = limits.acquire("a:443");
        assertFalse(third.isComplete(), "a third poll of one host waits");
        assertTrue(limits.acquire("b:443").succeeded(), "another host is not held up");
        limits.release("a:443");
        assertTrue(third.succeeded(), "its turn comes when one finishes");
        assertEquals(2, limits.inFlight("a:443"));
        limits.release("a:443");
        limits.release("a:443");
        assertEquals(0, limits.inFlight("a:443"));
    }

    @Test
    void theCursorTravelsAsAQueryParameterEncoded() {
        assertEquals("http://h/x?after=a%26b%3D1", PollFetch.withCursor("http://h/x", "after", "a&b=1"));
        assertEquals("http://h/x?since=0&after=p2", PollFetch.withCursor("http://h/x?since=0#frag", "after", "p2"));
        assertEquals("http://h/x", PollFetch.withCursor("http://h/x", "after", ""));
    }
}
