package dev.sluice.router.impl.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.core.IngestedEvent;
import dev.sluice.core.PartitionKey;
import dev.sluice.core.RouteConfig;
import dev.sluice.router.impl.http.TestRoutes;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventStamperTest {

    private static RouteConfig route(PartitionKey key, PartitionKey fallback) {
        return TestRoutes.keyed(key, fallback);
    }

    private static Draft json(String s) {
        return Draft.plain(s.getBytes(StandardCharsets.UTF_8), "application/json");
    }

    @Test
    void stampsIdDeadlineAndDefaults() throws Exception {
        IngestedEvent e =
                EventStamper.stamp(route(new PartitionKey.EventId(), null), json("{}"), 1_000, h -> null, "tp");
        assertEquals(7, java.util.UUID.fromString(e.id()).version());
        assertEquals(16_000, e.deadlineMillis());
        assertEquals("/sources/r", e.source());
        assertEquals("ty", e.type());
        assertArrayEquals(e.id().getBytes(StandardCharsets.UTF_8), e.key());
    }

    @Test
    void keysByJsonPointerHeaderOrSubject() throws Exception {
        assertArrayEquals(
                "d-42".getBytes(StandardCharsets.UTF_8),
                EventStamper.stamp(
                                route(new PartitionKey.Pointer("/device/id"), null),
                                json("{\"device\":{\"id\":\"d-42\"}}"),
                                0,
                                h -> null,
                                "tp")
                        .key());
        assertArrayEquals(
                "7".getBytes(StandardCharsets.UTF_8),
                EventStamper.stamp(route(new PartitionKey.Pointer("/n"), null), json("{\"n\":7}"), 0, h -> null, "tp")
                        .key());
        assertArrayEquals(
                "hv".getBytes(StandardCharsets.UTF_8),
                EventStamper.stamp(
                                route(new PartitionKey.Header("X-K"), null),
                                json("{}"),
                                0,
                                Map.of("X-K", "hv")::get,
                                "tp")
                        .key());
    }

    @Test
    void anUnresolvedPointerIsRefusedOrFallsBack() throws Exception {
        RouteConfig strict = route(new PartitionKey.Pointer("/missing"), null);
        assertThrows(
                EventStamper.KeyNotFound.class,
                () -> EventStamper.stamp(strict, json("{\"a\":1}"), 0, h -> null, "tp"));
        assertThrows(
                EventStamper.KeyNotFound.class, () -> EventStamper.stamp(strict, json("not json"), 0, h -> null, "tp"));
        RouteConfig lenient = route(new PartitionKey.Pointer("/missing"), new PartitionKey.EventId());
        IngestedEvent e = EventStamper.stamp(lenient, json("{\"a\":1}"), 0, h -> null, "tp");
        assertArrayEquals(e.id().getBytes(StandardCharsets.UTF_8), e.key());
    }

    @Test
    void aValidTraceparentIsKeptAndAnInvalidOneReplaced() {
        String valid = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        assertEquals(valid, EventStamper.traceparent(valid));
        String fresh = EventStamper.traceparent("garbage");
        assertTrue(fresh.matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01"), fresh);
        assertNotEquals(fresh, EventStamper.traceparent(null));
        assertNotEquals(valid, EventStamper.traceparent("00-00000000000000000000000000000000-b7ad6b7169203331-01"));
    }

    @Test
    void aTracestateIsKeptOnlyBesideAValidTraceparentAndOnlyWhenHeaderSafe() throws Exception {
        String valid = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        assertEquals(
                "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7",
                EventStamper.tracestate(valid, "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7"));
        assertNull(
                EventStamper.tracestate("garbage", "congo=t61rcWkgMzE"),
                "a restarted trace starts without the old state");
        assertNull(EventStamper.tracestate(null, "congo=t61rcWkgMzE"));
        assertNull(EventStamper.tracestate(valid, null));
        assertNull(EventStamper.tracestate(valid, ""));
        assertNull(
                EventStamper.tracestate(valid, "congo=a\r\nx-injected: 1"),
                "nothing that is not a header value passes");
        assertNull(EventStamper.tracestate(valid, "k=" + "v".repeat(EventStamper.TRACESTATE_MAX)));
        assertEquals(
                "k=" + "v".repeat(EventStamper.TRACESTATE_MAX - 2),
                EventStamper.tracestate(valid, "k=" + "v".repeat(EventStamper.TRACESTATE_MAX - 2)));

        IngestedEvent e = EventStamper.stamp(
                route(new PartitionKey.EventId(), null), json("{}"), 1_000L, h -> null, valid, "congo=t61rcWkgMzE");
        assertEquals(valid, e.traceparent());
        assertEquals("congo=t61rcWkgMzE", e.tracestate());
    }
}
